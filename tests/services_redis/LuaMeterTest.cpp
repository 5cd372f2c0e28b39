// LuaMeter against a real redis-server: exact equality with the brute-force window sums, memory, script cache.
#include "RedisTestSupport.h"

#include "metering/Metering.h"
#include "redis/LuaMeter.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTimer>

#include <map>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

template <typename T>
Result<T> get(const Async<T>& f) {
    return awaitResult(f, 120000);
}

const TimePoint kStart = fromUnixMs(1'774'001'700'000LL); // 2026-03-20T10:15:00Z

/** Big-endian bytes of `v`, `width` of them, as the script's struct.pack writes them. */
QByteArray bigEndian(std::int64_t v, int width) {
    QByteArray out(width, '\0');
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>(v & 0xff);
        v >>= 8;
    }
    return out;
}

/** A sparse value: magic 0xF5, the last call, then (minute u40, ms u16) pairs. */
QByteArray sparseValue(std::int64_t lastMs, const QList<std::pair<std::int64_t, int>>& pairs) {
    QByteArray out = QByteArray("\xf5", 1) + bigEndian(lastMs, 8);
    for (const auto& [minute, ms] : pairs) {
        out += bigEndian(minute, 5) + bigEndian(ms, 2);
    }
    return out;
}

enum class Form { Missing, Sparse, Dense, Other };

Form formOf(RedisClient& client, const QByteArray& key) {
    const std::int64_t len = run(client, {"STRLEN", key})->integerValue();
    if (len == 0) {
        return Form::Missing;
    }
    if (len == LuaMeter::kValueBytes) {
        const QByteArray magic =
            run(client, {"GETRANGE", key, QByteArray::number(len - 18), QByteArray::number(len - 18)})->text();
        return magic == QByteArray("\xf3", 1) ? Form::Dense : Form::Other;
    }
    const QByteArray magic = run(client, {"GETRANGE", key, "0", "0"})->text();
    const bool sound = len >= LuaMeter::kSparseHeaderBytes &&
                       (len - LuaMeter::kSparseHeaderBytes) % LuaMeter::kSparsePairBytes == 0 &&
                       len <= LuaMeter::kSparseHeaderBytes + LuaMeter::kSparsePairBytes * LuaMeter::kSparseMaxPairs;
    return sound && magic == QByteArray("\xf5", 1) ? Form::Sparse : Form::Other;
}

} // namespace

class LuaMeterTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        const quint16 port = fixturePort(QStringLiteral("redis"));
        REQUIRE_REDIS(port);
        RedisConfig c = localConfig(port);
        c.commandTimeoutMs = 60000;
        m_client = new RedisClient(c, this);
        m_meter = new LuaMeter(m_client, this);
    }

    void keysShareOneHashTag() { QCOMPARE(LuaMeter::key(QStringLiteral("u42")), QByteArray("fu3:{u42}:meter")); }

    void equalsBruteForceOnRandomHistories_data() {
        // Light histories (about 100 calls a week) stay sparse; busy ones start sparse and go dense within the first
        // days, then come back from silences of hours and days in the dense form; mixed ones (long silences more
        // often) hover around the limit.
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<int>("mode");
        for (quint32 seed : {7u, 8u, 9u, 1234u, 99991u}) {
            QTest::addRow("light, seed %u", seed) << seed << 0;
            QTest::addRow("busy, seed %u", seed) << seed << 1;
            QTest::addRow("mixed, seed %u", seed) << seed << 2;
        }
    }

    void equalsBruteForceOnRandomHistories() {
        QFETCH(quint32, seed);
        QFETCH(int, mode);
        const bool light = mode == 0;
        const bool busy = mode == 1;
        QRandomGenerator rng(seed);
        const QString uid = uniqueUid(QStringLiteral("meter"));
        const QByteArray key = LuaMeter::key(uid);
        QList<Form> forms;
        std::map<std::int64_t, std::int64_t> buckets;
        TimePoint now = kStart + Milliseconds(rng.bounded(60'000));
        QList<TimePoint> times;
        QList<QFuture<Result<MeterReading>>> calls;
        QList<SpeechTotals> expected;
        for (int i = 0; i < 1500; ++i) {
            // Mostly live sessions (seconds to minutes apart), sometimes hours or days of silence, sometimes exactly
            // on a minute boundary, where the backend's window holds one bucket more.
            const quint32 kind = rng.bounded(100);
            if (light && kind < 30) {
                now += Milliseconds(rng.bounded(5 * 60'000));
            } else if (light && kind < 95) {
                now += std::chrono::minutes(rng.bounded(5 * 60));
            } else if (light) {
                now = fromUnixMinute(unixMinute(now) + 1 + rng.bounded(3));
            } else if (busy && kind < 92) {
                now += Milliseconds(rng.bounded(150'000));
            } else if (busy && kind < 96) {
                now += std::chrono::minutes(rng.bounded(12 * 60));
            } else if (busy && kind < 97) {
                now += std::chrono::hours(rng.bounded(9 * 24));
            } else if (busy && kind < 99) {
                now = fromUnixMinute(unixMinute(now) + 1 + rng.bounded(3));
            } else if (busy) {
                now += std::chrono::hours(24) -
                       (now - times.value(rng.bounded(static_cast<quint32>(times.size() + 1)), now)) %
                           std::chrono::hours(24);
            } else if (kind < 70) {
                now += Milliseconds(rng.bounded(5 * 60'000));
            } else if (kind < 85) {
                now += std::chrono::minutes(rng.bounded(24 * 60));
            } else if (kind < 90) {
                now += std::chrono::hours(rng.bounded(9 * 24));
            } else if (kind < 97) {
                now = fromUnixMinute(unixMinute(now) + 1 + rng.bounded(3));
            } else {
                // Land right on a window edge of an earlier call.
                now += std::chrono::hours(24) -
                       (now - times.value(rng.bounded(static_cast<quint32>(times.size() + 1)), now)) %
                           std::chrono::hours(24);
            }
            const std::int64_t ms = rng.bounded(10) == 0 ? 0 : static_cast<std::int64_t>(rng.bounded(3001));
            buckets[unixMinute(now)] += ms;
            times.append(now);
            calls.append(m_meter->recordAndCheck(uid, ms, now));
            expected.append(metering::sumWindows(buckets, now));
            if (i % 25 == 24) {
                // Which form the value is in now (the calls so far have run once this one has).
                QVERIFY(get(calls.last()).ok());
                forms.append(formOf(*m_client, key));
            }
        }
        QVERIFY(!forms.contains(Form::Other) && !forms.contains(Form::Missing));
        QCOMPARE(forms.first(), Form::Sparse);
        if (light) {
            QVERIFY(!forms.contains(Form::Dense));
        } else if (busy) {
            QCOMPARE(forms.last(), Form::Dense);
        }
        for (qsizetype i = 0; i < calls.size(); ++i) {
            const Result<MeterReading> r = get(calls[i]);
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
            if (r->totals != expected[i]) {
                qWarning() << "call" << i << "at" << formatRfc3339(times[i]) << "got" << r->totals.dailyMs
                           << r->totals.threeDayMs << r->totals.weeklyMs << "want" << expected[i].dailyMs
                           << expected[i].threeDayMs << expected[i].weeklyMs;
            }
            QCOMPARE(r->totals, expected[i]);
            QCOMPARE(r->at, times[i]);
            QCOMPARE(r->clippedMs, 0);
        }
        QVERIFY(expected.last().weeklyMs > 0 || expected[expected.size() / 2].weeklyMs > 0);
    }

    void lightUserIsSmall() {
        // 13 minutes of speech a day, 40 s each, for 7 days: 91 minutes, sparse.
        const QString uid = uniqueUid(QStringLiteral("light"));
        std::map<std::int64_t, std::int64_t> buckets;
        QList<QFuture<Result<MeterReading>>> calls;
        TimePoint last{};
        for (int day = 0; day < 7; ++day) {
            for (int minute = 0; minute < 13; ++minute) {
                last = kStart + std::chrono::hours(24 * day) + std::chrono::minutes(37 * minute) + Milliseconds(900);
                buckets[unixMinute(last)] += 40'000;
                calls.append(m_meter->recordAndCheck(uid, 40'000, last));
            }
        }
        const Result<MeterReading> final = get(calls.last());
        QVERIFY(final.ok());
        QCOMPARE(final->totals, metering::sumWindows(buckets, last));
        QCOMPARE(final->totals.weeklyMs, 7LL * 13 * 40'000);
        QCOMPARE(formOf(*m_client, LuaMeter::key(uid)), Form::Sparse);
        QCOMPARE(run(*m_client, {"STRLEN", LuaMeter::key(uid)})->integerValue(),
                 LuaMeter::kSparseHeaderBytes + 91 * LuaMeter::kSparsePairBytes);
        const std::int64_t bytes = run(*m_client, {"MEMORY", "USAGE", LuaMeter::key(uid)})->integerValue();
        qInfo("MEMORY USAGE for a 13 min/day, 7-day user: %lld bytes", static_cast<long long>(bytes));
        QVERIFY(bytes < 2048);
        // A day later the first day's minutes have left the window, and their pairs the value.
        const TimePoint later = last + std::chrono::hours(24) + std::chrono::minutes(1);
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 0, later));
        QCOMPARE(r->totals, metering::sumWindows(buckets, later));
        QVERIFY(run(*m_client, {"STRLEN", LuaMeter::key(uid)})->integerValue() <=
                LuaMeter::kSparseHeaderBytes + 78 * LuaMeter::kSparsePairBytes);
        QVERIFY(run(*m_client, {"PTTL", LuaMeter::key(uid)})->integerValue() > 7LL * 24 * 3600 * 1000);
    }

    void turnsDenseAboveTheSparseLimit_data() {
        // Pairs spread over the week (some already leaving it when the limit is crossed), or packed in a few hours.
        QTest::addColumn<int>("stepMinutes");
        QTest::addRow("every minute") << 1;
        QTest::addRow("every 7 minutes") << 7;
        QTest::addRow("every 64 minutes") << 64;
    }

    void turnsDenseAboveTheSparseLimit() {
        QFETCH(int, stepMinutes);
        const QString uid = uniqueUid(QStringLiteral("grow"));
        const QByteArray key = LuaMeter::key(uid);
        std::map<std::int64_t, std::int64_t> buckets;
        std::int64_t minute = unixMinute(kStart);
        int ms = 1;
        auto step = [&](int seconds) {
            const TimePoint now = fromUnixMinute(minute) + std::chrono::seconds(seconds);
            ms = ms * 7 % 60'001;
            buckets[minute] += ms;
            const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, ms, now));
            minute += stepMinutes;
            return r.ok() && r->totals == metering::sumWindows(buckets, now);
        };
        // With a step of 64 minutes at most 158 minutes fit in a week: old pairs leave as new ones come.
        const bool staysSparse = stepMinutes == 64;
        for (int i = 0; i < (staysSparse ? 200 : LuaMeter::kSparseMaxPairs); ++i) {
            QVERIFY(step(i % 60));
        }
        QCOMPARE(formOf(*m_client, key), Form::Sparse);
        QCOMPARE(run(*m_client, {"STRLEN", key})->integerValue(),
                 LuaMeter::kSparseHeaderBytes +
                     (staysSparse ? 158 : LuaMeter::kSparseMaxPairs) * LuaMeter::kSparsePairBytes);
        QVERIFY(step(0));
        QCOMPARE(formOf(*m_client, key), staysSparse ? Form::Sparse : Form::Dense);
        // And carries on exactly in either form: across hours, days and the week's edge.
        for (int i = 0; i < 300; ++i) {
            QVERIFY(step((i * 13) % 60));
            if (i % 50 == 0) {
                minute += 24 * 60 + 17;
            }
        }
        QCOMPARE(formOf(*m_client, key), staysSparse ? Form::Sparse : Form::Dense);
        // The minute's counter clips at 65,535 ms in either form.
        const TimePoint now = fromUnixMinute(minute) + std::chrono::seconds(30);
        QVERIFY(get(m_meter->recordAndCheck(uid, 60'000, now)).ok());
        const Result<MeterReading> clipped = get(m_meter->recordAndCheck(uid, 60'000, now + Milliseconds(10)));
        buckets[minute] += 65'535;
        QVERIFY(clipped.ok());
        QCOMPARE(clipped->clippedMs, 120'000 - 65'535);
        QCOMPARE(clipped->totals, metering::sumWindows(buckets, now + Milliseconds(10)));
    }

    void heavyUserFitsIn40KB() {
        // 12 h of speech a day for 7 days: every minute of 12 h fully spoken.
        const QString uid = uniqueUid(QStringLiteral("heavy"));
        std::map<std::int64_t, std::int64_t> buckets;
        QList<QFuture<Result<MeterReading>>> calls;
        TimePoint last{};
        for (int day = 0; day < 7; ++day) {
            for (int minute = 0; minute < 12 * 60; ++minute) {
                last = kStart + std::chrono::hours(24 * day) + std::chrono::minutes(minute) + Milliseconds(500);
                buckets[unixMinute(last)] += 60'000;
                calls.append(m_meter->recordAndCheck(uid, 60'000, last));
            }
        }
        for (const auto& c : calls) {
            QVERIFY(get(c).ok());
        }
        const Result<MeterReading> final = get(calls.last());
        QCOMPARE(final->totals, metering::sumWindows(buckets, last));
        QCOMPARE(final->totals.weeklyMs, 7LL * 12 * 3600 * 1000);
        QCOMPARE(run(*m_client, {"STRLEN", LuaMeter::key(uid)})->integerValue(), LuaMeter::kValueBytes);
        const std::int64_t bytes = run(*m_client, {"MEMORY", "USAGE", LuaMeter::key(uid)})->integerValue();
        qInfo("MEMORY USAGE for a 12 h/day, 7-day user: %lld bytes", static_cast<long long>(bytes));
        QVERIFY(bytes >= LuaMeter::kValueBytes);
        QVERIFY(bytes <= 40 * 1024);
    }

    void usesServerTimeWhenNoneIsGiven() {
        const QString uid = uniqueUid(QStringLiteral("servertime"));
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 1234));
        QVERIFY(r.ok());
        QCOMPARE(r->totals, (SpeechTotals{1234, 1234, 1234}));
        // Redis TIME and this machine's clock are the same clock here; allow a generous margin (not a timing test).
        const std::int64_t local = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(std::llabs(toUnixMs(r->at) - local) < 3'600'000);
    }

    void reloadsScriptAfterNoscript() {
        const QString uid = uniqueUid(QStringLiteral("noscript"));
        QVERIFY(get(m_meter->recordAndCheck(uid, 10, kStart)).ok());
        QVERIFY(run(*m_client, {"SCRIPT", "FLUSH"}).ok());
        QCOMPARE(run(*m_client, {"SCRIPT", "EXISTS", LuaMeter::scriptSha1()})->elements().first().integerValue(), 0);
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 20, kStart + std::chrono::seconds(5)));
        QVERIFY(r.ok());
        QCOMPARE(r->totals.dailyMs, 30);
        // EVAL cached it under the SHA the client computed, so the next EVALSHA hits.
        QCOMPARE(run(*m_client, {"SCRIPT", "EXISTS", LuaMeter::scriptSha1()})->elements().first().integerValue(), 1);
    }

    void fullMinuteCounterClipsAndSaysSo() {
        const QString uid = uniqueUid(QStringLiteral("clip"));
        QVERIFY(get(m_meter->recordAndCheck(uid, 60'000, kStart)).ok());
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 60'000, kStart + Milliseconds(10)));
        QVERIFY(r.ok());
        QCOMPARE(r->totals.dailyMs, 65'535);
        QCOMPARE(r->clippedMs, 120'000 - 65'535);
        // The sums stay consistent with what is stored: the minute leaves the window whole.
        const Result<MeterReading> later = get(m_meter->recordAndCheck(uid, 0, kStart + std::chrono::hours(25)));
        QCOMPARE(later->totals, (SpeechTotals{0, 65'535, 65'535}));
    }

    void clockSteppingBackIsNoTimePassing() {
        const QString uid = uniqueUid(QStringLiteral("back"));
        QVERIFY(get(m_meter->recordAndCheck(uid, 100, kStart)).ok());
        QVERIFY(get(m_meter->recordAndCheck(uid, 100, kStart + std::chrono::hours(23))).ok());
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 5, kStart - std::chrono::hours(1)));
        QVERIFY(r.ok());
        QCOMPARE(r->at, kStart + std::chrono::hours(23));
        QCOMPARE(r->totals, (SpeechTotals{205, 205, 205}));
    }

    void silenceLongerThanTheRingStartsClean() {
        const QString uid = uniqueUid(QStringLiteral("gap"));
        QVERIFY(get(m_meter->recordAndCheck(uid, 500, kStart)).ok());
        const TimePoint later = kStart + std::chrono::hours(24 * 10) + std::chrono::minutes(7);
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 40, later));
        QCOMPARE(r->totals, (SpeechTotals{40, 40, 40}));
        // The old minute's slot was reused cleanly: exactly one ring length later lands on the same slot.
        const TimePoint sameSlot = fromUnixMinute(unixMinute(later) + LuaMeter::kRingMinutes);
        const Result<MeterReading> r2 = get(m_meter->recordAndCheck(uid, 7, sameSlot));
        QCOMPARE(r2->totals, (SpeechTotals{7, 7, 7}));
        const std::int64_t pttl = run(*m_client, {"PTTL", LuaMeter::key(uid)})->integerValue();
        QVERIFY(pttl > 7LL * 24 * 3600 * 1000);
        QVERIFY(pttl <= std::chrono::milliseconds(LuaMeter::kTtl + LuaMeter::kTtlSlack).count());
    }

    void rejectsBadInput_data() {
        QTest::addColumn<QString>("uid");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("negative") << QStringLiteral("u") << qint64(-5);
        QTest::newRow("absurd") << QStringLiteral("u") << qint64(3'600'000);
        QTest::newRow("brace in uid") << QStringLiteral("a}b") << qint64(5);
        QTest::newRow("empty uid") << QString() << qint64(5);
    }

    void rejectsBadInput() {
        QFETCH(QString, uid);
        QFETCH(qint64, ms);
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, ms, kStart));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Invalid);
    }

    void rejectsTimesOutsideItsRange() {
        for (const std::int64_t ms : {std::int64_t{-1}, LuaMeter::kLatestUnixMs + 1}) {
            const Result<MeterReading> r = get(m_meter->recordAndCheck(QStringLiteral("u"), 5, fromUnixMs(ms)));
            QVERIFY(!r.ok());
            QCOMPARE(r.error().kind, ErrorKind::Invalid);
        }
        const QString uid = uniqueUid(QStringLiteral("latest"));
        // Near the end of the range the arithmetic is still exact: two hours before it, then at its last ms.
        const TimePoint late = fromUnixMs(LuaMeter::kLatestUnixMs) - std::chrono::hours(2);
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 5, late));
        QVERIFY(r.ok());
        QCOMPARE(r->totals, (SpeechTotals{5, 5, 5}));
        const Result<MeterReading> next = get(m_meter->recordAndCheck(uid, 7, fromUnixMs(LuaMeter::kLatestUnixMs)));
        QVERIFY(next.ok());
        QCOMPARE(next->totals, (SpeechTotals{12, 12, 12}));
        QCOMPARE(next->at, fromUnixMs(LuaMeter::kLatestUnixMs));
    }

    void damagedValueIsRebuilt_data() {
        // Each row damages the value after one call of 100 ms at kStart (dense rows: after kSparseMaxPairs + 1 calls
        // of 1 ms in the minutes before, which make it dense); RESP commands run through the test client.
        const QByteArray key = QByteArrayLiteral("%KEY%");
        const int header = LuaMeter::kValueBytes - 18;
        const int hourRing = 3 * LuaMeter::kRingMinutes;
        const std::int64_t startMs = toUnixMs(kStart);
        const std::int64_t m0 = unixMinute(kStart);
        QTest::addColumn<bool>("dense");
        QTest::addColumn<QList<QList<QByteArray>>>("damage");
        QTest::newRow("sparse: bad magic") << false << QList<QList<QByteArray>>{{"SETRANGE", key, "0", "\xf3"}};
        QTest::newRow("sparse: one byte too long") << false << QList<QList<QByteArray>>{{"APPEND", key, "x"}};
        QTest::newRow("sparse: header cut") << false << QList<QList<QByteArray>>{{"SET", key, "\xf5\0\0"}};
        QTest::newRow("sparse: pairs not ascending")
            << false << QList<QList<QByteArray>>{{"SET", key, sparseValue(startMs, {{m0, 5}, {m0 - 1, 5}})}};
        QTest::newRow("sparse: the same minute twice")
            << false << QList<QList<QByteArray>>{{"SET", key, sparseValue(startMs, {{m0, 5}, {m0, 5}})}};
        QTest::newRow("sparse: a minute after the last call")
            << false << QList<QList<QByteArray>>{{"SET", key, sparseValue(startMs, {{m0, 5}, {m0 + 1, 5}})}};
        QTest::newRow("sparse: a pair of 0 ms")
            << false << QList<QList<QByteArray>>{{"SET", key, sparseValue(startMs, {{m0 - 1, 0}, {m0, 5}})}};
        QTest::newRow("sparse: last call before 1970")
            << false << QList<QList<QByteArray>>{{"SET", key, sparseValue(-1, {{m0, 5}})}};
        QList<std::pair<std::int64_t, int>> tooMany;
        for (int i = 0; i <= LuaMeter::kSparseMaxPairs; ++i) {
            tooMany.append({m0 - LuaMeter::kSparseMaxPairs + i, 5});
        }
        QTest::newRow("sparse: more pairs than allowed")
            << false << QList<QList<QByteArray>>{{"SET", key, sparseValue(startMs, tooMany)}};
        QTest::newRow("one byte too long") << true << QList<QList<QByteArray>>{{"APPEND", key, "x"}};
        QTest::newRow("too short") << true << QList<QList<QByteArray>>{{"SET", key, QByteArray(header + 17, '\0')}};
        QTest::newRow("empty string") << true << QList<QList<QByteArray>>{{"SET", key, ""}};
        QTest::newRow("a hash") << true << QList<QList<QByteArray>>{{"DEL", key}, {"HSET", key, "s2", "5"}};
        QTest::newRow("a list") << true << QList<QList<QByteArray>>{{"DEL", key}, {"RPUSH", key, "5"}};
        QTest::newRow("bad magic") << true
                                   << QList<QList<QByteArray>>{{"SETRANGE", key, QByteArray::number(header), "x"}};
        // headVal (u16 at header + 9) larger than cHead (u24 at header + 11): a header that contradicts itself.
        QTest::newRow("header contradicts itself")
            << true
            << QList<QList<QByteArray>>{{"SETRANGE", key, QByteArray::number(header + 9), QByteArray("\xff\xff")}};
        QTest::newRow("minute ring overwritten")
            << true << QList<QList<QByteArray>>{{"SETRANGE", key, "0", QByteArray(hourRing, '\xff')}};
        // Every hour's running total claims 2^31 ms more than the header's: whole-hour sums far beyond a week's.
        QByteArray hours;
        for (int h = 0; h < LuaMeter::kRingMinutes / 60; ++h) {
            hours += QByteArray("\x80\0\0\0", 4);
        }
        QTest::newRow("hour totals overwritten")
            << true << QList<QList<QByteArray>>{{"SETRANGE", key, QByteArray::number(hourRing), hours}};
    }

    void damagedValueIsRebuilt() {
        QFETCH(bool, dense);
        QFETCH(QList<QList<QByteArray>>, damage);
        const QString uid = uniqueUid(QStringLiteral("damaged"));
        if (dense) {
            for (int i = LuaMeter::kSparseMaxPairs + 1; i > 0; --i) {
                QVERIFY(get(m_meter->recordAndCheck(uid, 1, kStart - std::chrono::minutes(i))).ok());
            }
        }
        QVERIFY(get(m_meter->recordAndCheck(uid, 100, kStart)).ok());
        QCOMPARE(formOf(*m_client, LuaMeter::key(uid)), dense ? Form::Dense : Form::Sparse);
        for (QList<QByteArray> command : damage) {
            command.replace(1, LuaMeter::key(uid));
            const Result<RedisReply> r = run(*m_client, command);
            QVERIFY(r.ok() && !r->isError());
        }
        const Result<MeterReading> r = get(m_meter->recordAndCheck(uid, 10, kStart + std::chrono::seconds(1)));
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        QCOMPARE(r->totals, (SpeechTotals{10, 10, 10})); // starts over rather than returning wrong sums
        // ... in the sparse form, with the one minute.
        QCOMPARE(formOf(*m_client, LuaMeter::key(uid)), Form::Sparse);
        QCOMPARE(run(*m_client, {"STRLEN", LuaMeter::key(uid)})->integerValue(),
                 LuaMeter::kSparseHeaderBytes + LuaMeter::kSparsePairBytes);
        QVERIFY(run(*m_client, {"PTTL", LuaMeter::key(uid)})->integerValue() > 0);
        // And carries on from the rebuilt value.
        const Result<MeterReading> next = get(m_meter->recordAndCheck(uid, 5, kStart + std::chrono::minutes(90)));
        QVERIFY(next.ok());
        QCOMPARE(next->totals, (SpeechTotals{15, 15, 15}));
    }

    void fillsAcrossTheRingEnd_data() {
        // Start a few minutes before the ring's last slot (and in its last hour), then skip ahead by amounts that
        // cross the end of the minute ring and of the hour ring, short and long.
        // Dense rows first make the value dense with kSparseMaxPairs + 1 calls in the minutes before the start.
        QTest::addColumn<int>("minutesBeforeEnd");
        QTest::addColumn<QList<int>>("gapsMinutes");
        QTest::addColumn<bool>("dense");
        const QList<int> gaps{1, 2, 5, 6, 7, 59, 61, 65, 200, 1439, 1441, 4321, 10079, 10081, 10199, 10200, 10201, 3};
        for (int before : {1, 2, 3, 30, 61, 125}) {
            QTest::addRow("%d min before the end, dense", before) << before << gaps << true;
            QTest::addRow("%d min before the end, sparse", before) << before << gaps << false;
        }
    }

    void fillsAcrossTheRingEnd() {
        QFETCH(int, minutesBeforeEnd);
        QFETCH(QList<int>, gapsMinutes);
        QFETCH(bool, dense);
        const QString uid = uniqueUid(QStringLiteral("wrap"));
        const std::int64_t r = LuaMeter::kRingMinutes;
        const std::int64_t startMinute = (unixMinute(kStart) / r + 1) * r - minutesBeforeEnd;
        std::map<std::int64_t, std::int64_t> buckets;
        QList<QFuture<Result<MeterReading>>> calls;
        QList<SpeechTotals> expected;
        std::int64_t minute = startMinute;
        std::int64_t ms = 1;
        if (dense) {
            for (int i = LuaMeter::kSparseMaxPairs + 1; i > 0; --i) {
                const TimePoint now = fromUnixMinute(minute - 3 * i) + std::chrono::seconds(i % 60);
                buckets[minute - 3 * i] += i;
                calls.append(m_meter->recordAndCheck(uid, i, now));
                expected.append(metering::sumWindows(buckets, now));
            }
            QVERIFY(get(calls.last()).ok());
            QCOMPARE(formOf(*m_client, LuaMeter::key(uid)), Form::Dense);
        }
        // Each gap twice: once landing on the minute (second 0), once late in it (second 59).
        for (int round = 0; round < 2; ++round) {
            for (int gap : gapsMinutes) {
                for (int i = 0; i < 3; ++i) {
                    const TimePoint now = fromUnixMinute(minute) + std::chrono::seconds(round == 0 ? 0 : 59);
                    ms = ms * 7 % 3001;
                    buckets[minute] += ms;
                    calls.append(m_meter->recordAndCheck(uid, ms, now));
                    expected.append(metering::sumWindows(buckets, now));
                    minute += gap;
                }
            }
        }
        for (qsizetype i = 0; i < calls.size(); ++i) {
            const Result<MeterReading> got = get(calls[i]);
            QVERIFY2(got.ok(), got.ok() ? "" : qPrintable(got.error().message));
            QCOMPARE(got->totals, expected[i]);
        }
    }

    void destroyedWithCallsInFlight() {
        const quint16 port = fixturePort(QStringLiteral("redis"));
        REQUIRE_REDIS(port);
        const RedisConfig config = localConfig(port);
        const QString uid = uniqueUid(QStringLiteral("inflight"));
        QList<QFuture<Result<MeterReading>>> calls;

        // The meter goes first, its client stays: every call finishes, as "closed", and nothing runs on a dead meter.
        auto* client = new RedisClient(config);
        auto* meter = new LuaMeter(client);
        for (int i = 0; i < 20; ++i) {
            calls.append(meter->recordAndCheck(uid, 10, kStart + std::chrono::seconds(i)));
        }
        delete meter;
        for (const auto& c : calls) {
            const Result<MeterReading> r = get(c);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        }
        delete client;

        // The client goes first: its calls fail with its error, and the meter refuses new calls instead of crashing.
        calls.clear();
        client = new RedisClient(config);
        meter = new LuaMeter(client);
        for (int i = 0; i < 20; ++i) {
            calls.append(meter->recordAndCheck(uid, 10, kStart + std::chrono::seconds(i)));
        }
        delete client;
        for (const auto& c : calls) {
            const Result<MeterReading> r = get(c);
            QVERIFY(!r.ok());
            QCOMPARE(r.error().kind, ErrorKind::Unavailable);
        }
        const Result<MeterReading> after = get(meter->recordAndCheck(uid, 10, kStart));
        QVERIFY(!after.ok());
        QCOMPARE(after.error().kind, ErrorKind::Unavailable);
        delete meter;

        // Some calls answered, some in flight, then the meter dies while the event loop runs the replies.
        calls.clear();
        client = new RedisClient(config);
        meter = new LuaMeter(client);
        QVERIFY(get(meter->recordAndCheck(uid, 0, kStart)).ok());
        for (int i = 0; i < 200; ++i) {
            calls.append(meter->recordAndCheck(uid, 1, kStart + std::chrono::milliseconds(i)));
        }
        QTimer::singleShot(0, meter, [meter] { delete meter; });
        int ok = 0;
        for (const auto& c : calls) {
            const Result<MeterReading> r = get(c);
            if (r.ok()) {
                ++ok;
            } else {
                QCOMPARE(r.error().kind, ErrorKind::Unavailable);
            }
        }
        qInfo("%d of %lld calls answered before the meter was destroyed", ok, static_cast<long long>(calls.size()));
        delete client;
    }

private:
    RedisClient* m_client = nullptr;
    LuaMeter* m_meter = nullptr;
};

QTEST_GUILESS_MAIN(LuaMeterTest)
#include "LuaMeterTest.moc"
