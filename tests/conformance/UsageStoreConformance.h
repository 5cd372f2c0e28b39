#pragma once
// The UsageStore contract as the console uses it, one body for every implementation: speech recorded by source and
// read back as the three trailing windows (the backend's window rule) and as minute buckets for the chart, the daily
// STT budget, the stage cache, and what each refuses. Each test uses user ids of its own.

#include "ConformanceSupport.h"

#include "metering/Metering.h"

#include <QObject>
#include <QUuid>

namespace fairuse::conformance {

class UsageStoreConformance : public QObject, SuiteSubject<UsageStoreSubject> {
    Q_OBJECT
public:
    using SuiteSubject::SuiteSubject;

private:
    static QString uid(const char* prefix) {
        return QLatin1String(prefix) + QLatin1Char('-') + QUuid::createUuid().toString(QUuid::Id128).left(12);
    }

    /** 2026-03-20T10:15:00Z, the "now" of every test. */
    static TimePoint now() { return at("2026-03-20T10:15:00Z"); }

private Q_SLOTS:
    void init() { CONFORM_OK(renewSubject()); }
    void cleanup() { m_subject = {}; }

    void nothingRecordedReadsZero() {
        const QString u = uid("empty");
        auto reading = wait(store().readSpeech(u, now()));
        CONFORM_OK(reading);
        QCOMPARE(reading->totals, SpeechTotals{});
        QCOMPARE(reading->skippedValues, 0);
        auto minutes = wait(store().readMinutes(u, now() - std::chrono::hours(24), now()));
        CONFORM_OK(minutes);
        QVERIFY(minutes->isEmpty());
        auto budget = wait(store().readSttBudgetUsedMs(u, now()));
        CONFORM_OK(budget);
        QCOMPARE(budget.value(), std::int64_t{0});
    }

    void windowsTrailFromNow() {
        const QString u = uid("windows");
        using std::chrono::hours;
        using std::chrono::minutes;
        CONFORM_OK(wait(store().recordSpeech(u, now() - minutes(5), 1'000, SpeechSource::Realtime)));
        CONFORM_OK(wait(store().recordSpeech(u, now() - minutes(5), 500, SpeechSource::SyncFresh)));
        CONFORM_OK(wait(store().recordSpeech(u, now() - hours(30), 2'000, SpeechSource::Realtime)));
        CONFORM_OK(wait(store().recordSpeech(u, now() - hours(100), 4'000, SpeechSource::Realtime)));
        CONFORM_OK(wait(store().recordSpeech(u, now() - hours(24 * 7 + 2), 8'000, SpeechSource::Realtime)));
        auto reading = wait(store().readSpeech(u, now()));
        CONFORM_OK(reading);
        QCOMPARE(reading->totals, (SpeechTotals{1'500, 3'500, 7'500}));
        QCOMPARE(reading->skippedValues, 0);
    }

    /** Speech of users who bring their own STT and backfilled speech are metered, never enforced. */
    void onlyEnforcedSourcesCount() {
        const QString u = uid("sources");
        CONFORM_OK(wait(store().recordSpeech(u, now() - std::chrono::minutes(5), 1'000, SpeechSource::Realtime)));
        CONFORM_OK(wait(store().recordSpeech(u, now() - std::chrono::minutes(5), 9'000, SpeechSource::CustomStt)));
        CONFORM_OK(wait(store().recordSpeech(u, now() - std::chrono::minutes(6), 9'000, SpeechSource::SyncBackfill)));
        auto reading = wait(store().readSpeech(u, now()));
        CONFORM_OK(reading);
        QCOMPARE(reading->totals, (SpeechTotals{1'000, 1'000, 1'000}));
        auto minutes = wait(store().readMinutes(u, now() - std::chrono::hours(1), now()));
        CONFORM_OK(minutes);
        QCOMPARE(minutes->size(), 1);
        QCOMPARE(minutes->first().speechMs, std::int64_t{1'000});
    }

    void minutesAscendingInTheRange() {
        const QString u = uid("minutes");
        using std::chrono::minutes;
        for (int i : {30, 10, 20}) {
            CONFORM_OK(wait(store().recordSpeech(u, now() - minutes(i), 100 * i, SpeechSource::Realtime)));
        }
        CONFORM_OK(wait(store().recordSpeech(u, now() - minutes(10), 5, SpeechSource::SyncFresh)));
        auto all = wait(store().readMinutes(u, now() - minutes(60), now()));
        CONFORM_OK(all);
        QCOMPARE(all->size(), 3);
        QCOMPARE(all->at(0).unixMinute, unixMinute(now() - minutes(30)));
        QCOMPARE(all->at(0).speechMs, std::int64_t{3'000});
        QCOMPARE(all->at(2).unixMinute, unixMinute(now() - minutes(10)));
        QCOMPARE(all->at(2).speechMs, std::int64_t{1'005});
        // [from, to): the minute at `to` is out, the one at `from` is in.
        auto part = wait(store().readMinutes(u, now() - minutes(20), now() - minutes(10)));
        CONFORM_OK(part);
        QCOMPARE(part->size(), 1);
        QCOMPARE(part->first().speechMs, std::int64_t{2'000});
    }

    void badSpeechIsRefused_data() {
        QTest::addColumn<qint64>("ms");
        QTest::newRow("negative") << qint64(-1);
        QTest::newRow("more than a day in one record") << qint64(24LL * 3600 * 1000 + 1);
    }
    void badSpeechIsRefused() {
        QFETCH(qint64, ms);
        const QString u = uid("bad");
        auto r = wait(store().recordSpeech(u, now(), ms, SpeechSource::Realtime));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
        auto reading = wait(store().readSpeech(u, now()));
        CONFORM_OK(reading);
        QCOMPARE(reading->totals, SpeechTotals{});
    }

    void sttBudgetIsPerUtcDay() {
        const QString u = uid("budget");
        CONFORM_OK(m_subject.addSttBudget(u, at("2026-03-20T00:10:00Z"), 60'000));
        CONFORM_OK(m_subject.addSttBudget(u, at("2026-03-20T23:50:00Z"), 30'000));
        CONFORM_OK(m_subject.addSttBudget(u, at("2026-03-19T23:59:00Z"), 7'000));
        auto today = wait(store().readSttBudgetUsedMs(u, now()));
        CONFORM_OK(today);
        QCOMPARE(today.value(), std::int64_t{90'000});
        auto yesterday = wait(store().readSttBudgetUsedMs(u, at("2026-03-19T12:00:00Z")));
        CONFORM_OK(yesterday);
        QCOMPARE(yesterday.value(), std::int64_t{7'000});
    }

    void stageCacheInvalidates() {
        const QString u = uid("stage");
        CONFORM_OK(wait(store().invalidateStageCache(u)));
        QVERIFY(!store().describe().isEmpty());
    }
};

} // namespace fairuse::conformance
