// fairuse-enforcer: the enforcement service. One pass over the backend's Redis and Firestore with the shared core
// deciding (services/enforcer/EnforcerPass.h); see --help.
#include "EnforcerCommandLine.h"

#include "enforcer/EnforcerPass.h"
#include "firestore/FirestoreAuth.h"
#include "llm/HeuristicClassifierService.h"
#include "llm/OpenAiClassifier.h"
#include "logging/Logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTextStream>

#include <chrono>
#include <memory>

using namespace fairuse;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitBackendFailed = 1;
constexpr int kExitUsage = 2;

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

    services::RedisClient redis(c.redis);
    services::RedisUsageStore usage(&redis);
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
    options.now = c.now.value_or(std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now())); // the core reads no clock: the service passes it in
    options.shadow = c.shadow;

    qCInfo(lcEnforcer).noquote() << QStringLiteral("pass at %1 on %2 and %3 as %4, classifier %5%6")
                                        .arg(formatRfc3339(options.now), redis.describe(), cases.describe(),
                                             credential->identity, classifier->describe(),
                                             c.shadow ? QStringLiteral(", shadow (writes nothing)") : QString());
    services::EnforcerPass pass(&redis, &usage, firestore, &cases, classifier.get(), options,
                                [&out](const QJsonObject& line) {
                                    out << QJsonDocument(line).toJson(QJsonDocument::Compact) << "\n";
                                    out.flush();
                                });
    const services::PassReport report = pass.run();
    out << QJsonDocument(QJsonObject{{QStringLiteral("summary"), report.toJson()}}).toJson(QJsonDocument::Compact)
        << "\n";
    out.flush();
    qCInfo(lcEnforcer).noquote() << "fairuse-enforcer:" << report.summary();
    services::flushLogging();
    return report.backendsFailed() ? kExitBackendFailed : kExitOk;
}
