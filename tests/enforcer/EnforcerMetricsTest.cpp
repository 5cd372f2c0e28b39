// The enforcement service's /metrics and /healthz: the Prometheus text read back line by line after two passes (a
// HELP and a TYPE per metric, counters summed over the passes, the gauges), the health states, and the HTTP endpoint
// answering on the thread of a pass that is waiting for a backend.
#include "TestTime.h"

#include "common/Await.h"
#include "enforcer/EnforcerHttp.h"
#include "enforcer/EnforcerMetrics.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPromise>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;
using fairuse::testing::at;

namespace {

/** One metric of an exposition: its HELP, TYPE and samples (the sample's name with labels, its value). */
struct Family {
    QString help;
    QString type;
    QHash<QString, QString> samples;
};

/** Reads the text format back; a line it does not understand fails the test through `error`. */
QHash<QString, Family> parseExposition(const QByteArray& text, QString& error) {
    QHash<QString, Family> families;
    if (!text.endsWith('\n')) {
        error = QStringLiteral("the text does not end with a line feed");
    }
    for (const QByteArray& raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.isEmpty()) {
            continue;
        }
        if (line.startsWith(QLatin1String("# HELP ")) || line.startsWith(QLatin1String("# TYPE "))) {
            const QStringList parts = line.mid(7).split(QLatin1Char(' '));
            if (parts.size() < 2) {
                error = QStringLiteral("bad comment line: %1").arg(line);
                continue;
            }
            Family& f = families[parts.first()];
            const QString rest = parts.mid(1).join(QLatin1Char(' '));
            (line.startsWith(QLatin1String("# HELP")) ? f.help : f.type) = rest;
            continue;
        }
        const qsizetype space = line.lastIndexOf(QLatin1Char(' '));
        const QString sample = line.left(space);
        const QString name = sample.section(QLatin1Char('{'), 0, 0);
        if (space <= 0 || !families.contains(name)) {
            error = QStringLiteral("sample before its HELP and TYPE: %1").arg(line);
            continue;
        }
        bool ok = false;
        line.mid(space + 1).toDouble(&ok);
        if (!ok) {
            error = QStringLiteral("value is no number: %1").arg(line);
        }
        families[name].samples.insert(sample, line.mid(space + 1));
    }
    return families;
}

PassReport report(int scale) {
    PassReport r;
    r.usersScanned = 10 * scale;
    r.usersEvaluated = 9 * scale;
    r.capHits = 4 * scale;
    r.classifierCalls = 3 * scale;
    r.classifierFailures = 1 * scale;
    r.casesWritten = 2 * scale;
    r.alreadyWritten = 5 * scale;
    r.expiries = 6 * scale;
    r.redisErrors = 7 * scale;
    r.firestoreErrors = 8 * scale;
    r.shadowRecorded = 11 * scale;
    r.shadowFound = 13 * scale;
    return r;
}

EnforcerMetrics::Settings settings() {
    return {QStringLiteral("0.9.1-\"test\""), true, 60s, 30s};
}

} // namespace

class EnforcerMetricsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void expositionAfterTwoPasses() {
        const TimePoint t0 = at("2026-12-01T12:00:00Z");
        EnforcerMetrics m(settings());
        m.passStarted(t0);
        m.passFinished(report(1), t0 + 1500ms, {});
        m.passStarted(t0 + 60s);
        m.passFinished(report(2), t0 + 62'250ms, {});

        QString error;
        const QHash<QString, Family> f = parseExposition(m.exposition(t0 + 70s), error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QHash<QString, QString> counters{
            {QStringLiteral("passes_total"), QStringLiteral("2")},
            {QStringLiteral("users_scanned_total"), QStringLiteral("30")},
            {QStringLiteral("users_evaluated_total"), QStringLiteral("27")},
            {QStringLiteral("cap_hits_total"), QStringLiteral("12")},
            {QStringLiteral("classifier_calls_total"), QStringLiteral("9")},
            {QStringLiteral("classifier_failures_total"), QStringLiteral("3")},
            {QStringLiteral("cases_written_total"), QStringLiteral("6")},
            {QStringLiteral("already_written_total"), QStringLiteral("15")},
            {QStringLiteral("expiries_total"), QStringLiteral("18")},
            {QStringLiteral("redis_errors_total"), QStringLiteral("21")},
            {QStringLiteral("firestore_errors_total"), QStringLiteral("24")},
            {QStringLiteral("state_writes_total"), QStringLiteral("0")},
            {QStringLiteral("shadow_recorded_total"), QStringLiteral("33")},
            {QStringLiteral("shadow_found_total"), QStringLiteral("39")},
        };
        for (auto it = counters.cbegin(); it != counters.cend(); ++it) {
            const QString name = QStringLiteral("fairuse_enforcer_") + it.key();
            QVERIFY2(f.contains(name), qPrintable(name));
            QCOMPARE(f[name].type, QStringLiteral("counter"));
            QVERIFY2(!f[name].help.isEmpty(), qPrintable(name));
            QCOMPARE(f[name].samples.value(name), it.value());
        }
        const QHash<QString, double> gauges{
            {QStringLiteral("last_pass_timestamp_seconds"), static_cast<double>(toUnixMs(t0 + 62'250ms)) / 1000.0},
            {QStringLiteral("last_pass_duration_seconds"), 2.25},
            {QStringLiteral("lag_seconds"), 10.0}, // since the last completed pass started
            {QStringLiteral("pass_in_progress"), 0.0},
            {QStringLiteral("shadow"), 1.0},
            {QStringLiteral("interval_seconds"), 60.0},
        };
        for (auto it = gauges.cbegin(); it != gauges.cend(); ++it) {
            const QString name = QStringLiteral("fairuse_enforcer_") + it.key();
            QVERIFY2(f.contains(name), qPrintable(name));
            QCOMPARE(f[name].type, QStringLiteral("gauge"));
            QVERIFY2(!f[name].help.isEmpty(), qPrintable(name));
            QCOMPARE(f[name].samples.value(name).toDouble(), it.value());
        }
        const Family info = f.value(QStringLiteral("fairuse_enforcer_build_info"));
        QCOMPARE(info.type, QStringLiteral("gauge"));
        QCOMPARE(info.samples.value(QStringLiteral("fairuse_enforcer_build_info{version=\"0.9.1-\\\"test\\\"\"}")),
                 QStringLiteral("1"));
        for (auto it = f.cbegin(); it != f.cend(); ++it) {
            QVERIFY2(it.value().type != QLatin1String("counter") || it.key().endsWith(QLatin1String("_total")),
                     qPrintable(it.key()));
            QVERIFY2(!it.value().samples.isEmpty(), qPrintable(it.key()));
        }

        // A pass in flight: its age is the lag.
        m.passStarted(t0 + 120s);
        const QHash<QString, Family> during = parseExposition(m.exposition(t0 + 125s), error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(during[QStringLiteral("fairuse_enforcer_pass_in_progress")].samples.value(
                     QStringLiteral("fairuse_enforcer_pass_in_progress")),
                 QStringLiteral("1"));
        QCOMPARE(during[QStringLiteral("fairuse_enforcer_lag_seconds")]
                     .samples.value(QStringLiteral("fairuse_enforcer_lag_seconds"))
                     .toDouble(),
                 5.0);
    }

    void promptEvaluationsAndNotifications() {
        const TimePoint t0 = at("2026-12-01T12:00:00Z");
        EnforcerMetrics m(settings());
        m.passStarted(t0);
        m.passFinished(report(1), t0 + 1s, {});
        PassReport prompt;
        prompt.usersEvaluated = 3;
        prompt.casesWritten = 1;
        prompt.evaluatedElsewhere = 2;
        m.promptBatchFinished(prompt);
        m.promptBatchFinished(prompt);
        m.setNotificationCounts(
            {true, 41, 2, 1, 1, {QStringLiteral("127.0.0.1:6379")}, {QStringLiteral("127.0.0.1:6379")}}, t0 + 5s);

        QString error;
        const QHash<QString, Family> f = parseExposition(m.exposition(t0 + 10s), error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QHash<QString, QString> expected{
            {QStringLiteral("passes_total"), QStringLiteral("1")}, // a batch is no pass
            {QStringLiteral("users_evaluated_total"), QStringLiteral("15")},
            {QStringLiteral("cases_written_total"), QStringLiteral("4")},
            {QStringLiteral("evaluated_elsewhere_total"), QStringLiteral("4")},
            {QStringLiteral("prompt_batches_total"), QStringLiteral("2")},
            {QStringLiteral("prompt_evaluations_total"), QStringLiteral("6")},
            {QStringLiteral("notifications_received_total"), QStringLiteral("41")},
            {QStringLiteral("notifications_malformed_total"), QStringLiteral("2")},
            {QStringLiteral("notifications_lost_total"), QStringLiteral("1")},
            {QStringLiteral("subscriber_reconnects_total"), QStringLiteral("1")},
            {QStringLiteral("notifications_enabled"), QStringLiteral("1")},
        };
        for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
            const QString name = QStringLiteral("fairuse_enforcer_") + it.key();
            QVERIFY2(f.contains(name), qPrintable(name));
            QVERIFY2(!f[name].help.isEmpty(), qPrintable(name));
            QCOMPARE(f[name].samples.value(name), it.value());
        }
        const QHash<QString, Family> off = parseExposition(EnforcerMetrics(settings()).exposition(t0), error);
        QCOMPARE(off[QStringLiteral("fairuse_enforcer_notifications_enabled")].samples.value(
                     QStringLiteral("fairuse_enforcer_notifications_enabled")),
                 QStringLiteral("0"));
    }

    void rerunRequests() {
        const TimePoint t0 = at("2026-12-01T12:00:00Z");
        EnforcerMetrics m(settings());
        QString error;
        QHash<QString, Family> f = parseExposition(m.exposition(t0), error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(f[QStringLiteral("fairuse_enforcer_rerun_answered_total")].samples.value(
                     QStringLiteral("fairuse_enforcer_rerun_answered_total")),
                 QStringLiteral("0"));
        QVERIFY(!f.contains(QStringLiteral("fairuse_enforcer_rerun_answer_lag_seconds"))); // nothing answered yet

        RerunReport first;
        first.requests = 4;
        first.answered = 2;
        first.failed = 1;
        first.stale = 1;
        first.newestAnswerLag = 2500ms;
        m.rerunPollFinished(first);
        RerunReport second; // answers nothing: the lag stays the last answer's
        second.requests = 3;
        second.alreadyAnswered = 1;
        second.lockedElsewhere = 1;
        second.firestoreErrors = 1;
        second.redisErrors = 1;
        m.rerunPollFinished(second);

        f = parseExposition(m.exposition(t0 + 10s), error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QHash<QString, QString> expected{
            {QStringLiteral("rerun_polls_total"), QStringLiteral("2")},
            {QStringLiteral("rerun_requests_total"), QStringLiteral("7")},
            {QStringLiteral("rerun_answered_total"), QStringLiteral("2")},
            {QStringLiteral("rerun_failed_total"), QStringLiteral("1")},
            {QStringLiteral("rerun_already_answered_total"), QStringLiteral("1")},
            {QStringLiteral("rerun_stale_total"), QStringLiteral("1")},
            {QStringLiteral("rerun_locked_elsewhere_total"), QStringLiteral("1")},
            {QStringLiteral("rerun_backend_errors_total"), QStringLiteral("2")},
            {QStringLiteral("rerun_answer_lag_seconds"), QStringLiteral("2.500")},
            {QStringLiteral("passes_total"), QStringLiteral("0")}, // a poll is no pass
            {QStringLiteral("firestore_errors_total"), QStringLiteral("0")},
        };
        for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
            const QString name = QStringLiteral("fairuse_enforcer_") + it.key();
            QVERIFY2(f.contains(name), qPrintable(name));
            QVERIFY2(!f[name].help.isEmpty(), qPrintable(name));
            QCOMPARE(f[name].type,
                     it.key().endsWith(QLatin1String("_total")) ? QStringLiteral("counter") : QStringLiteral("gauge"));
            QCOMPARE(f[name].samples.value(name), it.value());
        }

        RerunReport third;
        third.requests = 1;
        third.answered = 1;
        third.newestAnswerLag = 400ms;
        m.rerunPollFinished(third);
        f = parseExposition(m.exposition(t0 + 20s), error);
        QCOMPARE(f[QStringLiteral("fairuse_enforcer_rerun_answer_lag_seconds")].samples.value(
                     QStringLiteral("fairuse_enforcer_rerun_answer_lag_seconds")),
                 QStringLiteral("0.400"));
    }

    void beforeAnyPass() {
        EnforcerMetrics m(settings());
        QString error;
        const QHash<QString, Family> f = parseExposition(m.exposition(at("2026-12-01T12:00:00Z")), error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(f[QStringLiteral("fairuse_enforcer_passes_total")].samples.value(
                     QStringLiteral("fairuse_enforcer_passes_total")),
                 QStringLiteral("0"));
        QVERIFY(!f.contains(QStringLiteral("fairuse_enforcer_last_pass_timestamp_seconds"))); // no made-up 0
    }

    void health_data() {
        QTest::addColumn<int>("passes");
        QTest::addColumn<QStringList>("problems");
        QTest::addColumn<int>("secondsAfter"); ///< after the last pass started
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("says");
        QTest::newRow("starting") << 0 << QStringList() << 0 << 503 << QStringLiteral("starting");
        QTest::newRow("healthy") << 1 << QStringList() << 10 << 200 << QString();
        QTest::newRow("just below stale") << 1 << QStringList() << 149 << 200 << QString();
        QTest::newRow("stale") << 1 << QStringList() << 150 << 503 << QStringLiteral("no pass completed in 148 s");
        QTest::newRow("redis") << 1 << QStringList{QStringLiteral("redis: Connection refused")} << 10 << 503
                               << QStringLiteral("redis: Connection refused");
        QTest::newRow("firestore") << 1 << QStringList{QStringLiteral("firestore: unavailable")} << 10 << 503
                                   << QStringLiteral("firestore: unavailable");
    }
    void health() {
        QFETCH(int, passes);
        QFETCH(QStringList, problems);
        QFETCH(int, secondsAfter);
        QFETCH(int, status);
        QFETCH(QString, says);
        const TimePoint t0 = at("2026-12-01T12:00:00Z");
        EnforcerMetrics m(settings()); // interval 60 s, grace 30 s: stale from 150 s
        if (passes > 0) {
            m.passStarted(t0);
            m.passFinished(PassReport{}, t0 + 2s, problems);
        }
        const EnforcerHealth h = m.health(t0 + std::chrono::seconds(secondsAfter));
        QCOMPARE(h.httpStatus, status);
        const QStringList said = h.body.value(QStringLiteral("problems")).toVariant().toStringList();
        if (says.isEmpty()) {
            QCOMPARE(h.body.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
            QVERIFY(said.isEmpty());
        } else {
            QVERIFY2(said.join(QLatin1Char('\n')).contains(says), qPrintable(said.join(QLatin1Char('\n'))));
        }
    }

    void healthOfNotifications_data() {
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<QStringList>("nodes");
        QTest::addColumn<QStringList>("subscribed"); ///< at t0 + 2 s
        QTest::addColumn<bool>("backAt30");          ///< every node subscribed at t0 + 32 s
        QTest::addColumn<QStringList>("problems");
        QTest::addColumn<int>("secondsAfter");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("says");
        const QStringList two{QStringLiteral("10.0.0.1:6379"), QStringLiteral("10.0.0.2:6379")};
        const QStringList first{QStringLiteral("10.0.0.1:6379")};
        const QStringList redis{QStringLiteral("redis: Connection refused")};
        // --no-notifications: nothing subscribed, nothing said.
        QTest::newRow("off") << false << QStringList() << QStringList() << false << QStringList() << 120 << 200
                             << QStringLiteral("ok") << QString();
        QTest::newRow("every node subscribed")
            << true << two << two << false << QStringList() << 120 << 200 << QStringLiteral("ok") << QString();
        QTest::newRow("a node down within the grace")
            << true << two << first << false << QStringList() << 61 << 200 << QStringLiteral("ok") << QString();
        QTest::newRow("a node down past the grace")
            << true << two << first << false << QStringList() << 63 << 200 << QStringLiteral("degraded")
            << QStringLiteral("notifications: not subscribed on 10.0.0.2:6379 for 61 s");
        QTest::newRow("a node back") << true << two << first << true << QStringList() << 120 << 200
                                     << QStringLiteral("ok") << QString();
        QTest::newRow("no node to subscribe on")
            << true << QStringList() << QStringList() << false << QStringList() << 100 << 200
            << QStringLiteral("degraded") << QStringLiteral("notifications: no Redis node to subscribe on for 98 s");
        QTest::newRow("degraded and a backend failing")
            << true << two << first << false << redis << 100 << 503 << QStringLiteral("unhealthy")
            << QStringLiteral("not subscribed on 10.0.0.2:6379");
    }
    void healthOfNotifications() {
        QFETCH(bool, enabled);
        QFETCH(QStringList, nodes);
        QFETCH(QStringList, subscribed);
        QFETCH(bool, backAt30);
        QFETCH(QStringList, problems);
        QFETCH(int, secondsAfter);
        QFETCH(int, status);
        QFETCH(QString, state);
        QFETCH(QString, says);
        const TimePoint t0 = at("2026-12-01T12:00:00Z");
        EnforcerMetrics m(settings()); // notifications down from 60 s are a degradation
        m.passStarted(t0);
        m.passFinished(PassReport{}, t0 + 1s, problems);
        m.setNotificationCounts({enabled, 0, 0, 0, 0, nodes, subscribed}, t0 + 2s);
        m.setNotificationCounts({enabled, 5, 0, 1, 0, nodes, subscribed}, t0 + 20s); // still down: since t0 + 2 s
        if (backAt30) {
            m.setNotificationCounts({enabled, 9, 0, 1, 1, nodes, nodes}, t0 + 32s);
        }
        const EnforcerHealth h = m.health(t0 + std::chrono::seconds(secondsAfter));
        QCOMPARE(h.httpStatus, status);
        QCOMPARE(h.body.value(QStringLiteral("status")).toString(), state);
        const QStringList degraded = h.body.value(QStringLiteral("degraded")).toVariant().toStringList();
        if (says.isEmpty()) {
            QVERIFY2(degraded.isEmpty(), qPrintable(degraded.join(QLatin1Char('\n'))));
        } else {
            QCOMPARE(degraded.size(), 1);
            QVERIFY2(degraded.first().contains(says), qPrintable(degraded.first()));
        }
        QCOMPARE(h.body.contains(QStringLiteral("notifications")), enabled);
        if (!problems.isEmpty()) {
            QCOMPARE(h.body.value(QStringLiteral("problems")).toVariant().toStringList(), problems);
        }
    }

    void servesWhileAPassAwaits() {
        // The endpoint lives on the pass's thread; the pass waits for its backends with services::await, which spins
        // the event loop. A pass "awaiting" a future that only the HTTP reply completes proves the request is served
        // meanwhile (a blocked thread would time the await out).
        const TimePoint t0 = at("2026-12-01T12:00:00Z");
        EnforcerMetrics metrics(settings());
        metrics.passStarted(t0);
        metrics.passFinished(report(1), t0 + 1s, {});
        metrics.passStarted(t0 + 60s);
        EnforcerHttp http(&metrics, [t0] { return t0 + 61s; });
        const Result<quint16> port = http.start(QHostAddress(QHostAddress::LocalHost), 0);
        QVERIFY2(port.ok(), port ? "" : qPrintable(port.error().message));
        QVERIFY(*port != 0);

        QNetworkAccessManager nam;
        QNetworkReply* reply = nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(*port))));
        QPromise<void> backend;
        backend.start();
        connect(reply, &QNetworkReply::finished, this, [&backend] { backend.finish(); });
        QVERIFY2(await(backend.future(), 20000), "the endpoint did not answer while the pass was waiting");
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toString(),
                 QLatin1String(EnforcerMetrics::kContentType));
        const QByteArray body = reply->readAll();
        QVERIFY2(body.contains("\nfairuse_enforcer_pass_in_progress 1\n"), body.constData());
        QVERIFY2(body.contains("\nfairuse_enforcer_users_evaluated_total 9\n"), body.constData());
        reply->deleteLater();
    }

    void routes_data() {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::newRow("metrics") << QByteArray("GET") << QStringLiteral("/metrics") << 200;
        QTest::newRow("healthz starting") << QByteArray("GET") << QStringLiteral("/healthz") << 503;
        QTest::newRow("unknown path") << QByteArray("GET") << QStringLiteral("/admin") << 404;
        QTest::newRow("root") << QByteArray("GET") << QStringLiteral("/") << 404;
        QTest::newRow("post metrics") << QByteArray("POST") << QStringLiteral("/metrics") << 405;
        QTest::newRow("delete healthz") << QByteArray("DELETE") << QStringLiteral("/healthz") << 405;
    }
    void routes() {
        QFETCH(QByteArray, verb);
        QFETCH(QString, path);
        QFETCH(int, status);
        EnforcerMetrics metrics(settings());
        EnforcerHttp http(&metrics, [] { return at("2026-12-01T12:00:00Z"); });
        const Result<quint16> port = http.start(QHostAddress(QHostAddress::LocalHost), 0);
        QVERIFY(port.ok());
        QNetworkAccessManager nam;
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(*port).arg(path)));
        QNetworkReply* reply = nam.sendCustomRequest(request, verb, verb == "POST" ? QByteArray("x") : QByteArray());
        QPromise<void> done;
        done.start();
        connect(reply, &QNetworkReply::finished, this, [&done] { done.finish(); });
        QVERIFY(await(done.future(), 20000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), status);
        if (verb == "GET" && path == QLatin1String("/healthz")) {
            const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
            QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("starting"));
        }
        reply->deleteLater();
    }

    void listenFailureSaysWhy() {
        EnforcerMetrics metrics(settings());
        EnforcerHttp first(&metrics, [] { return TimePoint{}; });
        const Result<quint16> port = first.start(QHostAddress(QHostAddress::LocalHost), 0);
        QVERIFY(port.ok());
        EnforcerHttp second(&metrics, [] { return TimePoint{}; });
        const Result<quint16> taken = second.start(QHostAddress(QHostAddress::LocalHost), *port);
        QVERIFY(!taken.ok());
        QVERIFY2(taken.error().message.contains(QString::number(*port)), qPrintable(taken.error().message));
    }
};

QTEST_GUILESS_MAIN(EnforcerMetricsTest)
#include "EnforcerMetricsTest.moc"
