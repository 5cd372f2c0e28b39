// Bulk resolve through its dialog: one injected conflict, then a re-run that applies nothing twice.

#include "BulkResolveDialog.h"
#include "BulkResolver.h"
#include "DetailTestStore.h"
#include "casework/Casework.h"
#include "enforcement/ReviewerActions.h"

#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

#include <algorithm>

using namespace fairuse;
using namespace fairuse::ui;

class BulkResolveTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;

    QList<services::QueueRow> rowsFor(const QStringList& uids) { return rowsFor(m_store, uids); }
    static QList<services::QueueRow> rowsFor(const testing::DetailTestStore& store, const QStringList& uids) {
        QList<services::QueueRow> rows;
        for (const QString& uid : uids) {
            services::QueueRow r;
            r.state = store.state(uid);
            rows.append(r);
        }
        return rows;
    }

    static void prepare(BulkResolveDialog& dialog, const QString& note) {
        auto* outcome = dialog.findChild<QComboBox*>(QStringLiteral("outcomeCombo"));
        outcome->setCurrentIndex(outcome->findData(static_cast<int>(Outcome::NoAction)));
        auto* edit = dialog.findChild<QPlainTextEdit*>(QStringLiteral("noteEdit"));
        edit->clear();
        QTest::keyClicks(edit, note);
    }

    /** Status column of the results tree, per case reference. */
    static QHash<QString, QString> results(BulkResolveDialog& dialog) {
        QHash<QString, QString> out;
        auto* tree = dialog.findChild<QTreeWidget*>(QStringLiteral("resultsTree"));
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            out.insert(tree->topLevelItem(i)->text(1), tree->topLevelItem(i)->text(2));
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed(Role::SeniorReviewer)); }

    void runIdIsDeterministic() {
        const QString a = models::BulkResolver::runId({QStringLiteral("u2"), QStringLiteral("u1")}, Outcome::NoAction,
                                                      QStringLiteral("n"));
        QCOMPARE(a, models::BulkResolver::runId({QStringLiteral("u1"), QStringLiteral("u2"), QStringLiteral("u1")},
                                                Outcome::NoAction, QStringLiteral("n")));
        QVERIFY(a != models::BulkResolver::runId({QStringLiteral("u1"), QStringLiteral("u2")}, Outcome::Confirmed,
                                                 QStringLiteral("n")));
        QVERIFY(a != models::BulkResolver::runId({QStringLiteral("u1"), QStringLiteral("u2")}, Outcome::NoAction,
                                                 QStringLiteral("m")));
        QVERIFY(a != models::BulkResolver::runId({QStringLiteral("u1")}, Outcome::NoAction, QStringLiteral("n")));
    }

    void oneConflictThenIdempotentRerun() {
        // Five users with open cases.
        QStringList uids = m_store.usersWithOpenCases().mid(0, 5);
        QCOMPARE(uids.size(), 5);
        QHash<QString, FairUseEvent> open; // caseRef -> event
        for (const QString& uid : uids) {
            for (const FairUseEvent& e : m_store.events(uid)) {
                if (!e.resolved) {
                    open.insert(e.caseRef, e);
                }
            }
        }
        QVERIFY(open.size() >= 5);
        const QString note = QStringLiteral("bulk: reviewed in the weekly sweep");

        // The dialog reads the cases when it opens (its preview); the resolves are conditioned on what it read.
        BulkResolveDialog dialog(m_store.backend, rowsFor(uids), nullptr);
        dialog.show();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.isLoaded(), 30000);
        QCOMPARE(dialog.resolver()->openCaseCount(), open.size());
        QVERIFY(dialog.findChild<QPushButton*>(QStringLiteral("runButton"))->isEnabled());
        prepare(dialog, note);

        // Behind the dialog's back, another reviewer notes one of the cases, changing its version.
        const FairUseEvent victim = open.value(open.keys().first());
        {
            enforcement::ActionContext other;
            other.reviewer = {QStringLiteral("bob.senior@fairuse.example"), Role::SeniorReviewer};
            other.now = m_store.backend.now();
            other.caseRef = victim.caseRef;
            other.eventId = victim.id;
            auto change =
                enforcement::buildAddNote(m_store.state(victim.uid), victim, QStringLiteral("bob looked"), other);
            QVERIFY(change.ok());
            QVERIFY(services::awaitResult(m_store.stores.cases->apply(change.value())).ok());
        }
        const int auditBeforeRun = static_cast<int>(m_store.audit().size());
        QSignalSpy finished(&dialog, &BulkResolveDialog::runFinished);
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("runButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 60000);

        const QList<models::BulkItem> items = dialog.resolver()->items();
        QCOMPARE(items.size(), open.size());
        int done = 0;
        int conflicts = 0;
        for (const models::BulkItem& item : items) {
            if (item.event.caseRef == victim.caseRef) {
                QVERIFY(item.status == models::BulkStatus::Conflict);
                ++conflicts;
            } else {
                QVERIFY(item.status == models::BulkStatus::Done);
                ++done;
            }
        }
        QCOMPARE(conflicts, 1);
        QCOMPARE(done, open.size() - 1);
        // No state changes (no action): every case went to the store in one batch.
        QCOMPARE(dialog.resolver()->batchCount(), 1);
        QCOMPARE(m_store.audit().size(), auditBeforeRun + done);
        auto* progress = dialog.findChild<QProgressBar*>(QStringLiteral("progressBar"));
        QCOMPARE(progress->value(), progress->maximum());

        // The store: resolved cases carry the outcome; the conflicting one is untouched (still open, Bob's note).
        for (const FairUseEvent& before : open) {
            for (const FairUseEvent& e : m_store.events(before.uid)) {
                if (e.id != before.id) {
                    continue;
                }
                if (e.caseRef == victim.caseRef) {
                    QVERIFY(!e.resolved);
                    QVERIFY(e.adminNotes.contains(QStringLiteral("bob looked")));
                } else {
                    QVERIFY(e.resolved);
                    QVERIFY(e.outcome == std::optional<Outcome>(Outcome::NoAction));
                    QCOMPARE(e.resolvedBy, m_store.backend.reviewer.email);
                }
            }
        }

        // Re-run the same selection, outcome and note in a new dialog: the done ones are reported as already
        // applied by the store, the conflicting one (now re-read) is resolved, nothing is written twice.
        const int auditBeforeRerun = static_cast<int>(m_store.audit().size());
        BulkResolveDialog again(m_store.backend, rowsFor(uids), nullptr);
        again.show();
        // Resolve is enabled once the preview is loaded, as the reviewer sees it: a click before that would land on
        // a disabled button and nothing would ever run (this wait was missing and made the test time out whenever
        // the click came before the load).
        QTRY_VERIFY_WITH_TIMEOUT(again.isLoaded(), 30000);
        QVERIFY(again.findChild<QPushButton*>(QStringLiteral("runButton"))->isEnabled());
        prepare(again, note);
        QSignalSpy finishedAgain(&again, &BulkResolveDialog::runFinished);
        QTest::mouseClick(again.findChild<QPushButton*>(QStringLiteral("runButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!finishedAgain.isEmpty(), 60000);
        const QList<models::BulkItem> rerun = again.resolver()->items();
        QCOMPARE(rerun.size(), open.size());
        for (const models::BulkItem& item : rerun) {
            if (item.event.caseRef == victim.caseRef) {
                QVERIFY(item.status == models::BulkStatus::Done);
            } else {
                QVERIFY2(item.status == models::BulkStatus::AlreadyApplied, qPrintable(item.message));
            }
        }
        QCOMPARE(m_store.audit().size(), auditBeforeRerun + 1);
        const QHash<QString, QString> shown = results(again);
        QCOMPARE(shown.value(victim.caseRef), models::BulkResolver::statusLabel(models::BulkStatus::Done));
        QVERIFY(again.summary().contains(QStringLiteral("already applied: %1").arg(open.size() - 1)));
    }

    void falsePositivesOfOneUserApplyInOrder() {
        // A user with several open cases: each false positive lowers the stage one step, so each case must be
        // conditioned on the state the previous one wrote, and goes in its own batch.
        QString uid;
        for (const QString& candidate : m_store.usersWithOpenCases()) {
            const QList<FairUseEvent> events = m_store.events(candidate);
            const auto open =
                std::count_if(events.cbegin(), events.cend(), [](const FairUseEvent& e) { return !e.resolved; });
            if (open == 1 && m_store.state(candidate).stage != Stage::None) {
                uid = candidate;
                break;
            }
        }
        QVERIFY2(!uid.isEmpty(), "the test population has no flagged user with one open case");
        {
            // The backend opens a second case for the user (a new event document; the state stays).
            const QList<FairUseEvent> events = m_store.events(uid);
            FairUseEvent second =
                *std::find_if(events.cbegin(), events.cend(), [](const FairUseEvent& e) { return !e.resolved; });
            second.id = QStringLiteral("bulk-order-second");
            second.caseRef = QStringLiteral("FU-0000000B0B02");
            second.createdAt = second.createdAt + std::chrono::hours(1);
            second.version.clear();
            ChangeSet open;
            open.uid = uid;
            open.newEvent = second;
            open.checkStateVersion = false;
            open.audit.at = m_store.backend.now();
            open.audit.reviewer = QStringLiteral("bob.senior@fairuse.example");
            open.audit.role = Role::SeniorReviewer;
            open.audit.action = AuditAction::AddNote;
            open.audit.uid = uid;
            open.audit.caseRef = second.caseRef;
            open.audit.eventId = second.id;
            open.audit.reason = QStringLiteral("second case for the ordering test");
            QVERIFY(services::awaitResult(m_store.stores.cases->apply(open)).ok());
        }
        QList<FairUseEvent> cases = m_store.events(uid);
        cases.removeIf([](const FairUseEvent& e) { return e.resolved; });
        QCOMPARE(cases.size(), 2);
        const Stage before = m_store.state(uid).stage;
        const int auditBefore = static_cast<int>(m_store.audit(uid).size());

        services::QueueRow row;
        row.state = m_store.state(uid);
        BulkResolveDialog dialog(m_store.backend, {row}, nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.isLoaded(), 30000);
        auto* outcome = dialog.findChild<QComboBox*>(QStringLiteral("outcomeCombo"));
        outcome->setCurrentIndex(outcome->findData(static_cast<int>(Outcome::FalsePositive)));
        QSignalSpy finished(&dialog, &BulkResolveDialog::runFinished);
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("runButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 60000);

        for (const models::BulkItem& item : dialog.resolver()->items()) {
            QVERIFY2(item.status == models::BulkStatus::Done, qPrintable(item.message));
        }
        QCOMPARE(dialog.resolver()->items().size(), cases.size());
        QCOMPARE(dialog.resolver()->batchCount(), cases.size());
        const QList<AuditRecord> audit = m_store.audit(uid);
        QCOMPARE(audit.size(), auditBefore + cases.size());
        // Each record starts where the previous one ended, from the stage before the run, one step down each.
        std::optional<Stage> expected = before;
        for (qsizetype i = auditBefore; i < audit.size(); ++i) {
            QVERIFY(audit.at(i).stageBefore == expected);
            QVERIFY(audit.at(i).stageAfter != expected || expected == Stage::None);
            expected = audit.at(i).stageAfter;
        }
        QVERIFY(m_store.state(uid).stage == *expected);
        QVERIFY(int(m_store.state(uid).stage) < int(before));
    }

    void aBulkResolveEndsEscalationsAndSnoozes() {
        // A store of its own: three users with one open case each, the first escalated, the second snoozed.
        testing::DetailTestStore store;
        QVERIFY(store.seed(Role::SeniorReviewer));
        QStringList uids;
        for (const QString& uid : store.usersWithOpenCases()) {
            const QList<FairUseEvent> events = store.events(uid);
            if (uids.size() < 3 &&
                std::count_if(events.cbegin(), events.cend(), [](const FairUseEvent& e) { return !e.resolved; }) == 1) {
                uids.append(uid);
            }
        }
        QCOMPARE(uids.size(), 3);
        enforcement::ActionContext ctx;
        ctx.reviewer = store.backend.reviewer;
        ctx.now = store.backend.now();
        for (int i = 0; i < 2; ++i) {
            const QList<FairUseEvent> events = store.events(uids.at(i));
            const FairUseEvent open =
                *std::find_if(events.cbegin(), events.cend(), [](const FairUseEvent& e) { return !e.resolved; });
            const auto change =
                i == 0 ? casework::buildEscalate(store.state(uids.at(i)), std::nullopt, open,
                                                 QStringLiteral("please look"), ctx)
                       : casework::buildSnooze(store.state(uids.at(i)), std::nullopt, open, std::nullopt, ctx);
            QVERIFY(change.ok());
            QVERIFY(services::awaitResult(store.stores.cases->apply(*change)).ok());
        }
        BulkResolveDialog dialog(store.backend, rowsFor(store, uids), nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.isLoaded(), 30000);
        prepare(dialog, QStringLiteral("weekly sweep"));
        QSignalSpy finished(&dialog, &BulkResolveDialog::runFinished);
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("runButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 60000);
        for (const models::BulkItem& item : dialog.resolver()->items()) {
            QVERIFY2(item.status == models::BulkStatus::Done, qPrintable(item.message));
        }
        for (const QString& uid : uids) {
            QVERIFY(!services::awaitResult(store.stores.cases->getCasework(uid)).value().has_value());
        }
        // A change that ends an escalation or a snooze is the last of its batch (the rules read the commit's newest
        // record), in the rows' order: [escalated], [snoozed], [plain]; without casework the three share one batch.
        QCOMPARE(dialog.resolver()->batchCount(), 3);
    }

    void cancelStopsAfterInFlight() {
        QStringList uids = m_store.usersWithOpenCases();
        // Users still having open cases after the previous test.
        QStringList withOpen;
        for (const QString& uid : uids) {
            for (const FairUseEvent& e : m_store.events(uid)) {
                if (!e.resolved && !withOpen.contains(uid)) {
                    withOpen << uid;
                }
            }
        }
        QVERIFY(withOpen.size() >= 3);
        BulkResolveDialog dialog(m_store.backend, rowsFor(withOpen), nullptr);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.isLoaded(), 30000);
        prepare(dialog, QStringLiteral("cancel test"));
        QVERIFY(dialog.findChild<QPushButton*>(QStringLiteral("runButton"))->isEnabled());
        dialog.resolver()->setBatchSize(1);
        QSignalSpy finished(&dialog, &BulkResolveDialog::runFinished);
        // One case per batch; the reviewer presses Cancel as soon as the first case is reported.
        bool pressed = false;
        connect(dialog.resolver(), &models::BulkResolver::itemFinished, &dialog, [&dialog, &pressed] {
            if (!pressed) {
                pressed = true;
                QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("cancelButton")), Qt::LeftButton);
            }
        });
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("runButton")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 60000);
        int done = 0;
        int cancelled = 0;
        for (const models::BulkItem& item : dialog.resolver()->items()) {
            done += item.status == models::BulkStatus::Done ? 1 : 0;
            cancelled += item.status == models::BulkStatus::Cancelled ? 1 : 0;
            QVERIFY(item.status != models::BulkStatus::Pending);
        }
        // The batch in flight when Cancel was pressed finished; nothing after it started.
        const int total = static_cast<int>(dialog.resolver()->items().size());
        QVERIFY(total >= 3);
        QCOMPARE(done, 1);
        QCOMPARE(cancelled, total - 1);
        QCOMPARE(dialog.resolver()->batchCount(), 1);
    }
};

QTEST_MAIN(BulkResolveTest)
#include "BulkResolveTest.moc"
