#include "common/Domain.h"
#include "common/Time.h"

#include <QTest>

using namespace fairuse;

class TimeAndDomainTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesRfc3339_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("unixMs");
        QTest::newRow("utc") << QStringLiteral("2026-03-20T10:15:00Z") << qint64(1774001700000);
        QTest::newRow("millis") << QStringLiteral("2026-03-20T10:15:00.123Z") << qint64(1774001700123);
        QTest::newRow("micros truncated") << QStringLiteral("2026-03-20T10:15:00.123456Z") << qint64(1774001700123);
        QTest::newRow("one digit fraction") << QStringLiteral("2026-03-20T10:15:00.5Z") << qint64(1774001700500);
        QTest::newRow("positive offset") << QStringLiteral("2026-03-20T12:15:00+02:00") << qint64(1774001700000);
        QTest::newRow("negative offset") << QStringLiteral("2026-03-20T05:15:00-05:00") << qint64(1774001700000);
        QTest::newRow("lower-case t and z") << QStringLiteral("2026-03-20t10:15:00z") << qint64(1774001700000);
    }
    void parsesRfc3339() {
        QFETCH(QString, text);
        QFETCH(qint64, unixMs);
        const auto t = parseRfc3339(text);
        QVERIFY2(t.ok(), qPrintable(t.ok() ? QString() : t.error().message));
        QCOMPARE(toUnixMs(*t), unixMs);
    }

    void rejectsMalformedTimes_data() {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("no zone") << QStringLiteral("2026-03-20T10:15:00");
        QTest::newRow("date only") << QStringLiteral("2026-03-20");
        QTest::newRow("month 13") << QStringLiteral("2026-13-20T10:15:00Z");
        QTest::newRow("feb 30") << QStringLiteral("2026-02-30T10:15:00Z");
        QTest::newRow("hour 24") << QStringLiteral("2026-03-20T24:00:00Z");
        QTest::newRow("bad offset") << QStringLiteral("2026-03-20T10:15:00+25:00");
        QTest::newRow("junk suffix") << QStringLiteral("2026-03-20T10:15:00Zjunk");
        QTest::newRow("unix number") << QStringLiteral("1774001700");
    }
    void rejectsMalformedTimes() {
        QFETCH(QString, text);
        const auto t = parseRfc3339(text);
        QVERIFY(!t.ok());
        QCOMPARE(t.error().kind, ErrorKind::Invalid);
    }

    void formatsRoundTrip() {
        const auto t = fromUnixMs(1774001700123);
        QCOMPARE(formatRfc3339(t), QStringLiteral("2026-03-20T10:15:00.123Z"));
        QCOMPARE(toUnixMs(*parseRfc3339(formatRfc3339(t))), qint64(1774001700123));
    }

    void unixMinuteMatchesBackend() {
        // Backend: str(int(time.time()) // 60)
        QCOMPARE(unixMinute(fromUnixMs(1774001759999)), qint64(29566695));
        QCOMPARE(unixMinute(fromUnixMs(1774001760000)), qint64(29566696));
        QCOMPARE(toUnixMs(fromUnixMinute(29566696)), qint64(1774001760000));
    }

    void utcDays() {
        QCOMPARE(utcDayKey(fromUnixMs(1774051199999)), QStringLiteral("20260320"));
        QCOMPARE(utcDayKey(fromUnixMs(1774051200000)), QStringLiteral("20260321"));
        QCOMPARE(toUnixMs(nextUtcMidnight(fromUnixMs(1774001700000))), qint64(1774051200000));
        QCOMPARE(toUnixMs(nextUtcMidnight(fromUnixMs(1774051200000))), qint64(1774137600000));
    }

    void enumNamesRoundTrip() {
        for (auto s : {Stage::None, Stage::Warning, Stage::Throttle, Stage::Restrict}) {
            QCOMPARE(stageFromString(toString(s)), std::optional<Stage>(s));
        }
        QCOMPARE(toString(UsageType::TvMovie), QStringLiteral("tv_movie"));
        QCOMPARE(toString(CapWindow::ThreeDay), QStringLiteral("3day"));
        QCOMPARE(usageTypeFromString(QStringLiteral("Audiobook")), std::nullopt);
        QCOMPARE(roleFromString(QStringLiteral("senior_reviewer")), std::optional<Role>(Role::SeniorReviewer));
        QCOMPARE(stageFromString(QStringLiteral("")), std::nullopt);
    }

    void capsFollowPlan() {
        QCOMPARE(Caps::forPlan(Plan::Basic).dailyMs, qint64(7'200'000));
        QCOMPARE(Caps::forPlan(Plan::Unlimited).weeklyMs, qint64(72'000'000));
    }
};

QTEST_GUILESS_MAIN(TimeAndDomainTest)
#include "TimeAndDomainTest.moc"
