// verifyNewestFirst over a chain shown newest first in pages: one tampered record shows as that record alone, links
// across a page boundary are checked when the older page arrives, and the head authenticates the newest record.

#include "audit/PageVerification.h"
#include "audit/AuditChain.h"

#include <QTest>

#include <functional>

using namespace fairuse;

namespace {

using State = RecordVerdict::State;
using Fault = RecordVerdict::Fault;

AuditRecord draft(int n) {
    AuditRecord r;
    r.at = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value() + std::chrono::minutes{n};
    r.reviewer = QStringLiteral("ana@example.com");
    r.role = Role::SeniorReviewer;
    r.action = n % 2 == 0 ? AuditAction::Resolve : AuditAction::AddNote;
    r.uid = QStringLiteral("uid-%1").arg(n % 7);
    r.reason = QStringLiteral("reason %1").arg(n);
    r.clientVersion = QStringLiteral("0.1.0");
    return r;
}

/** A valid chain #1..#n, newest first. */
QList<AuditRecord> newestFirst(int n) {
    QList<AuditRecord> oldestFirst;
    for (int i = 0; i < n; ++i) {
        oldestFirst.append(chain(oldestFirst.isEmpty() ? nullptr : &oldestFirst.constLast(), draft(i)));
    }
    return {oldestFirst.crbegin(), oldestFirst.crend()};
}

/** Index of record #sequence in a newest-first list of n records. */
qsizetype indexOf(int n, std::int64_t sequence) {
    return n - sequence;
}

/** Verifies page by page, as the console does: the head for the first page, the previous page's last record after. */
QList<RecordVerdict> verifyInPages(const QList<AuditRecord>& records, const ChainLink& head, qsizetype pageSize) {
    QList<RecordVerdict> out;
    ChainLink above = head;
    for (qsizetype first = 0; first < records.size(); first += pageSize) {
        const QList<AuditRecord> page = records.mid(first, pageSize);
        out.append(verifyNewestFirst(page, above));
        above = linkBelow(page.constLast());
    }
    return out;
}

using Tamper = std::function<void(QList<AuditRecord>&, ChainLink&)>;

} // namespace

Q_DECLARE_METATYPE(Tamper)

class PageVerificationTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void intactChainVerifiesInEveryPaging() {
        const QList<AuditRecord> records = newestFirst(25);
        const ChainLink head = linkFromHead(25, records.first().hash);
        for (const qsizetype pageSize : {1, 3, 7, 25, 100}) {
            const QList<RecordVerdict> v = verifyInPages(records, head, pageSize);
            QCOMPARE(v.size(), records.size());
            for (const RecordVerdict& r : v) {
                QCOMPARE(r.state, State::Verified);
                QCOMPARE(r.fault, Fault::None);
            }
        }
    }

    void emptyChainAndEmptyPage() {
        QVERIFY(verifyNewestFirst({}, linkFromHead(0, {})).isEmpty());
        const ChainLink head = linkFromHead(0, QStringLiteral("ignored"));
        QCOMPARE(head.sequence, 0);
        QVERIFY(head.hash.isEmpty());
    }

    void tampering_data() {
        QTest::addColumn<Tamper>("tamper");
        QTest::addColumn<QList<qint64>>("brokenSequences");
        QTest::addColumn<Fault>("fault");

        // 20 records, #20..#1; pages of 6: #20-#15, #14-#9, #8-#3, #2-#1.
        QTest::newRow("field edited") << Tamper([](QList<AuditRecord>& r, ChainLink&) {
            r[indexOf(20, 11)].reason = QStringLiteral("nothing to see here");
        }) << QList<qint64>{11} << Fault::HashMismatch;
        QTest::newRow("field edited on a page boundary") << Tamper([](QList<AuditRecord>& r, ChainLink&) {
            r[indexOf(20, 14)].uid = QStringLiteral("someone-else");
        }) << QList<qint64>{14} << Fault::HashMismatch;
        QTest::newRow("edited and re-hashed") << Tamper([](QList<AuditRecord>& r, ChainLink&) {
            AuditRecord& x = r[indexOf(20, 11)];
            x.reason = QStringLiteral("rewritten");
            x.hash = hashRecord(x);
        }) << QList<qint64>{11} << Fault::NotNamed;
        // #14 is the first record of the second page: only #15's prev_hash, on the first page, can expose it.
        QTest::newRow("re-hashed below a page boundary") << Tamper([](QList<AuditRecord>& r, ChainLink&) {
            AuditRecord& x = r[indexOf(20, 14)];
            x.reviewer = QStringLiteral("mallory@example.com");
            x.hash = hashRecord(x);
        }) << QList<qint64>{14} << Fault::NotNamed;
        QTest::newRow("newest re-hashed, head kept") << Tamper([](QList<AuditRecord>& r, ChainLink&) {
            AuditRecord& x = r[0];
            x.reason = QStringLiteral("rewritten");
            x.hash = hashRecord(x);
        }) << QList<qint64>{20} << Fault::NotNamed;
        QTest::newRow("record deleted") << Tamper([](QList<AuditRecord>& r, ChainLink&) {
            r.removeAt(indexOf(20, 12));
        }) << QList<qint64>{11} << Fault::Missing;
        QTest::newRow("newest deleted, head kept") << Tamper([](QList<AuditRecord>& r, ChainLink&) { r.removeFirst(); })
                                                   << QList<qint64>{19} << Fault::Missing;
        QTest::newRow("appended without the head") << Tamper([](QList<AuditRecord>& r, ChainLink&) {
            AuditRecord extra = chain(&r.first(), draft(99));
            r.prepend(extra);
        }) << QList<qint64>{21} << Fault::Unexpected;
        QTest::newRow("head names another hash")
            << Tamper([](QList<AuditRecord>&, ChainLink& head) { head.hash = QString(64, QLatin1Char('0')); })
            << QList<qint64>{20} << Fault::NotNamed;
        QTest::newRow("duplicate sequence")
            << Tamper([](QList<AuditRecord>& r, ChainLink&) { r.insert(indexOf(20, 8), r.at(indexOf(20, 9))); })
            << QList<qint64>{9} << Fault::Unexpected;
        QTest::newRow("placeholder reviewer") << Tamper([](QList<AuditRecord>& r, ChainLink&) {
            AuditRecord& x = r[indexOf(20, 5)];
            x.reviewer = QStringLiteral("admin");
            x.hash = hashRecord(x);
        }) << QList<qint64>{5} << Fault::Invalid;
        QTest::newRow("first record linked") << Tamper([](QList<AuditRecord>& r, ChainLink& head) {
            AuditRecord& first = r.last();
            first.prevHash = QString(64, QLatin1Char('a'));
            first.hash = hashRecord(first);
            r[indexOf(20, 2)].prevHash = first.hash;
            r[indexOf(20, 2)].hash = hashRecord(r[indexOf(20, 2)]);
            // Re-link everything above, as a forger with write access to the whole chain would.
            for (qsizetype i = indexOf(20, 3); i >= 0; --i) {
                r[i].prevHash = r[i + 1].hash;
                r[i].hash = hashRecord(r[i]);
            }
            head.hash = r.first().hash;
        }) << QList<qint64>{1} << Fault::FirstLinked;
    }

    void tampering() {
        QFETCH(Tamper, tamper);
        QFETCH(QList<qint64>, brokenSequences);
        QFETCH(Fault, fault);
        QList<AuditRecord> records = newestFirst(20);
        ChainLink head = linkFromHead(20, records.first().hash);
        tamper(records, head);
        for (const qsizetype pageSize : {6, 1, 100}) {
            const QList<RecordVerdict> v = verifyInPages(records, head, pageSize);
            QCOMPARE(v.size(), records.size());
            QList<qint64> broken;
            for (qsizetype i = 0; i < v.size(); ++i) {
                if (v.at(i).isBroken()) {
                    broken.append(records.at(i).sequence);
                    QCOMPARE(v.at(i).fault, fault);
                } else {
                    QCOMPARE(v.at(i).state, State::Verified);
                }
            }
            QCOMPARE(broken, brokenSequences);
        }
    }

    void brokenRecordSaysWhatWasExpected() {
        QList<AuditRecord> records = newestFirst(10);
        // #6 and #5 deleted: #4 follows #7.
        records.removeAt(indexOf(10, 6));
        records.removeAt(indexOf(10, 6));
        const QList<RecordVerdict> v = verifyNewestFirst(records, linkFromHead(10, records.first().hash));
        const RecordVerdict& at4 = v.at(indexOf(10, 7) + 1);
        QCOMPARE(at4.fault, Fault::Missing);
        QCOMPARE(at4.expectedSequence, 6);
        QCOMPARE(at4.namedBy, 7);

        records = newestFirst(3);
        const QList<RecordVerdict> head = verifyNewestFirst(records, linkFromHead(5, QStringLiteral("x")));
        QCOMPARE(head.first().fault, Fault::Missing);
        QCOMPARE(head.first().namedBy, 0);
        QCOMPARE(head.first().expectedSequence, 5);
    }

    void recordsOnlyChecksContent() {
        QList<AuditRecord> records = newestFirst(5);
        records.removeAt(2); // a gap does not matter here
        records[0].reason = QStringLiteral("edited");
        const QList<RecordVerdict> v = verifyRecordsOnly(records);
        QCOMPARE(v.size(), 4);
        QCOMPARE(v.at(0).fault, Fault::HashMismatch);
        for (qsizetype i = 1; i < v.size(); ++i) {
            QCOMPARE(v.at(i).state, State::HashOnly);
        }
    }
};

QTEST_GUILESS_MAIN(PageVerificationTest)
#include "PageVerificationTest.moc"
