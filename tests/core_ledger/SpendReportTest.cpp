#include "ledger/SpendReport.h"
#include "TestTime.h"

#include "LedgerTestSupport.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::spendreport;

namespace {

using fairuse::testing::at;

LlmSpendRecord rec(const char* uid, const char* when, std::int64_t cost, bool customStt, Plan plan,
                   std::int64_t prompt = 0, std::int64_t completion = 0) {
    LlmSpendRecord r;
    r.uid = QString::fromLatin1(uid);
    r.at = at(when);
    r.model = QStringLiteral("gpt-4.1-mini");
    r.costMicroUsd = cost;
    r.customStt = customStt;
    r.plan = plan;
    r.promptTokens = prompt;
    r.completionTokens = completion;
    return r;
}

QList<LlmSpendRecord> sample() {
    return {
        rec("alice", "2026-03-18T10:00:00Z", 500, true, Plan::Basic, 100, 10),
        rec("alice", "2026-03-19T10:00:00Z", 700, true, Plan::Basic, 200, 20),
        rec("bob", "2026-03-19T23:59:59.999Z", 300, true, Plan::Basic, 50, 5),
        rec("carol", "2026-03-20T00:00:00Z", 1000, false, Plan::Basic, 400, 40),
        rec("dave", "2026-03-20T08:00:00Z", 1000, true, Plan::Unlimited, 1, 1),
        rec("erin", "2026-03-20T09:00:00Z", 50, false, Plan::Basic, 10, 1),
    };
}

} // namespace

class SpendReportTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cohorts() {
        const QList<CohortSpend> c = totalsByCohort(sample());
        QCOMPARE(c.size(), 3);
        // custom STT first, then plans in order.
        QCOMPARE(c[0], (CohortSpend{{3, 350, 35, 1500}, true, Plan::Basic, 2}));
        QCOMPARE(c[1], (CohortSpend{{1, 1, 1, 1000}, true, Plan::Unlimited, 1}));
        QCOMPARE(c[2], (CohortSpend{{2, 410, 41, 1050}, false, Plan::Basic, 2}));
        QVERIFY(totalsByCohort({}).isEmpty());
    }

    void userInTwoCohortsCountsInBoth() {
        const QList<CohortSpend> c = totalsByCohort({rec("alice", "2026-03-18T10:00:00Z", 5, true, Plan::Unlimited),
                                                     rec("alice", "2026-03-19T10:00:00Z", 7, true, Plan::Basic)});
        QCOMPARE(c.size(), 2);
        QCOMPARE(c[0].users, 1);
        QCOMPARE(c[1].users, 1);
    }

    void topSpenders_data() {
        QTest::addColumn<int>("limit");
        QTest::addColumn<QStringList>("expectedUids");
        QTest::newRow("top 1") << 1 << QStringList{QStringLiteral("alice")};
        // carol and dave tie at 1000: ordered by uid.
        QTest::newRow("top 3 with a tie")
            << 3 << QStringList{QStringLiteral("alice"), QStringLiteral("carol"), QStringLiteral("dave")};
        QTest::newRow("more than there are")
            << 50
            << QStringList{QStringLiteral("alice"), QStringLiteral("carol"), QStringLiteral("dave"),
                           QStringLiteral("bob"), QStringLiteral("erin")};
        QTest::newRow("zero") << 0 << QStringList{};
        QTest::newRow("negative") << -3 << QStringList{};
    }

    void topSpenders() {
        QFETCH(int, limit);
        QFETCH(QStringList, expectedUids);
        QStringList uids;
        for (const SpenderTotal& s : spendreport::topSpenders(sample(), limit)) {
            uids.append(s.uid);
        }
        QCOMPARE(uids, expectedUids);
    }

    void topSpenderTotalsAndLatestPlan() {
        QList<LlmSpendRecord> records = sample();
        records.append(
            rec("alice", "2026-03-17T10:00:00Z", 1, false, Plan::Unlimited, 1, 1)); // older: not her plan now
        const SpenderTotal alice = spendreport::topSpenders(records, 1).constFirst();
        QCOMPARE(alice.uid, QStringLiteral("alice"));
        QCOMPARE(alice.calls, 3);
        QCOMPARE(alice.costMicroUsd, std::int64_t{1201});
        QCOMPARE(alice.promptTokens, std::int64_t{301});
        QCOMPARE(alice.completionTokens, std::int64_t{31});
        QVERIFY(alice.customStt);
        QCOMPARE(toString(alice.plan), toString(Plan::Basic));
    }

    void dailyTrend() {
        const QList<DailySpend> t =
            spendreport::dailyTrend(sample(), at("2026-03-17T12:00:00Z"), at("2026-03-21T00:00:00Z"));
        QCOMPARE(t.size(), 5); // 17, 18, 19, 20, 21
        QCOMPARE(t[0].dayKey, QStringLiteral("20260317"));
        QCOMPARE(t[0].dayStart, at("2026-03-17T00:00:00Z"));
        QCOMPARE(t[0].calls, 0);
        QCOMPARE(t[1].costMicroUsd, std::int64_t{500});
        // The last ms of the 19th belongs to the 19th; midnight belongs to the 20th.
        QCOMPARE(t[2].calls, 2);
        QCOMPARE(t[2].costMicroUsd, std::int64_t{1000});
        QCOMPARE(t[2].customSttCostMicroUsd, std::int64_t{1000});
        QCOMPARE(t[3].calls, 3);
        QCOMPARE(t[3].costMicroUsd, std::int64_t{2050});
        QCOMPARE(t[3].customSttCostMicroUsd, std::int64_t{1000});
        QCOMPARE(t[3].platformSttCostMicroUsd, std::int64_t{1050});
        QCOMPARE(t[4].dayKey, QStringLiteral("20260321"));
        QCOMPARE(t[4].calls, 0);
    }

    void dailyTrendRange_data() {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<int>("expectedDays");
        QTest::addColumn<qint64>("expectedTotal");
        QTest::newRow("one day") << QStringLiteral("2026-03-19T00:00:00Z") << QStringLiteral("2026-03-19T23:00:00Z")
                                 << 1 << qint64{1000};
        QTest::newRow("records outside are ignored")
            << QStringLiteral("2026-03-19T12:00:00Z") << QStringLiteral("2026-03-20T00:00:00Z") << 2 << qint64{3050};
        QTest::newRow("reversed range") << QStringLiteral("2026-03-20T00:00:00Z")
                                        << QStringLiteral("2026-03-19T00:00:00Z") << 0 << qint64{0};
        QTest::newRow("absurd range") << QStringLiteral("2000-01-01T00:00:00Z")
                                      << QStringLiteral("2030-01-01T00:00:00Z") << 0 << qint64{0};
    }

    void dailyTrendRange() {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(int, expectedDays);
        QFETCH(qint64, expectedTotal);
        const QList<DailySpend> t =
            spendreport::dailyTrend(sample(), parseRfc3339(from).value(), parseRfc3339(to).value());
        QCOMPARE(t.size(), expectedDays);
        std::int64_t total = 0;
        for (const DailySpend& d : t) {
            total += d.costMicroUsd;
            QCOMPARE(d.customSttCostMicroUsd + d.platformSttCostMicroUsd, d.costMicroUsd);
        }
        QCOMPARE(total, expectedTotal);
    }
};

QTEST_GUILESS_MAIN(SpendReportTest)
#include "SpendReportTest.moc"
