// Appeals in the console, on a seeded embedded store whose population carries appeals: the inbox lists the open ones
// oldest first and opens the user; a senior overturning an appeal restores the stage with a decide_appeal record in
// their name; a plain reviewer cannot decide; resolving a case that an open appeal contests asks about it and records
// the choice (decided in a second commit, or left open in the resolution's record).

#include "ActionDialog.h"
#include "AppealsInboxView.h"
#include "AppealsModel.h"
#include "DetailFormat.h"
#include "MainWindow.h"
#include "SeededTestStore.h"
#include "UserView.h"
#include "casework/Appeals.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>

using namespace fairuse;
using namespace fairuse::ui;

class AppealsConsoleTest : public QObject {
    Q_OBJECT
private:
    testing::SeededTestStore m_store;
    QSet<QString> m_used;

    static bool waitLoaded(UserView& view, const QString& uid) {
        QSignalSpy spy(&view, &UserView::loaded);
        view.showUser(uid);
        return QTest::qWaitFor([&spy] { return !spy.isEmpty(); }, 30000) && spy.last().at(0).toString() == uid;
    }

    static void click(QWidget* dialog, const char* name) {
        auto* button = dialog->findChild<QPushButton*>(QString::fromLatin1(name));
        QVERIFY(button != nullptr);
        QTest::mouseClick(button, Qt::LeftButton);
    }

    static void choose(QComboBox* combo, int data) {
        QVERIFY(combo != nullptr);
        const int index = combo->findData(data);
        QVERIFY(index >= 0);
        combo->setCurrentIndex(index);
    }

    QList<Appeal> storedAppeals(const QString& uid) const {
        return services::awaitResult(m_store.backend.cases->listAppeals(uid)).value();
    }

    std::optional<FairUseEvent> caseOf(const Appeal& a) const {
        for (const FairUseEvent& e : m_store.population.events) {
            if (e.uid == a.uid && e.caseRef == a.caseRef) {
                return e;
            }
        }
        return std::nullopt;
    }

    /** An open seeded appeal of a user no other test used; with openCase, one whose contested case is still open. */
    std::optional<Appeal> nextOpenAppeal(bool openCase) {
        for (const Appeal& a : m_store.population.appeals) {
            const auto contested = caseOf(a);
            if (!a.isOpen() || m_used.contains(a.uid) || !contested || contested->resolved != !openCase) {
                continue;
            }
            if (openCase) {
                // The dialog's case is the newest open one; take users whose contested case is their only open one.
                int open = 0;
                for (const FairUseEvent& e : m_store.population.events) {
                    open += e.uid == a.uid && !e.resolved ? 1 : 0;
                }
                if (open != 1) {
                    continue;
                }
            }
            m_used.insert(a.uid);
            return a;
        }
        return std::nullopt;
    }

    /** Any open seeded appeal, for tests that write nothing. */
    std::optional<Appeal> anyOpenAppeal() const {
        for (const Appeal& a : m_store.population.appeals) {
            if (a.isOpen() && !m_used.contains(a.uid)) {
                return a;
            }
        }
        return std::nullopt;
    }

    AuditRecord lastAudit(const QString& uid) const {
        services::AuditFilter f;
        f.uid = uid;
        f.limit = 100000;
        return services::awaitResult(m_store.backend.cases->listAudit(f)).value().last();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_store.seedInto(
            QStringLiteral("appeals.sqlite"), testing::SeededTestStore::optionsAtReferenceTime(200, 16),
            {QStringLiteral("sam.senior@fairuse.example"), Role::SeniorReviewer}, QStringLiteral("appeals-test")));
        int open = 0;
        for (const Appeal& a : m_store.population.appeals) {
            open += a.isOpen() ? 1 : 0;
        }
        QVERIFY2(open >= 4, "the population has too few open appeals for these tests");
    }

    void theInboxListsOpenAppealsOldestFirstAndOpensTheUser() {
        QList<Appeal> expected;
        for (const Appeal& a : m_store.population.appeals) {
            if (a.isOpen()) {
                expected.append(a);
            }
        }
        std::stable_sort(expected.begin(), expected.end(),
                         [](const Appeal& x, const Appeal& y) { return x.createdAt < y.createdAt; });

        MainWindow window(m_store.backend);
        window.show();
        QVERIFY(window.appealsInbox() == nullptr);
        QAction* action = nullptr;
        for (QAction* a : window.allActions()) {
            if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I)) {
                action = a;
            }
        }
        QVERIFY(action != nullptr);
        action->trigger();
        AppealsInboxView* inbox = window.appealsInbox();
        QVERIFY(inbox != nullptr);
        QAbstractItemModelTester tester(inbox->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE_WITH_TIMEOUT(inbox->model()->rowCount(), static_cast<int>(expected.size()), 30000);
        for (int row = 0; row < expected.size(); ++row) {
            const QModelIndex user = inbox->model()->index(row, models::AppealsModel::UserColumn);
            QCOMPARE(user.data().toString(), expected.at(row).uid);
            QCOMPARE(inbox->model()->index(row, models::AppealsModel::CaseColumn).data().toString(),
                     expected.at(row).caseRef);
            const QModelIndex message = inbox->model()->index(row, models::AppealsModel::MessageColumn);
            QCOMPARE(message.data(Qt::ToolTipRole).toString(), expected.at(row).message);
            QVERIFY(expected.at(row).message.startsWith(message.data().toString().chopped(1)) ||
                    message.data().toString() == expected.at(row).message);
        }
        QVERIFY(inbox->detailText().contains(expected.first().message));

        // Enter on the second row opens that user in the user view.
        QSignalSpy shown(&window, &MainWindow::userShown);
        inbox->table()->setFocus();
        inbox->table()->setCurrentIndex(inbox->model()->index(1, 0));
        QTest::keyClick(inbox->table(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 5000);
        QCOMPARE(shown.last().at(0).toString(), expected.at(1).uid);
    }

    void overturningRestoresTheStageAndIsAudited() {
        const std::optional<Appeal> appeal = nextOpenAppeal(false);
        QVERIFY(appeal.has_value());
        const FairUseEvent contested = *caseOf(*appeal);
        UserView view(m_store.backend, nullptr);
        QVERIFY(waitLoaded(view, appeal->uid));
        const FairUseState before = *view.state();
        QVERIFY(view.appealsView()->toPlainText().contains(appeal->message));
        QVERIFY(view.appealsView()->toPlainText().contains(appeal->caseRef));
        QVERIFY(view.decideAppealAction()->isEnabled());

        ActionDialog* dialog = view.openAction(ActionKind::DecideAppeal);
        QVERIFY(dialog != nullptr);
        QCOMPARE(dialog->appeal()->id, appeal->id);
        choose(dialog->findChild<QComboBox*>(QStringLiteral("decisionCombo")),
               static_cast<int>(AppealDecision::Overturned));
        const Stage restored = std::min(contested.previousStage, before.stage);
        QVERIFY(restored < before.stage);
        QVERIFY(dialog->stageAfterDecision(AppealDecision::Overturned) == restored);
        QVERIFY(dialog->findChild<QLabel*>(QStringLiteral("stageAfterLabel"))
                    ->text()
                    .contains(models::stageLabel(restored)));

        // The reason code "other" asks for notes: without them, no review.
        auto* codes = dialog->findChild<QComboBox*>(QStringLiteral("reasonCodeCombo"));
        QVERIFY(codes != nullptr);
        codes->setCurrentIndex(codes->findData(QStringLiteral("other")));
        click(dialog, "reviewButton"); // no reason yet
        QVERIFY(!dialog->isConfirming());
        QVERIFY(!dialog->message().isEmpty());
        dialog->findChild<QPlainTextEdit*>(QStringLiteral("textEdit"))->setPlainText(QStringLiteral("Lectures."));
        click(dialog, "reviewButton");
        QVERIFY2(dialog->isConfirming(), qPrintable(dialog->message()));
        QSignalSpy applied(dialog, &ActionDialog::applied);
        click(dialog, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(!applied.isEmpty(), 10000);

        QVERIFY(services::awaitResult(m_store.backend.cases->getState(appeal->uid)).value().stage == restored);
        const AuditRecord record = lastAudit(appeal->uid);
        QVERIFY(record.action == AuditAction::DecideAppeal);
        QCOMPARE(record.reviewer, m_store.backend.reviewer.email);
        QCOMPARE(record.caseRef, appeal->caseRef);
        QVERIFY(record.stageAfter == std::optional<Stage>(restored));
        QCOMPARE(record.reason, QStringLiteral("appeal %1 overturned: other: Lectures.").arg(appeal->id));
        for (const Appeal& a : storedAppeals(appeal->uid)) {
            if (a.id == appeal->id) {
                QVERIFY(a.decision == std::optional<AppealDecision>(AppealDecision::Overturned));
                QCOMPARE(a.decidedBy, m_store.backend.reviewer.email);
            }
        }
        QTRY_VERIFY_WITH_TIMEOUT(!view.isLoading(), 10000);
        QVERIFY(view.appealsView()->toPlainText().contains(QStringLiteral("overturned")));
    }

    void aPlainReviewerCannotDecide() {
        const std::optional<Appeal> appeal = anyOpenAppeal();
        QVERIFY(appeal.has_value());
        models::Backend reviewer = m_store.backend;
        reviewer.reviewer = {QStringLiteral("kim.reviewer@fairuse.example"), Role::Reviewer};
        UserView view(reviewer, nullptr);
        QVERIFY(waitLoaded(view, appeal->uid));
        QVERIFY(!view.decideAppealAction()->isEnabled());
        QVERIFY(view.decideAppealAction()->toolTip().contains(QStringLiteral("senior")));

        // Even with the dialog open, the core refuses and nothing is written.
        const qsizetype records = [&] {
            services::AuditFilter f;
            f.limit = 100000;
            return services::awaitResult(m_store.backend.cases->listAudit(f)).value().size();
        }();
        ActionDialog* dialog = view.openAction(ActionKind::DecideAppeal);
        QVERIFY(dialog != nullptr);
        dialog->findChild<QPlainTextEdit*>(QStringLiteral("textEdit"))->setPlainText(QStringLiteral("Looks fine."));
        click(dialog, "reviewButton");
        QVERIFY(!dialog->isConfirming());
        QVERIFY2(dialog->message().startsWith(QStringLiteral("Refused:")), qPrintable(dialog->message()));
        services::AuditFilter f;
        f.limit = 100000;
        QCOMPARE(services::awaitResult(m_store.backend.cases->listAudit(f)).value().size(), records);
        QVERIFY(storedAppeals(appeal->uid).first().isOpen() || storedAppeals(appeal->uid).size() > 1);
    }

    void resolvingAsksAboutTheOpenAppealAndDecidesIt() {
        const std::optional<Appeal> appeal = nextOpenAppeal(true);
        if (!appeal) {
            QSKIP("no open appeal contests an open case in this population");
        }
        UserView view(m_store.backend, nullptr);
        QVERIFY(waitLoaded(view, appeal->uid));
        ActionDialog* dialog = view.openAction(ActionKind::Resolve);
        QVERIFY(dialog != nullptr);
        QVERIFY(dialog->appeal().has_value());
        QCOMPARE(dialog->appeal()->id, appeal->id);
        QVERIFY(dialog->appealChoice() == AppealChoice::Unchosen);

        // No default: Review insists on a choice.
        click(dialog, "reviewButton");
        QVERIFY(!dialog->isConfirming());
        QVERIFY2(dialog->message().contains(appeal->id), qPrintable(dialog->message()));

        choose(dialog->findChild<QComboBox*>(QStringLiteral("appealChoiceCombo")),
               static_cast<int>(AppealChoice::Uphold));
        dialog->findChild<QPlainTextEdit*>(QStringLiteral("appealReasonEdit"))
            ->setPlainText(QStringLiteral("The case stands."));
        click(dialog, "reviewButton");
        QVERIFY2(dialog->isConfirming(), qPrintable(dialog->message()));
        QVERIFY(dialog->summary().contains(QStringLiteral("second commit")));
        QSignalSpy applied(dialog, &ActionDialog::applied);
        QSignalSpy accepted(dialog, &QDialog::accepted);
        click(dialog, "applyButton");
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 1, 10000);

        services::AuditFilter f;
        f.uid = appeal->uid;
        f.limit = 100000;
        const QList<AuditRecord> records = services::awaitResult(m_store.backend.cases->listAudit(f)).value();
        QVERIFY(records.size() >= 2);
        QVERIFY(records.at(records.size() - 2).action == AuditAction::Resolve);
        QVERIFY(records.last().action == AuditAction::DecideAppeal);
        // The decision gives the resolution's reason code (the first of the policy's, as the dialog opened).
        QCOMPARE(records.last().reason, QStringLiteral("appeal %1 upheld: %2: The case stands.")
                                            .arg(appeal->id, m_store.backend.policy.reasonCodes.first().code));
        for (const Appeal& a : storedAppeals(appeal->uid)) {
            if (a.id == appeal->id) {
                QVERIFY(a.decision == std::optional<AppealDecision>(AppealDecision::Upheld));
            }
        }
    }

    void leavingTheAppealOpenIsRecorded() {
        const std::optional<Appeal> appeal = nextOpenAppeal(true);
        if (!appeal) {
            QSKIP("no second open appeal contests an open case in this population");
        }
        UserView view(m_store.backend, nullptr);
        QVERIFY(waitLoaded(view, appeal->uid));
        ActionDialog* dialog = view.openAction(ActionKind::Resolve);
        QVERIFY(dialog != nullptr);
        choose(dialog->findChild<QComboBox*>(QStringLiteral("appealChoiceCombo")),
               static_cast<int>(AppealChoice::LeaveOpen));
        click(dialog, "reviewButton");
        QVERIFY2(dialog->isConfirming(), qPrintable(dialog->message()));
        QSignalSpy applied(dialog, &ActionDialog::applied);
        click(dialog, "applyButton");
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 10000);
        const AuditRecord record = lastAudit(appeal->uid);
        QVERIFY(record.action == AuditAction::Resolve);
        QVERIFY2(record.reason.contains(QStringLiteral("appeal %1 left open").arg(appeal->id)),
                 qPrintable(record.reason));
        for (const Appeal& a : storedAppeals(appeal->uid)) {
            if (a.id == appeal->id) {
                QVERIFY(a.isOpen());
            }
        }
    }
};

QTEST_MAIN(AppealsConsoleTest)
#include "AppealsConsoleTest.moc"
