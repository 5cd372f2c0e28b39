// EmbeddedUsageStore: window sums against the core's reference (metering::sumWindows), sources, junk, budget.
#include "EmbeddedTestSupport.h"

#include "metering/Metering.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <map>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;
using std::chrono::minutes;

class TestEmbeddedUsageStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void windowEdgesMatchTheCore_data() {
        QTest::addColumn<QString>("now");
        QTest::newRow("on a whole minute") << QStringLiteral("2026-03-20T10:00:00.000Z");
        QTest::newRow("seconds into a minute") << QStringLiteral("2026-03-20T10:00:37.000Z");
        QTest::newRow("milliseconds into a minute") << QStringLiteral("2026-03-20T10:00:00.400Z");
        QTest::newRow("last millisecond of a minute") << QStringLiteral("2026-03-20T23:59:59.999Z");
    }

    void windowEdgesMatchTheCore() {
        QFETCH(QString, now);
        const TimePoint t = parseRfc3339(now).value();
        TempStore store;
        const QString uid = QStringLiteral("edge-user");
        std::map<std::int64_t, std::int64_t> reference;
        std::int64_t value = 1;
        // Buckets on both sides of every window's first minute and of now's minute.
        QList<std::int64_t> probes;
        for (auto window : {metering::kDailyWindow, metering::kThreeDayWindow, metering::kWeeklyWindow}) {
            const std::int64_t first = metering::windowFirstMinute(t, minutes(window));
            probes << first - 2 << first - 1 << first << first + 1;
        }
        const std::int64_t m = unixMinute(t);
        probes << m - 1 << m << m + 1 << m + 2;
        for (std::int64_t minute : probes) {
            value *= 2; // distinct powers of two: a wrong membership changes the sum
            reference[minute] += value;
            auto r = awaitResult(store.usage().recordSpeech(uid, fromUnixMinute(minute) + std::chrono::seconds(17),
                                                            value, SpeechSource::Realtime));
            QVERIFY(r.ok());
        }
        const SpeechTotals expected = metering::sumWindows(reference, t);
        auto reading = awaitResult(store.usage().readSpeech(uid, t));
        QVERIFY(reading.ok());
        QCOMPARE(reading->totals.dailyMs, expected.dailyMs);
        QCOMPARE(reading->totals.threeDayMs, expected.threeDayMs);
        QCOMPARE(reading->totals.weeklyMs, expected.weeklyMs);
        QCOMPARE(reading->skippedValues, 0);
        // Buckets after now never count.
        QVERIFY(reading->totals.dailyMs < reference[m + 1]);
    }

    void onlyEnforcedSourcesCount() {
        TempStore store;
        const TimePoint now = at("2026-03-20T10:00:00Z");
        const QString uid = QStringLiteral("sources");
        const TimePoint when = now - minutes(30);
        QVERIFY(awaitResult(store.usage().recordSpeech(uid, when, 1000, SpeechSource::Realtime)).ok());
        QVERIFY(awaitResult(store.usage().recordSpeech(uid, when, 200, SpeechSource::SyncFresh)).ok());
        QVERIFY(awaitResult(store.usage().recordSpeech(uid, when, 30, SpeechSource::SyncBackfill)).ok());
        QVERIFY(awaitResult(store.usage().recordSpeech(uid, when, 4, SpeechSource::CustomStt)).ok());
        QVERIFY(awaitResult(store.usage().recordSpeech(uid, when, 1000, SpeechSource::Realtime)).ok());
        auto reading = awaitResult(store.usage().readSpeech(uid, now));
        QVERIFY(reading.ok());
        QCOMPARE(reading->totals, (SpeechTotals{2200, 2200, 2200}));
        auto other = awaitResult(store.usage().readSpeech(QStringLiteral("nobody"), now));
        QVERIFY(other.ok());
        QCOMPARE(other->totals, SpeechTotals{});
    }

    void junkValuesAreSkippedAndCounted() {
        TempStore store;
        const TimePoint now = at("2026-03-20T10:00:00Z");
        const QString uid = QStringLiteral("junk");
        QVERIFY(awaitResult(store.usage().recordSpeech(uid, now - minutes(5), 5000, SpeechSource::Realtime)).ok());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("junk-writer"));
            db.setDatabaseName(store.path());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("INSERT INTO minute_buckets VALUES ('junk', 'realtime', %1, 'lots')")
                               .arg(unixMinute(now) - 3)));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO minute_buckets VALUES ('junk', 'sync_fresh', %1, -70)")
                               .arg(unixMinute(now) - 3)));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("junk-writer"));
        auto reading = awaitResult(store.usage().readSpeech(uid, now));
        QVERIFY(reading.ok());
        QCOMPARE(reading->totals.dailyMs, 5000);
        QCOMPARE(reading->skippedValues, 2);
        auto samples = awaitResult(store.usage().readMinutes(uid, now - minutes(10), now));
        QVERIFY(samples.ok());
        QCOMPARE(samples->size(), 1);
    }

    void recordSpeechRejectsImplausibleValues_data() {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("negative") << qint64(-1) << false;
        QTest::newRow("zero") << qint64(0) << true;
        QTest::newRow("a minute") << qint64(60'000) << true;
        QTest::newRow("more than a day") << qint64(24LL * 3'600'000 + 1) << false;
    }

    void recordSpeechRejectsImplausibleValues() {
        QFETCH(qint64, ms);
        QFETCH(bool, accepted);
        TempStore store;
        auto r = awaitResult(
            store.usage().recordSpeech(QStringLiteral("u"), at("2026-03-20T10:00:00Z"), ms, SpeechSource::Realtime));
        QCOMPARE(r.ok(), accepted);
        if (!accepted) {
            QCOMPARE(r.error().kind, ErrorKind::Invalid);
        }
    }

    void readMinutesIsHalfOpenAndAscending() {
        TempStore store;
        const QString uid = QStringLiteral("chart");
        const TimePoint from = at("2026-03-20T10:00:00Z");
        for (int i = -1; i <= 3; ++i) {
            QVERIFY(
                awaitResult(store.usage().recordSpeech(uid, from + minutes(i), 100 + i, SpeechSource::Realtime)).ok());
        }
        QVERIFY(awaitResult(store.usage().recordSpeech(uid, from + minutes(1), 7, SpeechSource::SyncFresh)).ok());
        auto samples = awaitResult(store.usage().readMinutes(uid, from, from + minutes(3)));
        QVERIFY(samples.ok());
        QCOMPARE(samples->size(), 3);
        QCOMPARE(samples->at(0).unixMinute, unixMinute(from));
        QCOMPARE(samples->at(0).speechMs, 100);
        QCOMPARE(samples->at(1).speechMs, 101 + 7);
        QCOMPARE(samples->at(2).unixMinute, unixMinute(from) + 2);
        // A `from` inside a minute excludes that minute's bucket (its start is before from).
        auto inside = awaitResult(store.usage().readMinutes(uid, from + std::chrono::seconds(1), from + minutes(3)));
        QVERIFY(inside.ok());
        QCOMPARE(inside->size(), 2);
    }

    void sttBudgetIsPerUtcDay() {
        TempStore store;
        const QString uid = QStringLiteral("budget");
        const TimePoint lateEvening = at("2026-03-20T23:59:00Z");
        const TimePoint nextMorning = at("2026-03-21T00:01:00Z");
        QCOMPARE(awaitResult(store.usage().readSttBudgetUsedMs(uid, lateEvening)).value(), 0);
        QCOMPARE(awaitResult(store.usage().addSttBudgetMs(uid, lateEvening, 60'000)).value(), 60'000);
        QCOMPARE(awaitResult(store.usage().addSttBudgetMs(uid, at("2026-03-20T08:00:00Z"), 1'000)).value(), 61'000);
        QCOMPARE(awaitResult(store.usage().addSttBudgetMs(uid, nextMorning, 5)).value(), 5);
        QCOMPARE(awaitResult(store.usage().readSttBudgetUsedMs(uid, at("2026-03-20T00:00:00Z"))).value(), 61'000);
        QCOMPARE(awaitResult(store.usage().readSttBudgetUsedMs(uid, nextMorning)).value(), 5);
        QVERIFY(!awaitResult(store.usage().addSttBudgetMs(uid, nextMorning, -1)).ok());
    }

    void stageCacheInvalidationIsANoOp() {
        TempStore store;
        auto r = awaitResult(store.usage().invalidateStageCache(QStringLiteral("u")));
        QVERIFY(r.ok());
        QVERIFY(r.value());
        QVERIFY(store.usage().describe().contains(store.path()));
    }
};

QTEST_GUILESS_MAIN(TestEmbeddedUsageStore)
#include "EmbeddedUsageStoreTest.moc"
