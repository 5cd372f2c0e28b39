// AuditModel on a scripted in-memory store: the chain head checks the newest row, a head that cannot be read or
// arrives late, a filtered log (hashes only), a failed page (rows kept, retry), a reload that outruns the answers of
// the load before it, and a deletion found across a page boundary. Every model is under QAbstractItemModelTester.
#include "AuditModel.h"
#include "Backend.h"
#include "audit/AuditChain.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QPromise>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace fairuse;
using namespace fairuse::models;

namespace {

using State = RecordVerdict::State;
using Fault = RecordVerdict::Fault;

/** A chain #1..#n, oldest first, users u0..u4. */
QList<AuditRecord> makeChain(int n) {
    QList<AuditRecord> out;
    const TimePoint start = parseRfc3339(QStringLiteral("2026-03-01T00:00:00Z")).value();
    for (int i = 0; i < n; ++i) {
        AuditRecord r;
        r.at = start + std::chrono::minutes{i};
        r.reviewer = QStringLiteral("ana@example.com");
        r.role = Role::Reviewer;
        r.action = AuditAction::AddNote;
        r.uid = QStringLiteral("u%1").arg(i % 5);
        r.reason = QStringLiteral("note %1").arg(i + 1);
        out.append(chain(out.isEmpty() ? nullptr : &out.constLast(), r));
    }
    return out;
}

/** Serves audit pages from memory after `pageDelayMs`, the head after `headDelayMs`; can fail either. */
class MemoryAuditStore : public services::CaseStore {
public:
    QList<AuditRecord> records; ///< oldest first, as stored (tests edit them freely)
    services::AuditHead head;
    int pageDelayMs = 1;
    int headDelayMs = 1;
    bool failHead = false;
    int failPageCall = -1; ///< the n-th listAuditPage call (0-based) fails, once
    int pageCalls = 0;

    void setChain(const QList<AuditRecord>& chain) {
        records = chain;
        head = chain.isEmpty() ? services::AuditHead{} : services::AuditHead{chain.last().sequence, chain.last().hash};
    }

    services::Async<services::AuditPage> listAuditPage(const services::AuditFilter& filter, const QString& cursor,
                                                       int limit) override {
        const int call = pageCalls++;
        if (call == failPageCall) {
            return later<services::AuditPage>(Error::unavailable(QStringLiteral("connection reset")), pageDelayMs);
        }
        qsizetype from = cursor.isEmpty() ? records.size() - 1 : cursor.toLongLong() - 1;
        services::AuditPage page;
        for (; from >= 0 && page.records.size() < limit; --from) {
            if (filter.uid.isEmpty() || records.at(from).uid == filter.uid) {
                page.records.append(records.at(from));
            }
        }
        if (from >= 0) {
            page.nextCursor = QString::number(from + 1);
        }
        return later<services::AuditPage>(page, pageDelayMs);
    }
    services::Async<services::AuditHead> readAuditHead() override {
        if (failHead) {
            return later<services::AuditHead>(Error::unavailable(QStringLiteral("head unreachable")), headDelayMs);
        }
        return later<services::AuditHead>(head, headDelayMs);
    }

    services::Async<services::QueuePage> fetchQueuePage(const services::QueueFilter&, const QString&, int) override {
        return unused<services::QueuePage>();
    }
    services::Async<FairUseState> getState(const QString&) override { return unused<FairUseState>(); }
    services::Async<QList<FairUseEvent>> listEvents(const QString&) override { return unused<QList<FairUseEvent>>(); }
    services::Async<FairUseEvent> findByCaseRef(const QString&) override { return unused<FairUseEvent>(); }
    services::Async<QList<Conversation>> listConversations(const QString&, TimePoint, int) override {
        return unused<QList<Conversation>>();
    }
    services::Async<CommitResult> apply(const ChangeSet&) override { return unused<CommitResult>(); }
    services::Async<QList<AuditRecord>> listAudit(const services::AuditFilter&) override {
        return unused<QList<AuditRecord>>(); // the model never reads the whole log
    }
    services::Async<QList<LlmSpendRecord>> listSpend(TimePoint, TimePoint) override {
        return unused<QList<LlmSpendRecord>>();
    }
    services::Async<Role> reviewerRole(const QString&) override { return unused<Role>(); }
    QString describe() const override { return QStringLiteral("memory audit store"); }

private:
    template <typename T>
    services::Async<T> later(Result<T> value, int delayMs) {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        promise->start();
        QTimer::singleShot(delayMs, &m_context, [promise, value] {
            promise->addResult(value);
            promise->finish();
        });
        return promise->future();
    }
    template <typename T>
    static services::Async<T> unused() {
        return fairuse::services::ready(Result<T>(Error::internal(QStringLiteral("not used by this test"))));
    }
    QObject m_context;
};

struct Fixture {
    std::shared_ptr<MemoryAuditStore> store = std::make_shared<MemoryAuditStore>();
    Backend backend;
    std::unique_ptr<AuditModel> model;
    std::unique_ptr<QAbstractItemModelTester> tester;

    explicit Fixture(int records, int pageSize = 100, bool withTester = false) {
        store->setChain(makeChain(records));
        backend.cases = store;
        model = std::make_unique<AuditModel>(backend);
        model->setPageSize(pageSize);
        if (withTester) {
            tester = std::make_unique<QAbstractItemModelTester>(model.get(),
                                                                QAbstractItemModelTester::FailureReportingMode::QtTest);
        }
    }

    bool settle() {
        return QTest::qWaitFor([this] { return !model->isLoading() && !model->isVerifying(); }, 30000);
    }

    QList<std::int64_t> broken() const {
        QList<std::int64_t> out;
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->verdictAt(row).isBroken()) {
                out.append(model->rowAt(row).sequence);
            }
        }
        return out;
    }

    int count(State state) const {
        int n = 0;
        for (int row = 0; row < model->rowCount(); ++row) {
            n += model->verdictAt(row).state == state ? 1 : 0;
        }
        return n;
    }
};

} // namespace

class AuditModelTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void intactLogUnderTheTester() {
        Fixture f(250, 100, true);
        f.model->load({});
        // The tester fetches more after every change: every page ends up loaded and verified.
        QVERIFY(QTest::qWaitFor([&f] { return f.model->rowCount() == 250 && f.settle(); }, 30000));
        QCOMPARE(f.count(State::Verified), 250);
        QCOMPARE(f.model->chainSummary(), QStringLiteral("Chain verified: all 250 records up to the head (#250)."));
        QCOMPARE(f.model->index(0, AuditModel::VerificationColumn).data().toString(), QStringLiteral("verified"));
        QCOMPARE(f.model->index(0, AuditModel::VerificationColumn).data(AuditModel::RawValueRole).toString(),
                 QStringLiteral("verified"));
        QCOMPARE(f.model->index(0, AuditModel::SequenceColumn).data(AuditModel::RawValueRole).toLongLong(), 250);
        QVERIFY(!f.model->index(0, AuditModel::ReasonColumn).data(Qt::ForegroundRole).isValid());
    }

    void verdictsArriveWithDataChangedForTheirRows() {
        Fixture f(150);
        QSignalSpy changed(f.model.get(), &QAbstractItemModel::dataChanged);
        f.model->load({});
        QVERIFY(f.settle());
        QCOMPARE(f.model->rowCount(), 100);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 0);
        QCOMPARE(changed.first().at(1).toModelIndex().row(), 99);
        const auto roles = changed.first().at(2).value<QList<int>>();
        QVERIFY(roles.contains(AuditModel::VerdictStateRole));
        QVERIFY(!roles.contains(Qt::EditRole));
    }

    void headNamingAnotherRecordBreaksTheNewestRow() {
        Fixture f(120, 50, true);
        f.store->head.hash = QString(64, QLatin1Char('0'));
        f.model->load({});
        QVERIFY(f.settle());
        QCOMPARE(f.broken(), QList<std::int64_t>{120});
        QCOMPARE(f.model->verdictAt(0).fault, Fault::NotNamed);
        QCOMPARE(f.model->verdictAt(0).namedBy, 0);
        QCOMPARE(f.count(State::Verified), f.model->rowCount() - 1);
        QVERIFY2(f.model->chainSummary().startsWith(
                     QStringLiteral("Record #120 is broken: it is not the newest record the chain head names")),
                 qPrintable(f.model->chainSummary()));
        QCOMPARE(f.model->index(0, AuditModel::UserColumn).data(Qt::ForegroundRole).value<QColor>().red(), 0xc6);
        QVERIFY(f.model->index(0, AuditModel::UserColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("chain head")));
    }

    void newestDroppedBehindTheHead() {
        Fixture f(60);
        f.store->records.removeLast(); // the head still names #60
        f.model->load({});
        QVERIFY(f.settle());
        QCOMPARE(f.broken(), QList<std::int64_t>{59});
        QCOMPARE(f.model->verdictAt(0).fault, Fault::Missing);
        QVERIFY(f.model->chainSummary().contains(QStringLiteral("the chain head names #60, which is missing")));
    }

    void headThatCannotBeReadLeavesTheRestVerified() {
        Fixture f(30);
        f.store->failHead = true;
        f.model->load({});
        QVERIFY(f.settle());
        QCOMPARE(f.model->verdictAt(0).state, State::HashOnly);
        QCOMPARE(f.count(State::Verified), 29);
        QVERIFY2(f.model->chainSummary().startsWith(QStringLiteral("The chain head could not be read (head "
                                                                   "unreachable)")),
                 qPrintable(f.model->chainSummary()));
    }

    void pagesWaitForALateHead() {
        Fixture f(250);
        f.store->headDelayMs = 3000;
        f.model->load({});
        QVERIFY(QTest::qWaitFor([&f] { return f.model->rowCount() == 100 && !f.model->isLoading(); }, 30000));
        f.model->fetchMore({});
        QVERIFY(QTest::qWaitFor([&f] { return f.model->rowCount() == 200 && !f.model->isLoading(); }, 30000));
        // Both pages are in; neither can be verified before the head arrives.
        QCOMPARE(f.count(State::Pending), 200);
        QVERIFY(f.model->isVerifying());
        QCOMPARE(f.model->chainSummary(), QStringLiteral("Verifying the hash chain… 0 of 200 records shown verified."));
        QVERIFY(f.settle());
        QCOMPARE(f.count(State::Verified), 200);
    }

    void deletionAcrossAPageBoundary() {
        Fixture f(200);
        f.store->records.removeAt(100); // #101: page one is #200..#102 and #100, page two starts below #100
        f.model->load({});
        QVERIFY(f.settle());
        QCOMPARE(f.broken(), QList<std::int64_t>{100});
        QCOMPARE(f.model->verdictAt(99).fault, Fault::Missing);
        QCOMPARE(f.model->verdictAt(99).expectedSequence, 101);
        f.model->fetchMore({});
        QVERIFY(f.settle());
        QCOMPARE(f.model->rowCount(), 199);
        QCOMPARE(f.broken(), QList<std::int64_t>{100});
        QVERIFY(!f.model->canFetchMore({}));
    }

    void reHashedEditBelowAPageBoundary() {
        Fixture f(200);
        AuditRecord& victim = f.store->records[99]; // #100, the first row of page two
        victim.reason = QStringLiteral("rewritten");
        victim.hash = hashRecord(victim);
        f.model->load({});
        QVERIFY(f.settle());
        QVERIFY(f.broken().isEmpty()); // #101 names it, but #100 has not been read yet
        QCOMPARE(f.count(State::Verified), 100);
        f.model->fetchMore({});
        QVERIFY(f.settle());
        QCOMPARE(f.broken(), QList<std::int64_t>{100});
        QCOMPARE(f.model->verdictAt(100).fault, Fault::NotNamed);
        QCOMPARE(f.model->verdictAt(100).namedBy, 101);
        QCOMPARE(f.count(State::Verified), 199);
    }

    void filteredLogChecksHashesOnly() {
        Fixture f(100, 100, true);
        f.store->records[47].reason = QStringLiteral("edited"); // #48, user u2
        services::AuditFilter filter;
        filter.uid = QStringLiteral("u2");
        f.model->load(filter);
        QVERIFY(f.settle());
        QCOMPARE(f.model->rowCount(), 20);
        QCOMPARE(f.broken(), QList<std::int64_t>{48});
        QCOMPARE(f.count(State::HashOnly), 19);
        QVERIFY2(f.model->chainSummary().endsWith(QStringLiteral("19 of 20 records shown match their hashes.")),
                 qPrintable(f.model->chainSummary()));
        f.store->records[47].reason = QStringLiteral("note 48");
        f.model->load(filter);
        QVERIFY(f.settle());
        QCOMPARE(f.model->chainSummary(), QStringLiteral("20 records shown match their hashes; their links in the "
                                                         "chain are verified in the unfiltered log."));
    }

    void failedPageKeepsTheRowsUntilARetry() {
        Fixture f(250);
        f.store->failPageCall = 1;
        QSignalSpy failed(f.model.get(), &AuditModel::loadFailed);
        f.model->load({});
        QVERIFY(f.settle());
        f.model->fetchMore({});
        QVERIFY(QTest::qWaitFor([&failed] { return !failed.isEmpty(); }, 30000));
        QCOMPARE(failed.first().first().toString(), QStringLiteral("connection reset"));
        QCOMPARE(f.model->rowCount(), 100);
        QVERIFY(f.model->hasLoadError());
        QVERIFY(!f.model->canFetchMore({})); // a view scrolling to the end does not hammer a failing store
        QCOMPARE(f.count(State::Verified), 100);
        f.model->retry();
        QVERIFY(f.settle());
        QCOMPARE(f.model->rowCount(), 200);
        QVERIFY(!f.model->hasLoadError());
        QCOMPARE(f.count(State::Verified), 200);
    }

    void reloadDropsTheAnswersOfTheLoadBefore() {
        Fixture f(120, 100, true);
        f.store->pageDelayMs = 50;
        f.model->load({});
        services::AuditFilter filter;
        filter.uid = QStringLiteral("u1");
        f.model->load(filter);
        QVERIFY(f.settle());
        QTest::qWait(150); // anything of the first load would have arrived by now
        QCOMPARE(f.model->rowCount(), 24);
        for (int row = 0; row < f.model->rowCount(); ++row) {
            QCOMPARE(f.model->rowAt(row).uid, QStringLiteral("u1"));
            QCOMPARE(f.model->verdictAt(row).state, State::HashOnly);
        }
    }

    void emptyLogAndAHeadWithoutRecords() {
        Fixture f(0);
        f.model->load({});
        QVERIFY(f.settle());
        QTRY_COMPARE(f.model->chainSummary(), QStringLiteral("The audit log is empty."));

        f.store->head = {5, QString(64, QLatin1Char('a'))};
        f.model->load({});
        QTRY_COMPARE(f.model->chainSummary(),
                     QStringLiteral("Chain broken: the chain head names record #5, but the audit log has no records."));
    }

    void withoutAStore() {
        Backend backend;
        AuditModel model(backend);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.chainSummary(), QStringLiteral("Chain not verified yet."));
        model.load({});
        QCOMPARE(model.chainSummary(), QStringLiteral("No case store is connected."));
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(AuditModelTest)
#include "AuditModelTest.moc"
