// Reviewer actions through the user view's dialogs, asserted on the store: resolve, refusals, conflicts.

#include "ActionDialog.h"
#include "ConflictDialog.h"
#include "DetailFormat.h"
#include "DetailTestStore.h"
#include "EventsModel.h"
#include "UserView.h"
#include "enforcement/Enforcement.h"
#include "enforcement/ReviewerActions.h"

#include <QAction>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;

class ActionDialogTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;
    int m_nextUser = 0;

    static bool waitLoaded(UserView& view, const QString& uid) {
        QSignalSpy spy(&view, &UserView::loaded);
        view.showUser(uid);
        return QTest::qWaitFor([&spy] { return !spy.isEmpty(); }, 30000) && spy.last().at(0).toString() == uid;
    }

    /** Shows the next user (nextUser()) in `view` and waits until it has loaded them: their uid, or empty. */
    QString showNextUser(UserView& view) {
        const QString uid = nextUser();
        view.show();
        return !uid.isEmpty() && waitLoaded(view, uid) ? uid : QString();
    }

    /** What the store holds of a user before a test acts on them. */
    struct Snapshot {
        FairUseState state;
        int auditSize = 0;
    };
    Snapshot snapshot(const QString& uid) const {
        return {m_store.state(uid), static_cast<int>(m_store.audit().size())};
    }

    /** A user with an open case not used by another test, at a stage > none. */
    QString nextUser() {
        const QStringList users = m_store.usersWithOpenCases();
        while (m_nextUser < users.size()) {
            const QString uid = users.at(m_nextUser++);
            if (m_store.state(uid).stage != Stage::None && m_store.state(uid).stage != Stage::Restrict) {
                return uid;
            }
        }
        return {};
    }

    /** Triggers the view's action by its shortcut text and returns the dialog it opened. */
    static ActionDialog* trigger(UserView& view, const QString& shortcut, int index = -1) {
        const QList<QAction*> actions = view.actions();
        for (int i = 0; i < actions.size(); ++i) {
            if ((index >= 0 && i == index) ||
                (index < 0 && actions.at(i)->shortcut().toString(QKeySequence::PortableText) == shortcut)) {
                actions.at(i)->trigger();
                break;
            }
        }
        return view.findChild<ActionDialog*>();
    }

    /** Opens the override dialog, asks for `stage` with reason code `code` and the notes `reason`, and presses Review;
     *  the dialog, or null. */
    static ActionDialog* reviewOverride(UserView& view, Stage stage, const QString& reason,
                                        const QString& code = QStringLiteral("media_confirmed")) {
        ActionDialog* dialog = trigger(view, QStringLiteral("Ctrl+Shift+O"));
        if (dialog == nullptr) {
            return nullptr;
        }
        auto* target = dialog->findChild<QComboBox*>(QStringLiteral("targetStageCombo"));
        target->setCurrentIndex(target->findData(static_cast<int>(stage)));
        auto* codes = dialog->findChild<QComboBox*>(QStringLiteral("reasonCodeCombo"));
        if (codes == nullptr || codes->findData(code) < 0) {
            return nullptr;
        }
        codes->setCurrentIndex(codes->findData(code));
        QTest::keyClicks(dialog->findChild<QPlainTextEdit*>(QStringLiteral("textEdit")), reason);
        click(dialog, "reviewButton");
        return dialog;
    }

    static void click(QWidget* dialog, const char* name) {
        auto* button = dialog->findChild<QPushButton*>(QString::fromLatin1(name));
        QVERIFY(button != nullptr);
        QVERIFY(button->isVisible());
        QTest::mouseClick(button, Qt::LeftButton);
    }

    static void selectOpenCase(UserView& view) {
        for (int i = 0; i < view.events().size(); ++i) {
            if (!view.events().at(i).resolved) {
                view.eventsView()->setCurrentIndex(view.eventsModel()->index(i, 0));
                return;
            }
        }
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed(Role::SeniorReviewer)); }

    void resolveFalsePositiveThroughDialog() {
        UserView view(m_store.backend, nullptr);
        const QString uid = showNextUser(view);
        QVERIFY(!uid.isEmpty());
        const Snapshot before = snapshot(uid);
        selectOpenCase(view);
        const FairUseEvent target = view.events().at(view.eventsView()->currentIndex().row());
        QVERIFY(!target.resolved);
        QSignalSpy changed(&view, &UserView::stateChanged);

        ActionDialog* dialog = trigger(view, QStringLiteral("Ctrl+R"));
        QVERIFY(dialog != nullptr);
        QTRY_VERIFY(dialog->isVisible());
        auto* outcome = dialog->findChild<QComboBox*>(QStringLiteral("outcomeCombo"));
        outcome->setCurrentIndex(outcome->findData(static_cast<int>(Outcome::FalsePositive)));
        QTest::keyClicks(dialog->findChild<QPlainTextEdit*>(QStringLiteral("textEdit")),
                         QStringLiteral("lecture recordings, not misuse"));
        click(dialog, "reviewButton");
        QVERIFY2(dialog->isConfirming(), qPrintable(dialog->message()));
        const Stage expected = enforcement::stepDown(before.state.stage);
        // The confirmation names the stage change and the audit record before anything is written.
        QVERIFY2(
            dialog->summary().contains(QStringLiteral("%1 \u2192 %2")
                                           .arg(models::stageLabel(before.state.stage), models::stageLabel(expected))),
            qPrintable(dialog->summary()));
        QVERIFY(dialog->summary().contains(m_store.backend.reviewer.email));
        QCOMPARE(m_store.audit().size(), before.auditSize);

        click(dialog, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 30000);
        QCOMPARE(changed.first().at(0).toString(), uid);

        // The store: state lowered, case resolved by the reviewer, one audit record naming the reviewer.
        QVERIFY(m_store.state(uid).stage == expected);
        bool found = false;
        for (const FairUseEvent& e : m_store.events(uid)) {
            if (e.id == target.id) {
                found = true;
                QVERIFY(e.resolved);
                QVERIFY(e.outcome == std::optional<Outcome>(Outcome::FalsePositive));
                QCOMPARE(e.resolvedBy, m_store.backend.reviewer.email);
                QVERIFY(e.adminNotes.contains(QStringLiteral("lecture recordings")));
            }
        }
        QVERIFY(found);
        const QList<AuditRecord> audit = m_store.audit();
        QCOMPARE(audit.size(), before.auditSize + 1);
        QCOMPARE(audit.last().reviewer, m_store.backend.reviewer.email);
        QVERIFY(audit.last().action == AuditAction::Resolve);
        QCOMPARE(audit.last().uid, uid);
        QCOMPARE(audit.last().eventId, target.id);
        QVERIFY(audit.last().stageAfter == std::optional<Stage>(expected));
    }

    void resolveWithCodeAndVerdictWritesBoth() {
        UserView view(m_store.backend, nullptr);
        const QString uid = showNextUser(view);
        QVERIFY(!uid.isEmpty());
        selectOpenCase(view);
        const FairUseEvent target = view.events().at(view.eventsView()->currentIndex().row());
        QVERIFY(target.classifier.has_value());
        QSignalSpy changed(&view, &UserView::stateChanged);

        ActionDialog* dialog = trigger(view, QStringLiteral("Ctrl+R"));
        QVERIFY(dialog != nullptr);
        QTRY_VERIFY(dialog->isVisible());
        auto* outcome = dialog->findChild<QComboBox*>(QStringLiteral("outcomeCombo"));
        auto* codes = dialog->findChild<QComboBox*>(QStringLiteral("reasonCodeCombo"));
        auto* verdicts = dialog->findChild<QComboBox*>(QStringLiteral("verdictCombo"));
        QVERIFY(codes != nullptr);
        QVERIFY(verdicts != nullptr);
        // The policy's codes, by their labels, and every verdict; both on the keyboard's way from the outcome.
        QCOMPARE(codes->count(), static_cast<int>(m_store.backend.policy.reasonCodes.size()));
        QCOMPARE(codes->itemText(0), m_store.backend.policy.reasonCodes.first().label);
        QCOMPARE(verdicts->count(), static_cast<int>(classifierVerdicts().size()));
        QVERIFY(codes->focusPolicy() & Qt::TabFocus);
        QVERIFY(verdicts->focusPolicy() & Qt::TabFocus);
        QWidget* next = outcome;
        QList<QWidget*> tabOrder;
        for (int i = 0; i < 20 && tabOrder.size() < 8; ++i) {
            next = next->nextInFocusChain();
            if (next->isVisibleTo(dialog) && (next->focusPolicy() & Qt::TabFocus)) {
                tabOrder.append(next);
            }
        }
        QVERIFY(tabOrder.contains(codes));
        QVERIFY(tabOrder.contains(verdicts));
        QVERIFY(tabOrder.indexOf(codes) <
                tabOrder.indexOf(dialog->findChild<QPlainTextEdit*>(QStringLiteral("textEdit"))));

        outcome->setCurrentIndex(outcome->findData(static_cast<int>(Outcome::Confirmed)));
        if (auto* appeal = dialog->findChild<QComboBox*>(QStringLiteral("appealChoiceCombo"))) {
            appeal->setCurrentIndex(appeal->findData(static_cast<int>(AppealChoice::LeaveOpen)));
        }
        codes->setCurrentIndex(codes->findData(QStringLiteral("user_contacted")));
        verdicts->setCurrentIndex(verdicts->findData(QStringLiteral("model_wrong_media")));
        QTest::keyClicks(dialog->findChild<QPlainTextEdit*>(QStringLiteral("textEdit")),
                         QStringLiteral("user agreed to stop"));
        click(dialog, "reviewButton");
        QVERIFY2(dialog->isConfirming(), qPrintable(dialog->message()));
        // The confirmation shows the label before anything is written.
        QVERIFY2(dialog->summary().contains(models::classifierVerdictLabel(ClassifierVerdict::ModelWrongMedia)),
                 qPrintable(dialog->summary()));
        click(dialog, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 30000);

        const QList<AuditRecord> audit = m_store.audit();
        QVERIFY(audit.last().action == AuditAction::Resolve);
        QCOMPARE(audit.last().eventId, target.id);
        QCOMPARE(audit.last().reason, QStringLiteral("user_contacted: user agreed to stop"));
        const auto labels =
            services::awaitResult(m_store.stores.cases->listLabels(audit.last().at, QString(), 1000), 30000);
        QVERIFY2(labels.ok(), qPrintable(labels ? QString() : labels.error().message));
        std::optional<ClassifierLabel> label;
        for (const ClassifierLabel& l : labels->labels) {
            if (l.eventId == target.id) {
                label = l;
            }
        }
        QVERIFY(label.has_value());
        QCOMPARE(toString(label->verdict), QStringLiteral("model_wrong_media"));
        QCOMPARE(label->outcome, QStringLiteral("confirmed"));
        QCOMPARE(label->model, target.classifier->model);
        QCOMPARE(label->promptVersion, target.classifier->promptVersion);
        QCOMPARE(label->reviewer, m_store.backend.reviewer.email);
        QCOMPARE(label->labelledAt, audit.last().at);
    }

    void overrideWithoutReasonIsRefused() {
        UserView view(m_store.backend, nullptr);
        const QString uid = showNextUser(view);
        QVERIFY(!uid.isEmpty());
        const Snapshot before = snapshot(uid);
        // The code "other" says nothing by itself: without notes there is no reason.
        ActionDialog* dialog = reviewOverride(view, Stage::Restrict, QStringLiteral("   "), QStringLiteral("other"));
        QVERIFY(dialog != nullptr);
        QVERIFY(!dialog->isConfirming());
        QVERIFY(!dialog->message().isEmpty());
        QVERIFY2(dialog->message().contains(QStringLiteral("reason"), Qt::CaseInsensitive),
                 qPrintable(dialog->message()));
        QVERIFY(!dialog->findChild<QPushButton*>(QStringLiteral("applyButton"))->isVisible());
        QCOMPARE(m_store.audit().size(), before.auditSize);
        QCOMPARE(m_store.state(uid).version, before.state.version);
    }

    void reviewerCannotRestrict() {
        models::Backend reviewerBackend = m_store.backend;
        reviewerBackend.reviewer = {QStringLiteral("rita.reviewer@fairuse.example"), Role::Reviewer};
        UserView view(reviewerBackend, nullptr);
        const QString uid = showNextUser(view);
        QVERIFY(!uid.isEmpty());
        const Snapshot before = snapshot(uid);
        ActionDialog* dialog = reviewOverride(view, Stage::Restrict, QStringLiteral("repeated audiobook streaming"));
        QVERIFY(dialog != nullptr);
        QVERIFY(!dialog->isConfirming());
        QVERIFY2(dialog->message().startsWith(QStringLiteral("Refused")), qPrintable(dialog->message()));
        QVERIFY2(dialog->message().contains(QStringLiteral("senior"), Qt::CaseInsensitive),
                 qPrintable(dialog->message()));
        QCOMPARE(m_store.audit().size(), before.auditSize);
        QVERIFY(m_store.state(uid).stage == before.state.stage);
        QCOMPARE(m_store.state(uid).version, before.state.version);
    }

    void conflictShowsBothVersionsAndOverwritesNothing() {
        UserView view(m_store.backend, nullptr);
        const QString uid = showNextUser(view);
        QVERIFY(!uid.isEmpty());
        selectOpenCase(view);
        const FairUseEvent target = view.events().at(view.eventsView()->currentIndex().row());
        ActionDialog* dialog = trigger(view, QStringLiteral("Ctrl+R"));
        QVERIFY(dialog != nullptr);
        auto* outcome = dialog->findChild<QComboBox*>(QStringLiteral("outcomeCombo"));
        outcome->setCurrentIndex(outcome->findData(static_cast<int>(Outcome::Confirmed)));
        click(dialog, "reviewButton");
        QVERIFY(dialog->isConfirming());

        // Another reviewer adds a note to the same case first.
        enforcement::ActionContext other;
        other.reviewer = {QStringLiteral("bob.senior@fairuse.example"), Role::SeniorReviewer};
        other.now = m_store.backend.now();
        other.clientVersion = QStringLiteral("other");
        other.caseRef = target.caseRef;
        other.eventId = target.id;
        auto note = enforcement::buildAddNote(m_store.state(uid), target, QStringLiteral("bob was here"), other);
        QVERIFY(note.ok());
        QVERIFY(services::awaitResult(m_store.stores.cases->apply(note.value())).ok());
        const int auditBefore = static_cast<int>(m_store.audit().size());

        click(dialog, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(dialog->conflictDialog() != nullptr, 30000);
        ConflictDialog* conflict = dialog->conflictDialog();
        QVERIFY(conflict->yoursText().contains(QStringLiteral("resolved as")));
        QVERIFY2(conflict->storedText().contains(QStringLiteral("bob was here")), qPrintable(conflict->storedText()));
        QVERIFY(conflict->storedText().contains(QStringLiteral("open")));
        // Nothing overwritten: the case is still open with Bob's note, no new audit record.
        QCOMPARE(m_store.audit().size(), auditBefore);
        for (const FairUseEvent& e : m_store.events(uid)) {
            if (e.id == target.id) {
                QVERIFY(!e.resolved);
                QVERIFY(e.adminNotes.contains(QStringLiteral("bob was here")));
            }
        }
        // "Reload and redo" reloads the view with the stored data.
        QSignalSpy loaded(&view, &UserView::loaded);
        click(conflict, "reloadButton");
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
        bool sawNote = false;
        for (const FairUseEvent& e : view.events()) {
            sawNote = sawNote || e.adminNotes.contains(QStringLiteral("bob was here"));
        }
        QVERIFY(sawNote);
    }
};

QTEST_MAIN(ActionDialogTest)
#include "ActionDialogTest.moc"
