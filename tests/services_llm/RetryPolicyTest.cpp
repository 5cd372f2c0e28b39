#include "llm/RetryPolicy.h"

#include <QTest>

#include <optional>

using fairuse::services::RetryPolicy;
using std::chrono::milliseconds;

Q_DECLARE_METATYPE(std::optional<milliseconds>)

class TestRetryPolicy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void serverRequestedWait_data();
    void serverRequestedWait();
    void backoff_data();
    void backoff();
    void backoffNeverExceedsCap();
};

void TestRetryPolicy::serverRequestedWait_data() {
    QTest::addColumn<QByteArray>("retryAfterMs");
    QTest::addColumn<QByteArray>("retryAfter");
    QTest::addColumn<std::optional<milliseconds>>("expected");

    using W = std::optional<milliseconds>;
    const W none = std::nullopt;
    const W oneDay = milliseconds(24LL * 3600 * 1000);

    QTest::newRow("no headers") << QByteArray() << QByteArray() << none;
    QTest::newRow("blank headers") << QByteArray("  ") << QByteArray(" ") << none;
    QTest::newRow("ms integer") << QByteArray("1500") << QByteArray() << W(milliseconds(1500));
    QTest::newRow("ms fraction rounds up") << QByteArray("250.2") << QByteArray() << W(milliseconds(251));
    QTest::newRow("ms with spaces") << QByteArray(" 40 ") << QByteArray() << W(milliseconds(40));
    QTest::newRow("ms wins over seconds") << QByteArray("300") << QByteArray("20") << W(milliseconds(300));
    QTest::newRow("junk ms falls back to seconds") << QByteArray("soon") << QByteArray("3") << W(milliseconds(3000));
    QTest::newRow("seconds") << QByteArray() << QByteArray("2") << W(milliseconds(2000));
    QTest::newRow("zero seconds") << QByteArray() << QByteArray("0") << W(milliseconds(0));
    QTest::newRow("fractional seconds") << QByteArray() << QByteArray("0.5") << W(milliseconds(500));
    QTest::newRow("imf date in future") << QByteArray() << QByteArray("Mon, 23 Nov 2026 12:00:07 GMT")
                                        << W(milliseconds(7000));
    QTest::newRow("imf date in past") << QByteArray() << QByteArray("Mon, 23 Nov 2026 11:59:00 GMT")
                                      << W(milliseconds(0));
    QTest::newRow("rfc850 date") << QByteArray() << QByteArray("Monday, 23-Nov-26 12:00:05 GMT")
                                 << W(milliseconds(5000));
    QTest::newRow("asctime date") << QByteArray() << QByteArray("Mon Nov 23 12:00:03 2026") << W(milliseconds(3000));
    QTest::newRow("impossible date") << QByteArray() << QByteArray("Mon, 32 Nov 2026 12:00:00 GMT") << none;
    QTest::newRow("date without zone") << QByteArray() << QByteArray("Mon, 23 Nov 2026 12:00:07") << none;
    QTest::newRow("comma only") << QByteArray() << QByteArray(",") << none;
    QTest::newRow("junk seconds") << QByteArray() << QByteArray("later please") << none;
    QTest::newRow("negative ms") << QByteArray("-5") << QByteArray() << none;
    QTest::newRow("negative seconds") << QByteArray() << QByteArray("-5") << none;
    QTest::newRow("exponent rejected") << QByteArray("1e3") << QByteArray() << none;
    QTest::newRow("inf rejected") << QByteArray("inf") << QByteArray("nan") << none;
    QTest::newRow("two dots") << QByteArray("1.2.3") << QByteArray() << none;
    QTest::newRow("lone dot") << QByteArray(".") << QByteArray() << none;
    QTest::newRow("huge seconds clamp to a day") << QByteArray() << QByteArray("99999999999999999999") << oneDay;
    QTest::newRow("huge ms clamp to a day") << QByteArray("1" + QByteArray(400, '0')) << QByteArray() << oneDay;
    QTest::newRow("binary junk") << QByteArray("\x01\xff", 2) << QByteArray("\x00\x80", 2) << none;
}

void TestRetryPolicy::serverRequestedWait() {
    QFETCH(QByteArray, retryAfterMs);
    QFETCH(QByteArray, retryAfter);
    QFETCH(std::optional<milliseconds>, expected);
    const QDateTime now(QDate(2026, 11, 23), QTime(12, 0, 0), Qt::UTC);
    const auto wait = RetryPolicy::serverRequestedWait(retryAfterMs, retryAfter, now);
    QCOMPARE(wait.has_value(), expected.has_value());
    if (expected) {
        QCOMPARE(wait->count(), expected->count());
    }
}

void TestRetryPolicy::backoff_data() {
    QTest::addColumn<int>("retryIndex");
    QTest::addColumn<double>("random");
    QTest::addColumn<qint64>("expectedMs");

    // initial 500 ms, cap 20 s; equal jitter: step/2 + r * step/2 with step = min(cap, 500 * 2^i).
    QTest::newRow("first retry, r=0") << 0 << 0.0 << qint64(250);
    QTest::newRow("first retry, r=1") << 0 << 1.0 << qint64(500);
    QTest::newRow("second retry, r=0.5") << 1 << 0.5 << qint64(750);
    QTest::newRow("sixth retry, r=1") << 5 << 1.0 << qint64(16000);
    QTest::newRow("seventh retry hits cap") << 6 << 1.0 << qint64(20000);
    QTest::newRow("huge index stays capped") << 1000 << 0.0 << qint64(10000);
    QTest::newRow("negative index acts as first") << -3 << 1.0 << qint64(500);
    QTest::newRow("random below 0 clamps") << 0 << -2.0 << qint64(250);
    QTest::newRow("random above 1 clamps") << 0 << 7.0 << qint64(500);
    QTest::newRow("random NaN takes middle") << 0 << std::nan("") << qint64(375);
}

void TestRetryPolicy::backoff() {
    QFETCH(int, retryIndex);
    QFETCH(double, random);
    QFETCH(qint64, expectedMs);
    RetryPolicy policy;
    policy.initialBackoff = milliseconds(500);
    policy.maxBackoff = milliseconds(20000);
    QCOMPARE(policy.backoff(retryIndex, random).count(), expectedMs);
}

void TestRetryPolicy::backoffNeverExceedsCap() {
    RetryPolicy policy;
    policy.initialBackoff = milliseconds(700);
    policy.maxBackoff = milliseconds(3000);
    for (int i = 0; i < 64; ++i) {
        for (const double r : {0.0, 0.3, 0.99, 1.0}) {
            const auto wait = policy.backoff(i, r);
            QVERIFY2(wait.count() >= 0 && wait <= policy.maxBackoff, qPrintable(QString::number(wait.count())));
        }
    }
}

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "RetryPolicyTest.moc"
