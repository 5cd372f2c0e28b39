// CaseStore::listAuditPage and readAuditHead, one body run against the embedded store and against Firestore on the
// emulator: newest first, full pages with an opaque cursor until the last one, filters applied in the query, no
// read of the whole collection (Firestore counts the documents it read), and one record edited behind the store's
// back shows as that record alone when the pages are verified from the head.
#include "AuditLogSubjects.h"

#include "audit/PageVerification.h"

#include <QTest>

#include <algorithm>
#include <numeric>

using namespace fairuse;
using namespace fairuse::services;
using fairuse::testing::AuditSubject;
using fairuse::testing::wait;

namespace {

constexpr int kRecords = 2500;
constexpr int kPage = 100;

/** Every page of `filter`, in order; fails the test (empty list) on an error or a runaway cursor. */
Result<QList<AuditPage>> allPages(CaseStore& store, const AuditFilter& filter, int limit) {
    QList<AuditPage> pages;
    QString cursor;
    do {
        auto page = wait(store.listAuditPage(filter, cursor, limit));
        if (!page) {
            return page.error();
        }
        pages.append(page.value());
        if (pages.size() > 10'000) {
            return Error::internal(QStringLiteral("the cursor never ends"));
        }
        cursor = page->nextCursor;
    } while (!cursor.isEmpty());
    return pages;
}

QList<AuditRecord> concat(const QList<AuditPage>& pages) {
    QList<AuditRecord> out;
    for (const AuditPage& p : pages) {
        out.append(p.records);
    }
    return out;
}

QList<std::int64_t> sequences(const QList<AuditRecord>& records) {
    QList<std::int64_t> out;
    for (const AuditRecord& r : records) {
        out.append(r.sequence);
    }
    return out;
}

/** The chain's records matching `keep`, newest first. */
QList<std::int64_t> expectedNewestFirst(const QList<AuditRecord>& chain,
                                        const std::function<bool(const AuditRecord&)>& keep) {
    QList<std::int64_t> out;
    for (auto it = chain.crbegin(); it != chain.crend(); ++it) {
        if (keep(*it)) {
            out.append(it->sequence);
        }
    }
    return out;
}

} // namespace

Q_DECLARE_METATYPE(fairuse::services::AuditFilter)

class AuditPagingTest : public QObject {
    Q_OBJECT
private:
    QString m_host;
    QList<AuditRecord> m_chain;
    /** Seeded once with m_chain: "embedded" and, when the emulator runs, "firestore". */
    QMap<QString, AuditSubject> m_seeded;

    void addStores() {
        QTest::addColumn<QString>("store");
        QTest::newRow("embedded") << QStringLiteral("embedded");
        QTest::newRow("firestore") << QStringLiteral("firestore");
    }

    /** A new, empty subject for tests that change the data. */
    AuditSubject freshSubject(const QString& store, const char* name) {
        if (store == QLatin1String("embedded")) {
            return testing::embeddedSubject();
        }
        return testing::firestoreSubject(m_host, QString::fromLatin1(name));
    }

private Q_SLOTS:
    void initTestCase() {
        m_host = testing::emulatorHost();
        m_chain = testing::makeAuditChain(kRecords);
        AuditSubject embedded = testing::embeddedSubject();
        QVERIFY(embedded.store);
        VERIFY_OK(embedded.seed(m_chain));
        m_seeded.insert(embedded.name, embedded);
        if (!m_host.isEmpty()) {
            AuditSubject firestore = testing::firestoreSubject(m_host, QStringLiteral("auditpaging"));
            VERIFY_OK(firestore.seed(m_chain));
            m_seeded.insert(firestore.name, firestore);
        }
    }

    void init() {
        // Rows of a data-driven test name their store; without the emulator the Firestore rows fail or skip
        // (REQUIRE_BACKEND).
        if (QTest::currentDataTag() != nullptr &&
            QLatin1String(QTest::currentDataTag()).startsWith(QLatin1String("firestore"))) {
            REQUIRE_FIRESTORE_EMULATOR(m_host);
        }
    }

    void headIsTheNewestRecord_data() { addStores(); }
    void headIsTheNewestRecord() {
        QFETCH(QString, store);
        const auto head = wait(m_seeded[store].store->readAuditHead());
        VERIFY_OK(head);
        QCOMPARE(head->sequence, std::int64_t{kRecords});
        QCOMPARE(head->hash, m_chain.constLast().hash);
    }

    void pagesNewestFirstWithoutReadingTheCollection_data() { addStores(); }
    void pagesNewestFirstWithoutReadingTheCollection() {
        QFETCH(QString, store);
        AuditSubject& s = m_seeded[store];
        const qint64 readBefore = s.documentsRead();
        auto first = wait(s.store->listAuditPage(AuditFilter{}, QString(), kPage));
        VERIFY_OK(first);
        QCOMPARE(first->records.size(), kPage);
        QCOMPARE(first->records.first().sequence, std::int64_t{kRecords});
        QVERIFY(!first->nextCursor.isEmpty());
        if (readBefore >= 0) {
            // The page and one document that tells whether an older one exists; never the collection.
            QCOMPARE(s.documentsRead() - readBefore, qint64(kPage + 1));
        }

        const qint64 allBefore = s.documentsRead();
        auto pages = allPages(*s.store, AuditFilter{}, kPage);
        VERIFY_OK(pages);
        QCOMPARE(pages->size(), kRecords / kPage);
        for (qsizetype i = 0; i < pages->size(); ++i) {
            QCOMPARE(pages->at(i).records.size(), kPage);
            QCOMPARE(pages->at(i).nextCursor.isEmpty(), i == pages->size() - 1);
        }
        QList<std::int64_t> expected(kRecords);
        std::iota(expected.rbegin(), expected.rend(), std::int64_t{1});
        QCOMPARE(sequences(concat(*pages)), expected);
        if (allBefore >= 0) {
            QCOMPARE(s.documentsRead() - allBefore, qint64(kRecords + kRecords / kPage - 1));
        }

        // Verified from the head, page by page, the way the console does it: every record verifies.
        const auto head = wait(s.store->readAuditHead());
        VERIFY_OK(head);
        ChainLink above = linkFromHead(head->sequence, head->hash);
        for (const AuditPage& p : *pages) {
            for (const RecordVerdict& v : verifyNewestFirst(p.records, above)) {
                QCOMPARE(int(v.state), int(RecordVerdict::State::Verified));
            }
            above = linkBelow(p.records.constLast());
        }
    }

    void filtersInTheQuery_data() {
        QTest::addColumn<QString>("store");
        QTest::addColumn<AuditFilter>("filter");
        QTest::addColumn<int>("limit");
        const std::function<void(const char*, AuditFilter, int)> row = [](const char* name, AuditFilter f, int limit) {
            QTest::addRow("embedded %s", name) << QStringLiteral("embedded") << f << limit;
            QTest::addRow("firestore %s", name) << QStringLiteral("firestore") << f << limit;
        };
        AuditFilter byUser;
        byUser.uid = QStringLiteral("u3");
        row("uid", byUser, 50);
        AuditFilter byReviewer;
        byReviewer.reviewer = QStringLiteral("bo@example.com");
        row("reviewer", byReviewer, 100);
        AuditFilter byAction;
        byAction.action = AuditAction::OverrideStage;
        row("action", byAction, 100);
        AuditFilter userAndAction;
        userAndAction.uid = QStringLiteral("u5");
        userAndAction.action = AuditAction::Resolve;
        row("uid and action", userAndAction, 7);
        AuditFilter range;
        range.from = testing::at("2026-03-01T10:00:00Z");
        range.to = testing::at("2026-03-01T12:00:00Z");
        row("time range", range, 25);
        AuditFilter nothing;
        nothing.uid = QStringLiteral("nobody");
        row("no match", nothing, 10);
    }
    void filtersInTheQuery() {
        QFETCH(QString, store);
        QFETCH(AuditFilter, filter);
        QFETCH(int, limit);
        AuditSubject& s = m_seeded[store];
        const auto keep = [&filter](const AuditRecord& r) {
            return (filter.uid.isEmpty() || r.uid == filter.uid) &&
                   (filter.reviewer.isEmpty() || r.reviewer == filter.reviewer) &&
                   (!filter.action || r.action == *filter.action) && (!filter.from || r.at >= *filter.from) &&
                   (!filter.to || r.at < *filter.to);
        };
        const QList<std::int64_t> expected = expectedNewestFirst(m_chain, keep);
        auto pages = allPages(*s.store, filter, limit);
        VERIFY_OK(pages);
        QCOMPARE(sequences(concat(*pages)), expected);
        const bool timeRange = filter.from || filter.to;
        for (qsizetype i = 0; i + 1 < pages->size(); ++i) {
            // A time range is applied while paging in Firestore, so its pages may come back short.
            if (!timeRange) {
                QCOMPARE(pages->at(i).records.size(), limit);
            }
            QVERIFY(pages->at(i).records.size() <= limit);
        }
        QVERIFY(pages->constLast().nextCursor.isEmpty());
        for (const AuditRecord& r : concat(*pages)) {
            QCOMPARE(r.hash, m_chain.at(r.sequence - 1).hash);
        }
    }

    void cursorsAndLimits_data() { addStores(); }
    void cursorsAndLimits() {
        QFETCH(QString, store);
        CaseStore& cases = *m_seeded[store].store;
        auto bad = wait(cases.listAuditPage(AuditFilter{}, QStringLiteral("not-a-cursor"), 10));
        QVERIFY(!bad);
        QCOMPARE(int(bad.error().kind), int(ErrorKind::Invalid));
        auto one = wait(cases.listAuditPage(AuditFilter{}, QString(), 0));
        VERIFY_OK(one);
        QCOMPARE(one->records.size(), 1);
        auto most = wait(cases.listAuditPage(AuditFilter{}, QString(), 5000));
        VERIFY_OK(most);
        QCOMPARE(most->records.size(), 1000);
        // A cursor continues right after the record it was made at, whatever the next limit.
        auto next = wait(cases.listAuditPage(AuditFilter{}, one->nextCursor, 3));
        VERIFY_OK(next);
        QCOMPARE(sequences(next->records), (QList<std::int64_t>{kRecords - 1, kRecords - 2, kRecords - 3}));
    }

    void emptyLog_data() { addStores(); }
    void emptyLog() {
        QFETCH(QString, store);
        AuditSubject s = freshSubject(store, "auditempty");
        QVERIFY(s.store);
        const auto head = wait(s.store->readAuditHead());
        VERIFY_OK(head);
        QCOMPARE(head->sequence, std::int64_t{0});
        QVERIFY(head->hash.isEmpty());
        const auto page = wait(s.store->listAuditPage(AuditFilter{}, QString(), kPage));
        VERIFY_OK(page);
        QVERIFY(page->records.isEmpty());
        QVERIFY(page->nextCursor.isEmpty());
    }

    void editedRecordIsTheOnlyBrokenOne_data() {
        QTest::addColumn<QString>("store");
        QTest::addColumn<bool>("rehash");
        QTest::addColumn<int>("fault");
        for (const char* store : {"embedded", "firestore"}) {
            QTest::addRow("%s field edited", store)
                << QString::fromLatin1(store) << false << int(RecordVerdict::Fault::HashMismatch);
            QTest::addRow("%s edited and re-hashed", store)
                << QString::fromLatin1(store) << true << int(RecordVerdict::Fault::NotNamed);
        }
    }
    void editedRecordIsTheOnlyBrokenOne() {
        QFETCH(QString, store);
        QFETCH(bool, rehash);
        QFETCH(int, fault);
        AuditSubject s = freshSubject(store, "audittamper");
        QVERIFY(s.store);
        VERIFY_OK(s.seed(testing::makeAuditChain(300)));
        // #200 is the first record of the second page: only #201, on the first page, names its hash.
        for (const std::int64_t victim : {std::int64_t{137}, std::int64_t{200}}) {
            VERIFY_OK(s.tamper(victim, QStringLiteral("nothing to see here"), rehash));
        }
        const auto head = wait(s.store->readAuditHead());
        VERIFY_OK(head);
        auto pages = allPages(*s.store, AuditFilter{}, kPage);
        VERIFY_OK(pages);
        QCOMPARE(pages->size(), 3);
        ChainLink above = linkFromHead(head->sequence, head->hash);
        QList<std::int64_t> broken;
        int verified = 0;
        for (const AuditPage& p : *pages) {
            const QList<RecordVerdict> verdicts = verifyNewestFirst(p.records, above);
            for (qsizetype i = 0; i < verdicts.size(); ++i) {
                if (verdicts.at(i).isBroken()) {
                    broken.append(p.records.at(i).sequence);
                    QCOMPARE(int(verdicts.at(i).fault), fault);
                } else {
                    QCOMPARE(int(verdicts.at(i).state), int(RecordVerdict::State::Verified));
                    ++verified;
                }
            }
            above = linkBelow(p.records.constLast());
        }
        QCOMPARE(broken, (QList<std::int64_t>{200, 137}));
        QCOMPARE(verified, 298);
    }
};

QTEST_GUILESS_MAIN(AuditPagingTest)
#include "AuditPagingTest.moc"
