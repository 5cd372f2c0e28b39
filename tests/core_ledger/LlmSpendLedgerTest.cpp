#include "ledger/LlmSpendLedger.h"
#include "TestTime.h"

#include "LedgerTestSupport.h"

#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace fairuse;

namespace {

using fairuse::testing::at;

const QString kModel = QStringLiteral("unit");
const QString kUser = QStringLiteral("user-1");

/** One prompt token costs 1 micro-USD, one completion token 2: costs in these tests are easy to check by hand. */
PriceTable unitPrices() {
    PriceTable t;
    (void)t.setPrice({kModel, 1'000'000, 2'000'000});
    return t;
}

LedgerPolicy smallCaps() {
    LedgerPolicy p;
    p.basic = {1000, 5000};
    p.unlimited = {10'000, 50'000};
    return p;
}

LlmSpendRecord spent(const QString& uid, TimePoint when, std::int64_t costMicroUsd) {
    LlmSpendRecord r;
    r.uid = uid;
    r.at = when;
    r.model = kModel;
    r.costMicroUsd = costMicroUsd;
    return r;
}

} // namespace

class LlmSpendLedgerTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reserveSettleRelease() {
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, true);
        const TimePoint now = at("2026-03-20T12:00:00Z");

        const Result<Reservation> r = ledger.reserve(kUser, kModel, 100, 50, now, QStringLiteral("structuring"));
        QVERIFY(r.ok());
        QVERIFY(r->id != 0);
        QCOMPARE(r->estimatedCostMicroUsd, std::int64_t{200});
        SpendStatus s = ledger.status(kUser, now);
        QCOMPARE(s.reservedMicroUsd, std::int64_t{200});
        QCOMPARE(s.dailyRemainingMicroUsd, std::int64_t{800});
        QCOMPARE(s.monthlyRemainingMicroUsd, std::int64_t{4800});
        QCOMPARE(s.outstandingReservations, 1);

        const TimePoint later = now + std::chrono::seconds{3};
        const Result<LlmSpendRecord> rec = ledger.settle(*r, 80, 10, later);
        QVERIFY(rec.ok());
        QCOMPARE(rec->costMicroUsd, std::int64_t{100});
        QCOMPARE(rec->uid, kUser);
        QCOMPARE(rec->model, kModel);
        QCOMPARE(rec->purpose, QStringLiteral("structuring"));
        QCOMPARE(rec->promptTokens, std::int64_t{80});
        QCOMPARE(rec->completionTokens, std::int64_t{10});
        QCOMPARE(rec->at, later);
        QVERIFY(rec->customStt);
        QCOMPARE(toString(rec->plan), toString(Plan::Basic));

        s = ledger.status(kUser, later);
        QCOMPARE(s.reservedMicroUsd, std::int64_t{0});
        QCOMPARE(s.dailySettledMicroUsd, std::int64_t{100});
        QCOMPARE(s.monthlySettledMicroUsd, std::int64_t{100});
        QCOMPARE(s.dailyRemainingMicroUsd, std::int64_t{900});
        QCOMPARE(s.outstandingReservations, 0);

        // A reservation is closed once: a second settle or a release must not count twice or refund.
        QCOMPARE(ledger.settle(*r, 80, 10, later).error().kind, ErrorKind::NotFound);
        QCOMPARE(ledger.release(*r).error().kind, ErrorKind::NotFound);
        QCOMPARE(ledger.status(kUser, later).dailySettledMicroUsd, std::int64_t{100});

        const Result<Reservation> failed = ledger.reserve(kUser, kModel, 300, 0, later);
        QVERIFY(failed.ok());
        QCOMPARE(ledger.status(kUser, later).dailyRemainingMicroUsd, std::int64_t{600});
        QVERIFY(ledger.release(*failed).ok());
        QCOMPARE(ledger.status(kUser, later).dailyRemainingMicroUsd, std::int64_t{900});
        QCOMPARE(ledger.release(*failed).error().kind, ErrorKind::NotFound);
    }

    void settleUsesTheLedgersCopy() {
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, false);
        const TimePoint now = at("2026-03-20T12:00:00Z");
        Result<Reservation> r = ledger.reserve(kUser, kModel, 10, 0, now);
        QVERIFY(r.ok());
        Reservation forged = *r;
        forged.uid = QStringLiteral("someone-else");
        forged.model = QStringLiteral("cheaper");
        const Result<LlmSpendRecord> rec = ledger.settle(forged, 10, 0, now);
        QVERIFY(rec.ok());
        QCOMPARE(rec->uid, kUser);
        QCOMPARE(rec->model, kModel);
        QCOMPARE(ledger.status(kUser, now).dailySettledMicroUsd, std::int64_t{10});
        QCOMPARE(ledger.status(QStringLiteral("someone-else"), now).dailySettledMicroUsd, std::int64_t{0});
    }

    void caps_data() {
        QTest::addColumn<qint64>("spentTodayMicroUsd");
        QTest::addColumn<qint64>("spentEarlierThisMonthMicroUsd");
        QTest::addColumn<qint64>("reservedMicroUsd");
        QTest::addColumn<qint64>("estimatePromptTokens"); // = micro-USD with the unit price
        QTest::addColumn<bool>("expectedOk");
        QTest::addColumn<bool>("expectedCreditsBefore");

        // Basic plan here: 1000 a day, 5000 a month.
        QTest::newRow("empty") << qint64{0} << qint64{0} << qint64{0} << qint64{100} << true << true;
        QTest::newRow("estimate reaches the daily cap exactly")
            << qint64{800} << qint64{0} << qint64{0} << qint64{200} << true << true;
        QTest::newRow("estimate 1 over the daily cap")
            << qint64{800} << qint64{0} << qint64{0} << qint64{201} << false << true;
        QTest::newRow("reservations count against the cap")
            << qint64{500} << qint64{0} << qint64{300} << qint64{201} << false << true;
        QTest::newRow("reservations plus estimate exactly at the cap")
            << qint64{500} << qint64{0} << qint64{300} << qint64{200} << true << true;
        QTest::newRow("1 micro-USD left") << qint64{999} << qint64{0} << qint64{0} << qint64{1} << true << true;
        QTest::newRow("daily cap spent: even an empty call is refused")
            << qint64{1000} << qint64{0} << qint64{0} << qint64{0} << false << false;
        QTest::newRow("daily cap overspent") << qint64{1200} << qint64{0} << qint64{0} << qint64{1} << false << false;
        QTest::newRow("estimate reaches the monthly cap exactly")
            << qint64{0} << qint64{4900} << qint64{0} << qint64{100} << true << true;
        QTest::newRow("estimate 1 over the monthly cap")
            << qint64{0} << qint64{4900} << qint64{0} << qint64{101} << false << true;
        QTest::newRow("monthly cap spent") << qint64{0} << qint64{5000} << qint64{0} << qint64{1} << false << false;
        QTest::newRow("estimate larger than any cap")
            << qint64{0} << qint64{0} << qint64{0} << qint64{1001} << false << true;
    }

    void caps() {
        QFETCH(qint64, spentTodayMicroUsd);
        QFETCH(qint64, spentEarlierThisMonthMicroUsd);
        QFETCH(qint64, reservedMicroUsd);
        QFETCH(qint64, estimatePromptTokens);
        QFETCH(bool, expectedOk);
        QFETCH(bool, expectedCreditsBefore);

        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, true);
        const TimePoint now = at("2026-03-20T12:00:00Z");
        // Earlier spend is spread over days 2..10 back so that no single day exceeds the daily cap.
        QList<LlmSpendRecord> history;
        if (spentTodayMicroUsd > 0) {
            history.append(spent(kUser, now - std::chrono::hours{1}, spentTodayMicroUsd));
        }
        for (std::int64_t left = spentEarlierThisMonthMicroUsd, day = 2; left > 0; ++day) {
            const std::int64_t part = std::min<std::int64_t>(left, 900);
            history.append(spent(kUser, now - std::chrono::days{day}, part));
            left -= part;
        }
        QVERIFY(ledger.load(history).ok());
        if (reservedMicroUsd > 0) {
            QVERIFY(ledger.reserve(kUser, kModel, reservedMicroUsd, 0, now).ok());
        }
        QCOMPARE(ledger.hasLlmCredits(kUser, now), expectedCreditsBefore);

        const SpendStatus before = ledger.status(kUser, now);
        const Result<Reservation> r = ledger.reserve(kUser, kModel, estimatePromptTokens, 0, now);
        QCOMPARE(r.ok(), expectedOk);
        const SpendStatus after = ledger.status(kUser, now);
        if (expectedOk) {
            QCOMPARE(after.reservedMicroUsd, before.reservedMicroUsd + estimatePromptTokens);
        } else {
            QCOMPARE(r.error().kind, ErrorKind::Quota);
            QVERIFY(!r.error().message.isEmpty());
            QCOMPARE(after.reservedMicroUsd, before.reservedMicroUsd); // a refused reservation holds nothing
        }
        QVERIFY(after.dailySettledMicroUsd + after.reservedMicroUsd <= 1000 || spentTodayMicroUsd > 1000);
        QVERIFY(after.monthlySettledMicroUsd + after.reservedMicroUsd <= 5000);
    }

    void creditsBoundary_data() {
        QTest::addColumn<qint64>("settledMicroUsd");
        QTest::addColumn<bool>("expected");
        QTest::newRow("nothing spent") << qint64{0} << true;
        QTest::newRow("1 below the cap") << qint64{999} << true;
        QTest::newRow("exactly the cap") << qint64{1000} << false;
        QTest::newRow("over the cap") << qint64{1001} << false;
    }

    void creditsBoundary() {
        QFETCH(qint64, settledMicroUsd);
        QFETCH(bool, expected);
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, true);
        const TimePoint now = at("2026-03-20T12:00:00Z");
        QVERIFY(ledger.load({spent(kUser, now, settledMicroUsd)}).ok());
        QCOMPARE(ledger.hasLlmCredits(kUser, now), expected);
        QCOMPARE(ledger.status(kUser, now).hasCredits, expected);
    }

    void rollingWindows_data() {
        QTest::addColumn<qint64>("ageMs");
        QTest::addColumn<bool>("inDaily");
        QTest::addColumn<bool>("inMonthly");
        const qint64 day = 24LL * 3600 * 1000;
        QTest::newRow("now") << qint64{0} << true << true;
        QTest::newRow("exactly 24 h ago") << day << true << true;
        QTest::newRow("24 h and 1 ms ago") << day + 1 << false << true;
        QTest::newRow("exactly 30 days ago") << 30 * day << false << true;
        QTest::newRow("30 days and 1 ms ago") << 30 * day + 1 << false << false;
        QTest::newRow("in the future") << qint64{-1} << false << false;
    }

    void rollingWindows() {
        QFETCH(qint64, ageMs);
        QFETCH(bool, inDaily);
        QFETCH(bool, inMonthly);
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        const TimePoint now = at("2026-03-20T12:00:00Z");
        QVERIFY(ledger.load({spent(kUser, now - Milliseconds{ageMs}, 40)}).ok());
        const SpendStatus s = ledger.status(kUser, now);
        QCOMPARE(s.dailySettledMicroUsd, std::int64_t{inDaily ? 40 : 0});
        QCOMPARE(s.monthlySettledMicroUsd, std::int64_t{inMonthly ? 40 : 0});
    }

    void dailyCapFreesUpAsTheWindowRolls() {
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, false);
        const TimePoint t0 = at("2026-03-20T12:00:00Z");
        const Result<Reservation> r = ledger.reserve(kUser, kModel, 1000, 0, t0);
        QVERIFY(r.ok());
        QVERIFY(ledger.settle(*r, 1000, 0, t0).ok());
        QVERIFY(!ledger.hasLlmCredits(kUser, t0 + std::chrono::hours{24}));
        QVERIFY(ledger.hasLlmCredits(kUser, t0 + std::chrono::hours{24} + Milliseconds{1}));
        QVERIFY(ledger.reserve(kUser, kModel, 1000, 0, t0 + std::chrono::hours{25}).ok());
    }

    void unknownModelIsNeverFree() {
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        const TimePoint now = at("2026-03-20T12:00:00Z");
        const Result<Reservation> r = ledger.reserve(kUser, QStringLiteral("gpt-unknown"), 1, 1, now);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::NotFound);
        QCOMPARE(ledger.status(kUser, now).reservedMicroUsd, std::int64_t{0});
    }

    void invalidInput() {
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        const TimePoint now = at("2026-03-20T12:00:00Z");
        QCOMPARE(ledger.reserve(QString(), kModel, 1, 1, now).error().kind, ErrorKind::Invalid);
        QCOMPARE(ledger.reserve(kUser, kModel, -1, 1, now).error().kind, ErrorKind::Invalid);
        QCOMPARE(ledger.load({spent(kUser, now, -5)}).error().kind, ErrorKind::Invalid);
        QCOMPARE(ledger.load({spent(kUser, now, 5), spent(QString(), now, 5)}).error().kind, ErrorKind::Invalid);
        QCOMPARE(ledger.status(kUser, now).dailySettledMicroUsd, std::int64_t{0}); // a bad batch loads nothing

        const Result<Reservation> r = ledger.reserve(kUser, kModel, 10, 0, now);
        QVERIFY(r.ok());
        QCOMPARE(ledger.settle(*r, -1, 0, now).error().kind, ErrorKind::Invalid);
        QCOMPARE(ledger.status(kUser, now).outstandingReservations, 1); // still held, can be released
        QVERIFY(ledger.release(*r).ok());
    }

    void plansSelectCaps_data() {
        QTest::addColumn<int>("plan"); // -1: never set
        QTest::addColumn<qint64>("expectedDailyCap");
        QTest::newRow("unknown user gets the default (basic) plan") << -1 << qint64{1000};
        QTest::newRow("basic") << int(Plan::Basic) << qint64{1000};
        QTest::newRow("unlimited") << int(Plan::Unlimited) << qint64{10'000};
    }

    void plansSelectCaps() {
        QFETCH(int, plan);
        QFETCH(qint64, expectedDailyCap);
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        if (plan >= 0) {
            ledger.setUser(kUser, static_cast<Plan>(plan), true);
        }
        const TimePoint now = at("2026-03-20T12:00:00Z");
        QCOMPARE(ledger.status(kUser, now).caps.dailyMicroUsd, expectedDailyCap);
        QVERIFY(ledger.reserve(kUser, kModel, expectedDailyCap, 0, now).ok());
        QCOMPARE(ledger.reserve(kUser, kModel, 1, 0, now).error().kind, ErrorKind::Quota);
    }

    void uncappedReservationIgnoresCapsButIsRecorded() {
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, true);
        const TimePoint now = at("2026-03-20T12:00:00Z");
        const std::int64_t cap = ledger.status(kUser, now).caps.dailyMicroUsd;
        QVERIFY(ledger.reserve(kUser, kModel, cap, 0, now).ok());
        QCOMPARE(ledger.reserve(kUser, kModel, 1, 0, now).error().kind, ErrorKind::Quota);
        // Over the cap, an enforcement call still gets a reservation, and its settled cost counts for the user.
        const auto r = ledger.reserveUncapped(kUser, kModel, 5, 0, now, QStringLiteral("classifier"));
        QVERIFY(r.ok());
        const auto record = ledger.settle(*r, 7, 0, now);
        QVERIFY(record.ok());
        QCOMPARE(record->purpose, QStringLiteral("classifier"));
        QVERIFY(!ledger.hasLlmCredits(kUser, now));
        QCOMPARE(ledger.reserveUncapped(kUser, QStringLiteral("no-such-model"), 5, 0, now).error().kind,
                 ErrorKind::NotFound);
    }

    void policyChangeAppliesToExistingSpend() {
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, true);
        const TimePoint now = at("2026-03-20T12:00:00Z");
        QVERIFY(ledger.load({spent(kUser, now, 600)}).ok());
        QVERIFY(ledger.hasLlmCredits(kUser, now));
        LedgerPolicy tighter = smallCaps();
        tighter.basic.dailyMicroUsd = 500;
        ledger.setPolicy(tighter);
        QVERIFY(!ledger.hasLlmCredits(kUser, now));
        QCOMPARE(ledger.policy().basic.dailyMicroUsd, std::int64_t{500});
    }

    void underestimateIsRecordedInFullAndBlocks() {
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, true);
        const TimePoint now = at("2026-03-20T12:00:00Z");
        const Result<Reservation> r = ledger.reserve(kUser, kModel, 900, 0, now);
        QVERIFY(r.ok());
        const Result<LlmSpendRecord> rec = ledger.settle(*r, 900, 100, now); // 900 + 200 = 1100
        QVERIFY(rec.ok());
        QCOMPARE(rec->costMicroUsd, std::int64_t{1100});
        QCOMPARE(ledger.status(kUser, now).dailySettledMicroUsd, std::int64_t{1100});
        QVERIFY(!ledger.hasLlmCredits(kUser, now));
        QCOMPARE(ledger.reserve(kUser, kModel, 1, 0, now).error().kind, ErrorKind::Quota);
    }

    void releaseStale() {
        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, true);
        const TimePoint t0 = at("2026-03-20T12:00:00Z");
        const Result<Reservation> old = ledger.reserve(kUser, kModel, 300, 0, t0);
        const Result<Reservation> fresh = ledger.reserve(kUser, kModel, 200, 0, t0 + std::chrono::minutes{9});
        QVERIFY(old.ok() && fresh.ok());
        QCOMPARE(ledger.releaseStale(t0 + std::chrono::minutes{10}, std::chrono::minutes{10}), 0); // not older
        QCOMPARE(ledger.releaseStale(t0 + std::chrono::minutes{10} + Milliseconds{1}, std::chrono::minutes{10}), 1);
        QCOMPARE(ledger.status(kUser, t0).reservedMicroUsd, std::int64_t{200});
        QCOMPARE(ledger.settle(*old, 1, 0, t0).error().kind, ErrorKind::NotFound);
        QVERIFY(ledger.settle(*fresh, 1, 0, t0).ok());
    }

    void concurrentReservationsNeverExceedTheCap_data() {
        QTest::addColumn<int>("threads");
        QTest::addColumn<qint64>("estimateMicroUsd");
        QTest::addColumn<qint64>("actualMicroUsd"); // 0: release instead of settle
        QTest::addColumn<bool>("settleImmediately");

        QTest::newRow("reserve only, 8 threads") << 8 << qint64{7} << qint64{7} << false;
        QTest::newRow("settle exact, 8 threads") << 8 << qint64{7} << qint64{7} << true;
        QTest::newRow("settle cheaper than estimated") << 6 << qint64{13} << qint64{5} << true;
        QTest::newRow("release every call") << 4 << qint64{9} << qint64{0} << true;
    }

    void concurrentReservationsNeverExceedTheCap() {
        QFETCH(int, threads);
        QFETCH(qint64, estimateMicroUsd);
        QFETCH(qint64, actualMicroUsd);
        QFETCH(bool, settleImmediately);
        constexpr std::int64_t kCap = 1000;
        constexpr int kAttemptsPerThread = 400;

        LlmSpendLedger ledger(unitPrices(), smallCaps());
        ledger.setUser(kUser, Plan::Basic, true);
        const TimePoint now = at("2026-03-20T12:00:00Z");

        struct Outcome {
            int reserved = 0;
            int refused = 0;
            int otherErrors = 0;
            std::int64_t settledMicroUsd = 0;
            std::int64_t heldMicroUsd = 0;
        };
        std::vector<Outcome> outcomes(static_cast<std::size_t>(threads));
        std::atomic<bool> start{false};
        std::atomic<bool> done{false};
        std::atomic<int> observations{0};
        std::atomic<int> violations{0};

        // Watches every state the ledger passes through (status() is a consistent snapshot under the lock).
        std::atomic<bool> watching{false};
        std::thread watcher([&] {
            do {
                const SpendStatus s = ledger.status(kUser, now);
                if (s.dailySettledMicroUsd + s.reservedMicroUsd > kCap) {
                    violations.fetch_add(1);
                }
                observations.fetch_add(1);
                watching.store(true);
                std::this_thread::yield();
            } while (!done.load());
        });
        std::vector<std::thread> workers;
        for (int t = 0; t < threads; ++t) {
            workers.emplace_back([&, t] {
                while (!start.load()) {
                    std::this_thread::yield();
                }
                Outcome& o = outcomes[static_cast<std::size_t>(t)];
                for (int i = 0; i < kAttemptsPerThread; ++i) {
                    const Result<Reservation> r = ledger.reserve(kUser, kModel, estimateMicroUsd, 0, now);
                    if (!r.ok()) {
                        (r.error().kind == ErrorKind::Quota ? o.refused : o.otherErrors)++;
                        continue;
                    }
                    ++o.reserved;
                    if (!settleImmediately) {
                        o.heldMicroUsd += r->estimatedCostMicroUsd;
                    } else if (actualMicroUsd == 0) {
                        if (!ledger.release(*r).ok()) {
                            ++o.otherErrors;
                        }
                    } else {
                        const Result<LlmSpendRecord> rec = ledger.settle(*r, actualMicroUsd, 0, now);
                        if (rec.ok()) {
                            o.settledMicroUsd += rec->costMicroUsd;
                        } else {
                            ++o.otherErrors;
                        }
                    }
                }
            });
        }
        while (!watching.load()) { // the watcher observes from before the first reservation
            std::this_thread::yield();
        }
        start.store(true);
        for (std::thread& w : workers) {
            w.join();
        }
        done.store(true);
        watcher.join();

        Outcome total;
        for (const Outcome& o : outcomes) {
            total.reserved += o.reserved;
            total.refused += o.refused;
            total.otherErrors += o.otherErrors;
            total.settledMicroUsd += o.settledMicroUsd;
            total.heldMicroUsd += o.heldMicroUsd;
        }
        const SpendStatus s = ledger.status(kUser, now);
        QCOMPARE(total.otherErrors, 0);
        QCOMPARE(violations.load(), 0);
        QVERIFY(observations.load() > 0);
        QCOMPARE(total.reserved + total.refused, threads * kAttemptsPerThread);
        // What the threads hold and settled is exactly what the ledger reports, and within the cap.
        QCOMPARE(s.reservedMicroUsd, total.heldMicroUsd);
        QCOMPARE(s.dailySettledMicroUsd, total.settledMicroUsd);
        QVERIFY(s.dailySettledMicroUsd + s.reservedMicroUsd <= kCap);
        QCOMPARE(s.outstandingReservations, settleImmediately ? 0 : total.reserved);
        if (!settleImmediately) {
            // Nothing is ever given back, so the ledger must have admitted exactly as many as fit.
            QCOMPARE(std::int64_t{total.reserved}, kCap / estimateMicroUsd);
        } else if (actualMicroUsd > 0) {
            QCOMPARE(total.settledMicroUsd, std::int64_t{total.reserved} * actualMicroUsd);
            // A refusal means the budget was nearly spent: at most one estimate per thread (the others' outstanding
            // reservations at that moment) can be left unused at the end.
            if (total.refused > 0) {
                QVERIFY(kCap - s.dailySettledMicroUsd < estimateMicroUsd * threads);
            }
        } else {
            QCOMPARE(total.refused, 0); // every reservation was released, so budget never ran out
        }
    }
};

QTEST_GUILESS_MAIN(LlmSpendLedgerTest)
#include "LlmSpendLedgerTest.moc"
