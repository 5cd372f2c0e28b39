// Pinned notes, escalation and snooze in the console on a seeded embedded store (casework/Casework.h): an escalated
// case shows in the queue's Escalated view, marked, and a resolution takes it out in its own commit; a snoozed case is
// hidden from the queue until its date (or the user's next cap hit) and then comes back marked "returned from snooze";
// a pinned note shows in every later view of the user. The keys are the ones the shortcuts dialog lists.

#include "ActionDialog.h"
#include "CaseworkDialog.h"
#include "DetailTestStore.h"
#include "QueueCasework.h"
#include "QueueModel.h"
#include "QueueProxy.h"
#include "QueueView.h"
#include "UserView.h"

#include <QAction>
#include <QCheckBox>
#include <QDateTimeEdit>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;
using namespace std::chrono_literals;

class CaseworkConsoleTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;
    TimePoint m_reference{};
    int m_nextUser = 0;

    /** A user with an open case, no appeal (so resolving asks nothing more), not used by another test. */
    QString nextUser() {
        const QStringList users = m_store.usersWithOpenCases();
        while (m_nextUser < users.size()) {
            const QString uid = users.at(m_nextUser++);
            const bool appealed = std::any_of(m_store.population.appeals.cbegin(), m_store.population.appeals.cend(),
                                              [&uid](const Appeal& a) { return a.uid == uid; });
            const Stage s = m_store.state(uid).stage;
            if (!appealed && (s == Stage::Warning || s == Stage::Throttle)) {
                return uid;
            }
        }
        return {};
    }

    std::optional<Casework> storedCasework(const QString& uid) {
        return services::awaitResult(m_store.backend.cases->getCasework(uid)).value();
    }

    static void click(QWidget* dialog, const char* name) {
        auto* button = dialog->findChild<QPushButton*>(QString::fromLatin1(name));
        QVERIFY(button != nullptr);
        QTest::mouseClick(button, Qt::LeftButton);
    }

    static void type(QWidget* dialog, const QString& text) {
        auto* edit = dialog->findChild<QPlainTextEdit*>(QStringLiteral("textEdit"));
        QVERIFY(edit != nullptr);
        edit->setPlainText(text);
    }

    static bool show(UserView& view, const QString& uid) {
        QSignalSpy loaded(&view, &UserView::loaded);
        view.showUser(uid);
        return QTest::qWaitFor([&] { return !loaded.isEmpty(); }, 30000);
    }

    /** Applies a casework dialog and waits until the view has reloaded the user. */
    static bool applyAndReload(UserView& view, CaseworkDialog* dialog) {
        QSignalSpy loaded(&view, &UserView::loaded);
        QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("applyButton")), Qt::LeftButton);
        const bool done = QTest::qWaitFor([&] { return !loaded.isEmpty(); }, 30000);
        if (!done) {
            qWarning("casework dialog: %s", qPrintable(dialog->message()));
        }
        return done;
    }

    static bool loadQueue(QueueView& queue) {
        QSignalSpy done(queue.model(), &models::QueueModel::loadingFinished);
        queue.refresh();
        return QTest::qWaitFor([&] { return !done.isEmpty(); }, 30000);
    }

    static bool readCasework(models::QueueCasework& casework) {
        QSignalSpy changed(&casework, &models::QueueCasework::changed);
        casework.refresh();
        return QTest::qWaitFor([&] { return !changed.isEmpty(); }, 30000);
    }

    static QStringList shownUids(QueueView& queue) {
        QStringList out;
        for (int r = 0; r < queue.proxy()->rowCount(); ++r) {
            out.append(queue.proxy()->index(r, 0).data(models::QueueModel::UidRole).toString());
        }
        return out;
    }

    static QString markerOf(QueueView& queue, const QString& uid) {
        const int row = queue.model()->rowOfUid(uid);
        const QModelIndex index = queue.proxy()->mapFromSource(queue.model()->index(row, 0));
        return index.isValid() ? index.data(QueueProxy::CaseworkMarkerRole).toString() : QStringLiteral("(hidden)");
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_store.seed(Role::Reviewer));
        m_reference = m_store.population.referenceTime;
    }

    void cleanup() {
        const TimePoint ref = m_reference;
        m_store.backend.now = [ref] { return ref; };
    }

    void theKeysAreFreeAndListed() {
        UserView view(m_store.backend);
        const QList<QAction*> work = view.caseworkActions();
        QCOMPARE(work.size(), 6);
        QCOMPARE(work.at(0)->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
        QCOMPARE(work.at(2)->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
        QCOMPARE(work.at(4)->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
        // No other action of the view has these keys (an ambiguous shortcut fires neither).
        for (QAction* other : view.actions()) {
            for (QAction* mine : work) {
                QVERIFY2(mine->shortcut().isEmpty() || other->shortcut() != mine->shortcut(),
                         qPrintable(other->text()));
            }
        }
        for (QAction* a : work) {
            QVERIFY(!a->isEnabled()); // nothing loaded
        }
    }

    void escalateShowsInTheEscalatedViewAndAResolutionEndsIt() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        UserView view(m_store.backend);
        QVERIFY(show(view, uid));
        QVERIFY(view.caseworkLabel()->isHidden());
        QVERIFY(view.caseworkActions().at(0)->isEnabled());
        QVERIFY(!view.caseworkActions().at(1)->isEnabled()); // nothing to withdraw

        CaseworkDialog* refused = view.openCasework(CaseworkKind::Escalate);
        QVERIFY(refused);
        click(refused, "applyButton");
        QVERIFY2(refused->message().contains(QStringLiteral("required")), qPrintable(refused->message()));
        refused->close();

        CaseworkDialog* dialog = view.openCasework(CaseworkKind::Escalate);
        QVERIFY(dialog);
        type(dialog, QStringLiteral("Commercial readings every night; please decide"));
        QVERIFY(applyAndReload(view, dialog));
        QVERIFY(view.casework().has_value());
        QVERIFY(view.casework()->escalated());
        QCOMPARE(view.casework()->escalatedBy, m_store.backend.reviewer.email);
        QVERIFY2(view.caseworkLabel()->text().contains(QStringLiteral("Escalated to a senior")),
                 qPrintable(view.caseworkLabel()->text()));
        QVERIFY(!view.caseworkActions().at(0)->isEnabled()); // already escalated

        QueueView queue(m_store.backend);
        models::QueueCasework casework(m_store.backend);
        queue.setCasework(&casework);
        QVERIFY(loadQueue(queue));
        QVERIFY(readCasework(casework));
        QCOMPARE(markerOf(queue, uid), QStringLiteral("escalated"));
        QVERIFY(
            queue.proxy()
                ->index(queue.proxy()->mapFromSource(queue.model()->index(queue.model()->rowOfUid(uid), 0)).row(), 0)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("Commercial readings every night")));
        queue.setCaseworkView(int(QueueProxy::CaseworkView::Escalated));
        QCOMPARE(shownUids(queue), QStringList{uid});

        ActionDialog* resolve = view.openAction(ActionKind::Resolve);
        QVERIFY(resolve);
        click(resolve, "reviewButton");
        QVERIFY2(resolve->summary().contains(QStringLiteral("escalation and snooze end with this decision")),
                 qPrintable(resolve->summary()));
        QSignalSpy loaded(&view, &UserView::loaded);
        click(resolve, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
        QVERIFY(!storedCasework(uid).has_value());
        const QList<AuditRecord> records = m_store.audit(uid);
        QCOMPARE(toString(records.last().action), toString(AuditAction::Resolve));
        QCOMPARE(toString(records.at(records.size() - 2).action), toString(AuditAction::Escalate));
        QVERIFY(readCasework(casework));
        QVERIFY(shownUids(queue).isEmpty());
    }

    void aSnoozedCaseIsHiddenThenReturnsMarked() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        UserView view(m_store.backend);
        QVERIFY(show(view, uid));
        CaseworkDialog* dialog = view.openCasework(CaseworkKind::Snooze);
        QVERIFY(dialog);
        auto* until = dialog->findChild<QDateTimeEdit*>(QStringLiteral("snoozeUntilEdit"));
        QVERIFY(until);
        until->setDateTime(QDateTime::fromMSecsSinceEpoch(toUnixMs(m_reference + 48h), Qt::UTC));
        QVERIFY(applyAndReload(view, dialog));
        QVERIFY(view.casework() && view.casework()->snoozed());
        QCOMPARE(view.casework()->snoozedUntil, std::optional<TimePoint>(m_reference + 48h));
        QVERIFY2(view.caseworkLabel()->text().startsWith(QStringLiteral("Snoozed: snoozed until")),
                 qPrintable(view.caseworkLabel()->text()));

        QueueView queue(m_store.backend);
        models::QueueCasework casework(m_store.backend);
        queue.setCasework(&casework);
        QVERIFY(loadQueue(queue));
        QVERIFY(readCasework(casework));
        QVERIFY(queue.model()->rowOfUid(uid) >= 0);
        QVERIFY(!shownUids(queue).contains(uid)); // hidden by default
        queue.setCaseworkView(int(QueueProxy::CaseworkView::Snoozed));
        QCOMPARE(shownUids(queue), QStringList{uid});
        QCOMPARE(markerOf(queue, uid), QStringLiteral("snoozed"));
        queue.setCaseworkView(int(QueueProxy::CaseworkView::Active));

        // Two days later the snooze has run out: the case is back, marked.
        const TimePoint later = m_reference + 49h;
        m_store.backend.now = [later] { return later; };
        QVERIFY(readCasework(casework));
        QVERIFY(shownUids(queue).contains(uid));
        QCOMPARE(markerOf(queue, uid), QStringLiteral("returned"));
        QVERIFY(show(view, uid));
        QVERIFY2(view.caseworkLabel()->text().contains(QStringLiteral("Returned from snooze")),
                 qPrintable(view.caseworkLabel()->text()));

        // Ending it takes the mark away with an unsnooze record.
        CaseworkDialog* end = view.openCasework(CaseworkKind::Unsnooze);
        QVERIFY(end);
        QVERIFY(applyAndReload(view, end));
        QVERIFY(!storedCasework(uid).has_value());
        QCOMPARE(toString(m_store.audit(uid).last().action), toString(AuditAction::Unsnooze));
        QVERIFY(readCasework(casework));
        QCOMPARE(markerOf(queue, uid), QString());
    }

    void aSnoozeUntilTheNextCapHitReturnsWithIt() {
        const QString uid = nextUser();
        QVERIFY(!uid.isEmpty());
        UserView view(m_store.backend);
        QVERIFY(show(view, uid));
        CaseworkDialog* dialog = view.openCasework(CaseworkKind::Snooze);
        QVERIFY(dialog);
        dialog->findChild<QCheckBox*>(QStringLiteral("untilCapHitCheck"))->setChecked(true);
        QVERIFY(applyAndReload(view, dialog));
        QVERIFY(view.casework()->snoozeUntilCapHit);

        QueueView queue(m_store.backend);
        models::QueueCasework casework(m_store.backend);
        queue.setCasework(&casework);
        QVERIFY(loadQueue(queue));
        QVERIFY(readCasework(casework));
        QVERIFY(!shownUids(queue).contains(uid));
        // Weeks pass without a cap hit: still hidden.
        const TimePoint weeks = m_reference + 24h * 40;
        m_store.backend.now = [weeks] { return weeks; };
        QVERIFY(readCasework(casework));
        QVERIFY(!shownUids(queue).contains(uid));
        // The enforcer records a cap hit: the case is back, marked.
        QVERIFY(m_store.execSql(QStringLiteral("UPDATE fair_use_state SET last_violation_at = %1 WHERE uid = '%2'")
                                    .arg(toUnixMs(m_reference + 1h))
                                    .arg(uid)));
        QVERIFY(loadQueue(queue));
        // The queue re-reads its casework with the rows; the row shows once both are in.
        QTRY_VERIFY_WITH_TIMEOUT(shownUids(queue).contains(uid), 10000);
        QCOMPARE(markerOf(queue, uid), QStringLiteral("returned"));
    }

    void aPinnedNoteShowsInLaterCases() {
        const QString uid = nextUser();
        const QString other = nextUser();
        QVERIFY(!uid.isEmpty() && !other.isEmpty());
        UserView view(m_store.backend);
        QVERIFY(show(view, uid));
        QVERIFY(!view.caseworkActions().at(5)->isEnabled()); // nothing to unpin
        CaseworkDialog* dialog = view.openCasework(CaseworkKind::PinNote);
        QVERIFY(dialog);
        type(dialog, QStringLiteral("Reads audiobooks to a blind relative; confirmed by support"));
        QVERIFY(applyAndReload(view, dialog));
        QCOMPARE(view.notes().size(), 1);
        const QString caseRef = view.notes().first().caseRef;
        QVERIFY(!caseRef.isEmpty());
        QCOMPARE(toString(m_store.audit(uid).last().action), toString(AuditAction::PinNote));

        // The case is decided; a later look at the user (another console, a later case) still shows the note.
        ActionDialog* resolve = view.openAction(ActionKind::Resolve);
        QVERIFY(resolve);
        click(resolve, "reviewButton");
        QSignalSpy loaded(&view, &UserView::loaded);
        click(resolve, "applyButton");
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 30000);
        const TimePoint later = m_reference + 24h * 10;
        m_store.backend.now = [later] { return later; };
        UserView later_(m_store.backend);
        QVERIFY(show(later_, uid));
        QVERIFY(!later_.caseworkLabel()->isHidden());
        QVERIFY2(later_.caseworkLabel()->text().contains(
                     QStringLiteral("Reads audiobooks to a blind relative; confirmed by support")),
                 qPrintable(later_.caseworkLabel()->text()));
        QVERIFY(later_.caseworkLabel()->text().contains(caseRef));
        QVERIFY(later_.caseworkLabel()->text().contains(m_store.backend.reviewer.email));
        QVERIFY(later_.caseworkActions().at(5)->isEnabled());
        QVERIFY(show(later_, other));
        QVERIFY(later_.caseworkLabel()->isHidden());

        // Unpinned by its author: gone from later views, kept in the store with who unpinned it.
        QVERIFY(show(later_, uid));
        CaseworkDialog* unpin = later_.openCasework(CaseworkKind::UnpinNote);
        QVERIFY(unpin);
        QVERIFY(applyAndReload(later_, unpin));
        QVERIFY(later_.caseworkLabel()->isHidden());
        QCOMPARE(later_.notes().size(), 1);
        QVERIFY(!later_.notes().first().pinned);
    }
};

QTEST_MAIN(CaseworkConsoleTest)
#include "CaseworkConsoleTest.moc"
