// fairuse-enforcer: the enforcement service. One pass (--once), or a pass every interval, over the backend's Redis and
// Firestore with the shared core deciding (services/enforcer/EnforcerPass.h); see --help.
#include "EnforcerCommandLine.h"

#include "common/Await.h"
#include "enforcer/ClassifierReruns.h"
#include "enforcer/EnforcerHttp.h"
#include "enforcer/EnforcerMetrics.h"
#include "enforcer/EnforcerPass.h"
#include "enforcer/PromptEvaluations.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/ServiceHeartbeatDocument.h"
#include "llm/HeuristicClassifierService.h"
#include "llm/OpenAiClassifier.h"
#include "logging/Logging.h"
#include "redis/RedisCluster.h"
#include "redis/RedisKeyspaceSubscriber.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QTextStream>
#include <QTimer>

#include <chrono>
#include <csignal>
#include <functional>
#include <memory>

using namespace fairuse;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitBackendFailed = 1;
constexpr int kExitUsage = 2;
/** Between passes, users notified since the last batch are evaluated this often (issue 12: "within seconds"). */
constexpr std::chrono::milliseconds kPromptBatchPeriod{2000};

/** The Firestore credential and the identity it gives the service. */
struct Credential {
    std::shared_ptr<services::TokenProvider> tokens;
    QString identity;
};

Result<Credential> credentialFor(const enforcer::CommandLine& c) {
    if (c.firestore.isEmulator()) {
        // The emulator's owner access has no identity of its own: configuration names the service.
        return Credential{services::StaticToken::emulatorOwner(), c.identity};
    }
    // Production: a service account's key. Who the records name is the key's client_email, nothing typed.
    const QString keyFile = qEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS");
    if (keyFile.isEmpty()) {
        return Error::invalid(QStringLiteral("GOOGLE_APPLICATION_CREDENTIALS must name the service account's key"));
    }
    QFile f(keyFile);
    if (!f.open(QIODevice::ReadOnly)) {
        return Error::invalid(QStringLiteral("cannot read the service account's key %1").arg(keyFile));
    }
    auto token = services::ServiceAccountToken::fromKeyJson(f.readAll());
    if (!token) {
        return token.error();
    }
    const QString email = token.value()->email();
    if (!c.identity.isEmpty() && c.identity.compare(email, Qt::CaseInsensitive) != 0) {
        return Error::invalid(
            QStringLiteral("--identity %1 is not the service account's identity %2").arg(c.identity, email));
    }
    return Credential{token.value(), email};
}

/** Set by SIGTERM and SIGINT: the pass in flight ends after its current user, the loop exits. */
volatile std::sig_atomic_t g_stop = 0;

void onStopSignal(int) {
    g_stop = 1;
}

TimePoint clockNow() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

/** Waits until `until` while the event loop runs, calling `tick` every 200 ms (the prompt evaluations) and `every`
 *  every `period` (the re-run requests); false when a stop was requested first. */
bool waitUntil(TimePoint until, const std::function<void()>& tick, std::chrono::milliseconds period,
               const std::function<void()>& every) {
    TimePoint next = clockNow() + period;
    while (g_stop == 0 && clockNow() < until) {
        QEventLoop loop;
        QTimer::singleShot(200, &loop, &QEventLoop::quit);
        loop.exec();
        tick();
        if (g_stop == 0 && clockNow() >= next) {
            every();
            next = clockNow() + period;
        }
    }
    return g_stop == 0;
}

/**
 * What /healthz says went wrong in a pass with backend errors: the backend's own answer now (a PING; for Firestore
 * the heartbeat's write, `heartbeatError`), which names the cause ("connection refused"), else the count of errors
 * the log details.
 */
QStringList backendProblems(const services::PassReport& report, services::RedisCommands& redis,
                            const QString& heartbeatError) {
    constexpr int kProbeTimeoutMs = 5000;
    QStringList problems;
    if (report.redisErrors > 0) {
        const auto pong = services::awaitResult(redis.command({"PING"}), kProbeTimeoutMs);
        problems.append(pong
                            ? QStringLiteral("redis: %1 error(s) in the last pass, see the log").arg(report.redisErrors)
                            : QStringLiteral("redis: %1").arg(pong.error().message));
    }
    if (report.firestoreErrors > 0 || !heartbeatError.isEmpty()) {
        problems.append(
            heartbeatError.isEmpty()
                ? QStringLiteral("firestore: %1 error(s) in the last pass, see the log").arg(report.firestoreErrors)
                : QStringLiteral("firestore: %1").arg(heartbeatError));
    }
    return problems;
}

/** Writes this instance's heartbeat (fair_use_service/{instance}) for the console. A failure is logged and returned
 *  (its message), not fatal. */
QString writeHeartbeat(services::FirestoreClient& firestore, const ServiceHeartbeat& h) {
    constexpr int kTimeoutMs = 30000;
    const auto written =
        services::awaitResult(firestore.commit({services::FirestoreWrite::set(
                                  services::serviceHeartbeatPath(h.instance), services::encodeServiceHeartbeat(h))}),
                              kTimeoutMs);
    if (!written) {
        qCWarning(lcEnforcer).noquote() << "heartbeat" << services::serviceHeartbeatPath(h.instance)
                                        << "not written:" << written.error().message;
        return written.error().message;
    }
    return QString();
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fairuse-enforcer"));
    QCoreApplication::setOrganizationName(QStringLiteral("fairuse"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FAIRUSE_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    const Result<enforcer::CommandLine> parsed = enforcer::parseCommandLine(args);
    if (!parsed) {
        err << "fairuse-enforcer: " << parsed.error().message << "\n(fairuse-enforcer --help lists the options)\n";
        return kExitUsage;
    }
    const enforcer::CommandLine& c = *parsed;
    if (c.help) {
        out << enforcer::helpText();
        return kExitOk;
    }
    if (c.version) {
        out << "fairuse-enforcer " << QCoreApplication::applicationVersion() << "\n";
        return kExitOk;
    }
    if (const Status logging =
            services::installLogging(c.logDir.isEmpty() ? services::defaultLogDir() : c.logDir, true);
        !logging) {
        err << "fairuse-enforcer: logging: " << logging.error().message << "\n";
        return kExitUsage;
    }
    for (const QString& w : c.warnings) {
        qCWarning(lcEnforcer).noquote() << w;
    }
    const Result<Credential> credential = credentialFor(c);
    if (!credential) {
        err << "fairuse-enforcer: " << credential.error().message << "\n";
        return kExitUsage;
    }
    if (!c.llmBaseUrl.isEmpty() && c.llmKey.isEmpty()) {
        err << "fairuse-enforcer: --llm-base-url needs the API key in " << enforcer::kLlmKeyVariable << "\n";
        return kExitUsage;
    }

    std::unique_ptr<services::RedisClient> server;
    std::unique_ptr<services::RedisClusterClient> cluster;
    services::RedisCommands* redis = nullptr;
    if (c.redisCluster) {
        cluster = std::make_unique<services::RedisClusterClient>(c.redis);
        redis = cluster.get();
    } else {
        server = std::make_unique<services::RedisClient>(c.redis);
        redis = server.get();
    }
    services::RedisUsageStore usage(redis);
    auto firestore = std::make_shared<services::FirestoreClient>(c.firestore, credential->tokens);
    services::FirestoreCaseStore::Options storeOptions;
    storeOptions.enrichQueueRows = false;
    storeOptions.clientVersion = QStringLiteral("fairuse-enforcer/%1").arg(QCoreApplication::applicationVersion());
    services::FirestoreCaseStore cases(firestore, storeOptions);

    std::unique_ptr<services::ClassifierService> classifier;
    if (c.llmBaseUrl.isEmpty()) {
        classifier = std::make_unique<services::HeuristicClassifierService>();
    } else {
        services::OpenAiClassifierConfig llm;
        llm.baseUrl = c.llmBaseUrl;
        llm.model = c.llmModel;
        classifier = std::make_unique<services::OpenAiClassifier>(llm, c.llmKey);
    }

    services::EnforcerOptions options;
    options.policy = c.policy;
    options.identity = {credential->identity, QString(), storeOptions.clientVersion};
    options.shadow = c.shadow;
    options.instanceName =
        !c.instanceName.isEmpty()
            ? c.instanceName
            : QStringLiteral("%1:%2").arg(QSysInfo::machineHostName()).arg(QCoreApplication::applicationPid());
    options.leaseTtl = c.leaseTtl;
    options.ledgerPolicy = c.ledger;
    options.instanceToken = QSysInfo::machineHostName().toUtf8() + ':' +
                            QByteArray::number(QCoreApplication::applicationPid()) + ':' +
                            QByteArray::number(QRandomGenerator::system()->generate64(), 16);
    // The heuristic answers at once: a short lock lets another instance take a dead one's user over soon.
    options.classifierLockTtl = std::chrono::seconds(10);
    if (!c.llmBaseUrl.isEmpty()) {
        // The lock must outlive the slowest classifier call (every attempt timing out, with the backoff between them),
        // or a second instance could classify the same user meanwhile.
        const services::OpenAiClassifierConfig llm;
        options.classifierLockTtl = std::chrono::milliseconds(
            static_cast<std::int64_t>(llm.requestTimeoutMs + llm.maxBackoffMs) * (llm.maxRetries + 1));
    }
    options.stopRequested = [] { return g_stop != 0; };
    std::signal(SIGTERM, onStopSignal);
    std::signal(SIGINT, onStopSignal);

    const auto sink = [&out](const QJsonObject& line) {
        out << QJsonDocument(line).toJson(QJsonDocument::Compact) << "\n";
        out.flush();
    };
    services::EnforcerMetrics metrics({QCoreApplication::applicationVersion(), c.shadow, c.interval});
    std::unique_ptr<services::EnforcerHttp> http;
    if (c.listen) {
        http = std::make_unique<services::EnforcerHttp>(&metrics, clockNow);
        const Result<quint16> port = http->start(c.listen->host, c.listen->port);
        if (!port) {
            err << "fairuse-enforcer: --listen: " << port.error().message << "\n";
            return kExitUsage;
        }
        const QString address = c.listen->host.protocol() == QAbstractSocket::IPv6Protocol
                                    ? QStringLiteral("[%1]:%2").arg(c.listen->host.toString()).arg(*port)
                                    : QStringLiteral("%1:%2").arg(c.listen->host.toString()).arg(*port);
        sink(QJsonObject{{QStringLiteral("listening"), address}});
        qCInfo(lcEnforcer).noquote() << "serving /metrics and /healthz on" << address;
    }
    ServiceHeartbeat heartbeat;
    heartbeat.instance = options.instanceName;
    heartbeat.version = QCoreApplication::applicationVersion();
    heartbeat.shadow = c.shadow;
    heartbeat.intervalS = c.once ? 0 : c.interval.count();

    // Keyspace notifications (issue 12): users whose speech arrives between passes are evaluated within seconds. A
    // hint only: the pass's SCAN still finds everybody, whether notifications are off, lost or late.
    std::unique_ptr<services::RedisKeyspaceSubscriber> subscriber;
    services::PromptEvaluations prompt(c.policy.checkInterval, kPromptBatchPeriod);
    const auto subscriberNodes = [&]() {
        if (!cluster) {
            return QList<services::RedisConfig>{c.redis};
        }
        QList<services::RedisConfig> nodes; // every master publishes its own keys' events only
        for (const services::ClusterNode& master : cluster->masters()) {
            services::RedisConfig node = c.redis;
            node.host = master.host;
            node.port = master.port;
            nodes.append(node);
        }
        return nodes;
    };
    if (c.notifications) {
        subscriber = std::make_unique<services::RedisKeyspaceSubscriber>();
        QObject::connect(subscriber.get(), &services::RedisKeyspaceSubscriber::bucketWritten, &app,
                         [&prompt](const QString& uid) { prompt.notified(uid); });
        QObject::connect(subscriber.get(), &services::RedisKeyspaceSubscriber::subscribed, &app,
                         [&sink](const QString& node) {
                             sink(QJsonObject{{QStringLiteral("notifications"), QStringLiteral("subscribed")},
                                              {QStringLiteral("node"), node}});
                         });
        QObject::connect(subscriber.get(), &services::RedisKeyspaceSubscriber::notificationsLost, &app,
                         [&sink](const QString& node, const QString& reason) {
                             sink(QJsonObject{{QStringLiteral("notifications"), QStringLiteral("lost")},
                                              {QStringLiteral("node"), node},
                                              {QStringLiteral("reason"), reason}});
                         });
        if (cluster) {
            if (const auto map = services::awaitResult(cluster->refresh(), 30000); !map) {
                qCWarning(lcEnforcer).noquote()
                    << "cluster map unreadable, notifications wait for the first pass:" << map.error().message;
            }
        }
        subscriber->setNodes(subscriberNodes()); // none yet for a cluster whose map is unread: after the pass
    }
    const auto promptSink = [&sink](QJsonObject line) {
        line.insert(QStringLiteral("prompt"), true);
        sink(line);
    };
    const auto noteNotifications = [&] {
        if (subscriber) {
            metrics.setNotificationCounts({true, subscriber->notifications(), subscriber->malformed(),
                                           subscriber->losses(), subscriber->reconnects(), subscriber->nodes(),
                                           subscriber->subscribedNodes()},
                                          clockNow());
        }
    };
    const auto runPromptBatch = [&] {
        if (!subscriber) {
            return;
        }
        noteNotifications();
        const TimePoint now = clockNow();
        const std::optional<services::PromptEvaluations::Batch> batch = prompt.takeDue(now);
        if (!batch) {
            return;
        }
        services::PassReport report;
        if (!batch->uids.isEmpty()) {
            services::EnforcerOptions batchOptions = options;
            batchOptions.now = now;
            services::EnforcerPass pass(redis, &usage, firestore, &cases, classifier.get(), batchOptions, promptSink);
            report = pass.evaluateUsers(batch->uids);
            prompt.covered(now, pass.covered());
            metrics.promptBatchFinished(report);
        }
        QJsonObject line = report.toJson();
        line.insert(QStringLiteral("notified"), batch->notified);
        line.insert(QStringLiteral("users"), static_cast<int>(batch->uids.size()));
        line.insert(QStringLiteral("epoch"), formatRfc3339(batch->epoch));
        out << QJsonDocument(QJsonObject{{QStringLiteral("prompt"), line}}).toJson(QJsonDocument::Compact) << "\n";
        out.flush();
    };

    // The console's re-run requests: after every pass, and every few seconds between passes.
    services::RerunOptions rerunOptions;
    rerunOptions.clock = c.now ? std::function<TimePoint()>([t = *c.now] { return t; }) : clockNow;
    rerunOptions.shadow = c.shadow;
    rerunOptions.classifierLockTtl = options.classifierLockTtl;
    rerunOptions.instance = heartbeat.instance;
    services::ClassifierReruns reruns(redis, &usage, firestore, &cases, classifier.get(), rerunOptions, sink);
    constexpr std::chrono::seconds kRerunPoll(3);
    for (;;) {
        const TimePoint started = clockNow();
        metrics.passStarted(started);
        options.now = c.now.value_or(started); // the core reads no clock: the service passes it in
        qCInfo(lcEnforcer).noquote() << QStringLiteral("pass at %1 on %2 and %3 as %4, classifier %5%6")
                                            .arg(formatRfc3339(options.now), redis->describe(), cases.describe(),
                                                 credential->identity, classifier->describe(),
                                                 c.shadow ? QStringLiteral(", shadow (writes nothing)") : QString());
        services::EnforcerPass pass(redis, &usage, firestore, &cases, classifier.get(), options, sink);
        const services::PassReport report = pass.run();
        const TimePoint finished = clockNow();
        if (subscriber) {
            prompt.covered(options.now, pass.covered());
            // A cluster's masters as the pass last saw them (a map that could not be read drops no subscription).
            if (const QList<services::RedisConfig> nodes = subscriberNodes(); !nodes.isEmpty()) {
                subscriber->setNodes(nodes);
            }
        }
        heartbeat.lastPassStarted = started;
        heartbeat.lastPassFinished = finished;
        heartbeat.durationMs = (finished - started).count();
        heartbeat.usersEvaluated = report.usersEvaluated;
        heartbeat.casesWritten = report.casesWritten;
        heartbeat.errors = report.errors + report.redisErrors + report.firestoreErrors;
        const QString heartbeatError = writeHeartbeat(*firestore, heartbeat);
        noteNotifications();
        metrics.passFinished(report, finished, http ? backendProblems(report, *redis, heartbeatError) : QStringList());
        out << QJsonDocument(QJsonObject{{QStringLiteral("summary"), report.toJson()}}).toJson(QJsonDocument::Compact)
            << "\n";
        out.flush();
        qCInfo(lcEnforcer).noquote() << "fairuse-enforcer:" << report.summary();
        const services::RerunReport rerunReport = reruns.poll();
        metrics.rerunPollFinished(rerunReport);
        services::flushLogging();
        if (c.once) {
            return report.backendsFailed() || rerunReport.backendsFailed() ? kExitBackendFailed : kExitOk;
        }
        // Loop mode: a failed pass is logged and the next one tries again; only a signal ends the service.
        if (!waitUntil(started + c.interval, runPromptBatch, kRerunPoll,
                       [&reruns, &metrics] { metrics.rerunPollFinished(reruns.poll()); })) {
            qCInfo(lcEnforcer) << "stopped";
            services::flushLogging();
            return kExitOk;
        }
    }
}
