// The Firestore queue without per-row details (Options::enrichQueueRows off, as the console loads it): pages carry
// the state and the exemption only, marked detailsKnown = false, and the details QueueModel reads lazily for the
// rows it shows (listEvents + listAudit per user) equal what the in-page enrichment computes. Against the emulator.
#include "EmulatorSupport.h"

#include "QueueModel.h"
#include "firestore/FirestoreCaseStore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <map>

using namespace fairuse;
using namespace fairuse::services;

namespace {

using testing::at;
using testing::wait;
using testing::why;

FairUseState flaggedState(const QString& uid, Stage stage, const char* updated) {
    FairUseState s;
    s.uid = uid;
    s.stage = stage;
    s.updatedAt = at(updated);
    s.lastClassifierScore = 0.8;
    s.lastClassifierType = UsageType::Audiobook;
    return s;
}

FairUseEvent caseEvent(const QString& uid, const QString& id, const char* created, bool resolved) {
    FairUseEvent e;
    e.uid = uid;
    e.id = id;
    e.caseRef = QStringLiteral("FU-%1").arg(id.toUpper().rightJustified(12, QLatin1Char('0')));
    e.createdAt = at(created);
    e.trigger = CapWindow::Daily;
    e.windowSpeech = SpeechTotals{7'500'000, 8'000'000, 9'000'000};
    e.previousStage = Stage::None;
    e.newStage = Stage::Warning;
    e.resolved = resolved;
    if (resolved) {
        e.resolvedAt = at("2026-03-20T12:00:00Z");
        e.resolvedBy = QStringLiteral("rev@x.com");
        e.outcome = Outcome::Confirmed;
    }
    return e;
}

/** A reviewer action that writes only its audit record (and, for exempt, the exemption). */
ChangeSet auditOnly(const QString& uid, AuditAction action) {
    ChangeSet c;
    c.uid = uid;
    c.audit.at = at("2026-03-21T09:00:00Z");
    c.audit.reviewer = QStringLiteral("rev@x.com");
    c.audit.role = Role::Reviewer;
    c.audit.action = action;
    c.audit.uid = uid;
    c.audit.reason = QStringLiteral("checked the evidence");
    c.audit.clientVersion = QStringLiteral("test");
    if (action == AuditAction::Exempt) {
        c.exempt = true;
    }
    return c;
}

QList<QueueRow> allRows(FirestoreCaseStore& store, const QueueFilter& filter = {}) {
    auto page = wait(store.fetchQueuePage(filter, {}, 100));
    return page.ok() ? page->rows : QList<QueueRow>{};
}

} // namespace

class FirestoreQueueDetailsTest : public QObject {
    Q_OBJECT

private:
    std::shared_ptr<FirestoreClient> m_client;
    std::shared_ptr<FirestoreCaseStore> m_lazy;
    std::unique_ptr<FirestoreCaseStore> m_enriched;

    /** Loads `model` and asks for the detail cells of every row (as painting them does) until all are known. */
    static bool loadWithDetails(models::QueueModel& model) {
        QSignalSpy done(&model, &models::QueueModel::loadingFinished);
        model.refresh();
        if (!QTest::qWaitFor([&] { return !done.isEmpty(); }, 120000)) {
            return false;
        }
        return QTest::qWaitFor(
            [&] {
                bool all = true;
                for (int r = 0; r < model.rowCount(); ++r) {
                    (void)model.index(r, models::QueueModel::OpenCasesColumn).data();
                    all = all && model.rowAt(r).detailsKnown;
                }
                return all;
            },
            120000);
    }

private Q_SLOTS:
    void initTestCase() {
        FAIRUSE_REQUIRE_EMULATOR(host);
        m_client = std::make_shared<FirestoreClient>(
            testing::emulatorConfig(testing::freshProject(QStringLiteral("qd")), host), StaticToken::emulatorOwner());
        FirestoreCaseStore::Options lazy;
        lazy.enrichQueueRows = false;
        m_lazy = std::make_shared<FirestoreCaseStore>(m_client, lazy);
        m_enriched = std::make_unique<FirestoreCaseStore>(m_client);

        // u1: two open cases and a resolved one; u2: resolved only; u3: none; u4: one open; u5: three open.
        const QList<FairUseState> states = {
            flaggedState(QStringLiteral("u1"), Stage::Warning, "2026-03-20T10:05:00Z"),
            flaggedState(QStringLiteral("u2"), Stage::Throttle, "2026-03-20T10:04:00Z"),
            flaggedState(QStringLiteral("u3"), Stage::Restrict, "2026-03-20T10:03:00Z"),
            flaggedState(QStringLiteral("u4"), Stage::Warning, "2026-03-20T10:02:00Z"),
            flaggedState(QStringLiteral("u5"), Stage::Throttle, "2026-03-20T10:01:00Z")};
        const QList<FairUseEvent> events = {
            caseEvent(QStringLiteral("u1"), QStringLiteral("a1"), "2026-03-18T08:00:00Z", false),
            caseEvent(QStringLiteral("u1"), QStringLiteral("a2"), "2026-03-17T08:00:00Z", false),
            caseEvent(QStringLiteral("u1"), QStringLiteral("a3"), "2026-03-10T08:00:00Z", true),
            caseEvent(QStringLiteral("u2"), QStringLiteral("b1"), "2026-03-15T08:00:00Z", true),
            caseEvent(QStringLiteral("u4"), QStringLiteral("d1"), "2026-03-19T08:00:00Z", false),
            caseEvent(QStringLiteral("u5"), QStringLiteral("e1"), "2026-03-19T09:00:00Z", false),
            caseEvent(QStringLiteral("u5"), QStringLiteral("e2"), "2026-03-16T09:00:00Z", false),
            caseEvent(QStringLiteral("u5"), QStringLiteral("e3"), "2026-03-19T07:00:00Z", false)};
        QList<FirestoreWrite> writes;
        for (const FairUseState& s : states) {
            writes.append(FirestoreWrite::set(FirestoreCaseStore::statePath(s.uid), encodeState(s)));
        }
        for (const FairUseEvent& e : events) {
            writes.append(FirestoreWrite::set(FirestoreCaseStore::eventPath(e.uid, e.id), encodeEvent(e)));
        }
        VERIFY_OK(wait(m_client->commit(writes)));
        // Audit trail: u1's last action is the exemption, u4's a note; the others have none.
        for (const auto& [uid, action] : {std::pair{QStringLiteral("u1"), AuditAction::AddNote},
                                          std::pair{QStringLiteral("u4"), AuditAction::AddNote},
                                          std::pair{QStringLiteral("u1"), AuditAction::Exempt}}) {
            VERIFY_OK(wait(m_lazy->apply(auditOnly(uid, action))));
        }
    }

    void pageComesBackWithoutDetails() {
        const QList<QueueRow> rows = allRows(*m_lazy);
        QCOMPARE(rows.size(), 5);
        for (const QueueRow& row : rows) {
            QVERIFY2(!row.detailsKnown, qPrintable(row.state.uid));
            QCOMPARE(row.openCases, 0);
            QVERIFY(!row.oldestOpenCaseAt);
            QVERIFY(row.lastAction.isEmpty());
            QCOMPARE(row.state.exempt, row.state.uid == QLatin1String("u1")); // exemptions are still in the page
        }
        // The default (in-page enrichment) still fills them, for callers that print whole pages.
        for (const QueueRow& row : allRows(*m_enriched)) {
            QVERIFY(row.detailsKnown);
        }
    }

    void lazyDetailsEqualTheEnrichment() {
        std::map<QString, QueueRow> expected;
        for (const QueueRow& row : allRows(*m_enriched)) {
            expected[row.state.uid] = row;
        }
        QCOMPARE(expected.size(), std::size_t(5));
        QCOMPARE(expected[QStringLiteral("u1")].openCases, 2);
        QVERIFY(expected[QStringLiteral("u1")].oldestOpenCaseAt == at("2026-03-17T08:00:00Z"));
        QCOMPARE(expected[QStringLiteral("u1")].lastAction, QStringLiteral("exempt"));
        QCOMPARE(expected[QStringLiteral("u5")].openCases, 3);
        QCOMPARE(expected[QStringLiteral("u4")].lastAction, QStringLiteral("add_note"));

        models::Backend backend;
        backend.cases = m_lazy;
        backend.now = [] { return at("2026-03-21T10:00:00Z"); };
        models::QueueModel model(backend);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(loadWithDetails(model));
        QCOMPARE(model.rowCount(), 5);
        for (int r = 0; r < model.rowCount(); ++r) {
            const QueueRow& row = model.rowAt(r);
            const QueueRow& want = expected[row.state.uid];
            QCOMPARE(row.openCases, want.openCases);
            QVERIFY2(row.oldestOpenCaseAt == want.oldestOpenCaseAt, qPrintable(row.state.uid));
            QCOMPARE(row.lastAction, want.lastAction);
            QCOMPARE(model.index(r, models::QueueModel::OpenCasesColumn).data().toInt(), want.openCases);
        }

        // An action on u2, then the refresh the console makes after every action: the details are read again.
        VERIFY_OK(wait(m_lazy->apply(auditOnly(QStringLiteral("u2"), AuditAction::AddNote))));
        QVERIFY(loadWithDetails(model));
        QCOMPARE(model.rowAt(model.rowOfUid(QStringLiteral("u2"))).lastAction, QStringLiteral("add_note"));
        QCOMPARE(allRows(*m_enriched).at(1).lastAction, QStringLiteral("add_note")); // u2 is second in the queue
    }

    void resolutionFilterCountsInThePage() {
        QueueFilter open;
        open.resolution = QueueFilter::Resolution::OpenOnly;
        QStringList uids;
        for (const QueueRow& row : allRows(*m_lazy, open)) {
            uids.append(row.state.uid);
            QVERIFY(row.openCases > 0);
        }
        QCOMPARE(uids, (QStringList{QStringLiteral("u1"), QStringLiteral("u4"), QStringLiteral("u5")}));
        QueueFilter resolved;
        resolved.resolution = QueueFilter::Resolution::ResolvedOnly;
        uids.clear();
        for (const QueueRow& row : allRows(*m_lazy, resolved)) {
            uids.append(row.state.uid);
        }
        QCOMPARE(uids, (QStringList{QStringLiteral("u2"), QStringLiteral("u3")}));
    }
};

QTEST_GUILESS_MAIN(FirestoreQueueDetailsTest)
#include "FirestoreQueueDetailsTest.moc"
