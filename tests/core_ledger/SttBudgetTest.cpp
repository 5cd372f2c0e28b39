#include "ledger/SttBudget.h"
#include "TestTime.h"

#include "LedgerTestSupport.h"

#include <QTest>

#include <limits>

using namespace fairuse;

namespace {
using fairuse::testing::at;
constexpr qint64 kLimit = kDefaultSttDailyBudgetMs;
constexpr qint64 kMax = std::numeric_limits<qint64>::max();
} // namespace

class SttBudgetTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultIsThirtyMinutes() { QCOMPARE(SttBudget().dailyLimitMs(), std::int64_t{30 * 60 * 1000}); }

    void status_data() {
        QTest::addColumn<qint64>("limitMs");
        QTest::addColumn<qint64>("usedMs");
        QTest::addColumn<QString>("now");
        QTest::addColumn<qint64>("expectedUsedMs");
        QTest::addColumn<qint64>("expectedRemainingMs");
        QTest::addColumn<bool>("expectedExhausted");
        QTest::addColumn<QString>("expectedResetsAt");

        const QString noon = QStringLiteral("2026-03-20T12:00:00Z");
        const QString nextMidnight = QStringLiteral("2026-03-21T00:00:00Z");
        QTest::newRow("fresh day") << kLimit << qint64{0} << noon << qint64{0} << kLimit << false << nextMidnight;
        QTest::newRow("one ms left") << kLimit << kLimit - 1 << noon << kLimit - 1 << qint64{1} << false
                                     << nextMidnight;
        QTest::newRow("exactly spent") << kLimit << kLimit << noon << kLimit << qint64{0} << true << nextMidnight;
        QTest::newRow("overspent") << kLimit << kLimit + 5000 << noon << kLimit + 5000 << qint64{0} << true
                                   << nextMidnight;
        QTest::newRow("junk negative counter")
            << kLimit << qint64{-42} << noon << qint64{0} << kLimit << false << nextMidnight;
        QTest::newRow("zero budget") << qint64{0} << qint64{0} << noon << qint64{0} << qint64{0} << true
                                     << nextMidnight;
        QTest::newRow("negative budget is zero")
            << qint64{-1} << qint64{0} << noon << qint64{0} << qint64{0} << true << nextMidnight;
        QTest::newRow("custom 10 s budget")
            << qint64{10'000} << qint64{2'500} << noon << qint64{2'500} << qint64{7'500} << false << nextMidnight;
        QTest::newRow("last ms of the day") << kLimit << qint64{0} << QStringLiteral("2026-03-20T23:59:59.999Z")
                                            << qint64{0} << kLimit << false << nextMidnight;
        QTest::newRow("exactly midnight resets next midnight")
            << kLimit << qint64{0} << QStringLiteral("2026-03-21T00:00:00.000Z") << qint64{0} << kLimit << false
            << QStringLiteral("2026-03-22T00:00:00Z");
        QTest::newRow("local offset is converted to UTC")
            << kLimit << qint64{0} << QStringLiteral("2026-03-21T01:30:00+02:00") << qint64{0} << kLimit << false
            << nextMidnight;
        QTest::newRow("year end") << kLimit << qint64{0} << QStringLiteral("2026-12-31T23:59:59.999Z") << qint64{0}
                                  << kLimit << false << QStringLiteral("2027-01-01T00:00:00Z");
        QTest::newRow("leap day") << kLimit << qint64{0} << QStringLiteral("2028-02-28T12:00:00Z") << qint64{0}
                                  << kLimit << false << QStringLiteral("2028-02-29T00:00:00Z");
    }

    void status() {
        QFETCH(qint64, limitMs);
        QFETCH(qint64, usedMs);
        QFETCH(QString, now);
        QFETCH(qint64, expectedUsedMs);
        QFETCH(qint64, expectedRemainingMs);
        QFETCH(bool, expectedExhausted);
        QFETCH(QString, expectedResetsAt);

        const SttBudgetStatus s = SttBudget(limitMs).status(usedMs, parseRfc3339(now).value());
        QCOMPARE(s.limitMs, std::max<qint64>(0, limitMs));
        QCOMPARE(s.usedMs, expectedUsedMs);
        QCOMPARE(s.remainingMs, expectedRemainingMs);
        QCOMPARE(s.exhausted, expectedExhausted);
        QCOMPARE(formatRfc3339(s.resetsAt), formatRfc3339(parseRfc3339(expectedResetsAt).value()));
    }

    void dayKeyAtMidnightEdge_data() {
        QTest::addColumn<QString>("now");
        QTest::addColumn<QString>("expectedKey");
        QTest::newRow("last ms of the day") << QStringLiteral("2026-03-20T23:59:59.999Z") << QStringLiteral("20260320");
        QTest::newRow("midnight") << QStringLiteral("2026-03-21T00:00:00.000Z") << QStringLiteral("20260321");
        QTest::newRow("offset before UTC midnight")
            << QStringLiteral("2026-03-21T00:30:00+01:00") << QStringLiteral("20260320");
        QTest::newRow("new year") << QStringLiteral("2027-01-01T00:00:00Z") << QStringLiteral("20270101");
    }

    void dayKeyAtMidnightEdge() {
        QFETCH(QString, now);
        QFETCH(QString, expectedKey);
        QCOMPARE(SttBudget::budgetDayKey(parseRfc3339(now).value()), expectedKey);
    }

    void resetIsExactlyAtMidnight() {
        // The budget of a day is spent at 23:59:59.999; the first ms of the next day reads a new (empty) counter
        // and the status then points at the following midnight.
        const SttBudget budget;
        const TimePoint lastMs = at("2026-03-20T23:59:59.999Z");
        const SttBudgetStatus before = budget.status(kLimit, lastMs);
        QVERIFY(before.exhausted);
        QCOMPARE(before.resetsAt - lastMs, Milliseconds{1});
        const TimePoint midnight = before.resetsAt;
        QVERIFY(SttBudget::budgetDayKey(midnight) != SttBudget::budgetDayKey(lastMs));
        const SttBudgetStatus after = budget.status(0, midnight);
        QVERIFY(!after.exhausted);
        QCOMPARE(after.resetsAt - midnight, Milliseconds{std::chrono::hours{24}});
    }

    void allowForward_data() {
        QTest::addColumn<qint64>("limitMs");
        QTest::addColumn<qint64>("usedMs");
        QTest::addColumn<qint64>("chunkMs");
        QTest::addColumn<bool>("expected");

        QTest::newRow("fresh") << kLimit << qint64{0} << qint64{100} << true;
        QTest::newRow("chunk exactly fills the budget") << kLimit << kLimit - 100 << qint64{100} << true;
        QTest::newRow("chunk would overshoot by 1 ms") << kLimit << kLimit - 100 << qint64{101} << false;
        QTest::newRow("whole budget in one chunk") << kLimit << qint64{0} << kLimit << true;
        QTest::newRow("one ms more than the budget") << kLimit << qint64{0} << kLimit + 1 << false;
        QTest::newRow("empty chunk with budget left") << kLimit << kLimit - 1 << qint64{0} << true;
        QTest::newRow("empty chunk when exhausted") << kLimit << kLimit << qint64{0} << false;
        QTest::newRow("exhausted") << kLimit << kLimit << qint64{1} << false;
        QTest::newRow("overspent") << kLimit << kLimit + 10 << qint64{1} << false;
        QTest::newRow("negative chunk rejected") << kLimit << qint64{0} << qint64{-1} << false;
        QTest::newRow("negative chunk cannot refund") << kLimit << kLimit << qint64{-1000} << false;
        QTest::newRow("junk negative counter reads as 0") << kLimit << qint64{-500} << qint64{100} << true;
        QTest::newRow("huge chunk") << kLimit << qint64{0} << kMax << false;
        QTest::newRow("huge counter") << kLimit << kMax << qint64{1} << false;
        QTest::newRow("zero budget") << qint64{0} << qint64{0} << qint64{1} << false;
    }

    void allowForward() {
        QFETCH(qint64, limitMs);
        QFETCH(qint64, usedMs);
        QFETCH(qint64, chunkMs);
        QFETCH(bool, expected);
        QCOMPARE(SttBudget(limitMs).allowForward(usedMs, chunkMs), expected);
    }

    void addUsage_data() {
        QTest::addColumn<qint64>("usedMs");
        QTest::addColumn<qint64>("chunkMs");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("adds") << qint64{1000} << qint64{250} << qint64{1250};
        QTest::newRow("zero chunk") << qint64{1000} << qint64{0} << qint64{1000};
        QTest::newRow("negative chunk ignored") << qint64{1000} << qint64{-250} << qint64{1000};
        QTest::newRow("junk counter reads as 0") << qint64{-7} << qint64{5} << qint64{5};
        QTest::newRow("saturates") << kMax - 1 << qint64{10} << kMax;
    }

    void addUsage() {
        QFETCH(qint64, usedMs);
        QFETCH(qint64, chunkMs);
        QFETCH(qint64, expected);
        QCOMPARE(SttBudget::addUsage(usedMs, chunkMs), expected);
    }

    void forwardingLoopStopsAtTheLimit() {
        // Feed 100 ms chunks the way the STT send path does: exactly limit/100 chunks get through, then none.
        const SttBudget budget;
        std::int64_t used = 0;
        int forwarded = 0;
        for (int i = 0; i < 20'000; ++i) {
            if (budget.allowForward(used, 100)) {
                used = SttBudget::addUsage(used, 100);
                ++forwarded;
            }
        }
        QCOMPARE(forwarded, int(kLimit / 100));
        QCOMPARE(used, kLimit);
        QVERIFY(budget.status(used, at("2026-03-20T12:00:00Z")).exhausted);
    }
};

QTEST_GUILESS_MAIN(SttBudgetTest)
#include "SttBudgetTest.moc"
