#include "ReviewerSession.h"

#include "RedisUrl.h"

#include "common/Await.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"
#include "secrets/KeychainSecretStore.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

namespace fairuse::cli {

namespace {

/** Google Cloud project ids: lower-case letters, digits and hyphens, starting with a letter. */
bool isProjectId(const QString& id) {
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9-]{0,99}$"));
    return re.match(id).hasMatch();
}

} // namespace

const char* const kProjectOptionsHelp =
    "Project options:\n"
    "  --firestore PROJECT     the Firestore project; default: the project of the last fairuse login\n"
    "  --auth-project PROJECT  the Firebase Auth project whose ID tokens the project's security rules trust;\n"
    "                          default: what the login remembered for PROJECT, else PROJECT itself (in production\n"
    "                          they are one project)\n"
    "  --api-key KEY           the Auth project's Web API key (public, but never printed); default:\n"
    "                          FAIRUSE_FIREBASE_API_KEY, else what the login remembered\n"
    "  --emulator              FIRESTORE_EMULATOR_HOST / FIREBASE_AUTH_EMULATOR_HOST point at emulators although\n"
    "                          the project id does not start with demo-; without it they are refused for such a\n"
    "                          project, so a variable left in the shell never replaces a real project\n"
    "  -h, --help              show this help\n";

const char* const StageCache::kHelp =
    "  --redis URL             after a stage change, delete the backend's cached stage fair_use:stage:UID there, as\n"
    "                          the console does (rediss://[USER@]HOST[:PORT][/DB]; password from\n"
    "                          FAIRUSE_REDIS_PASSWORD). Without it the cache runs out within 60 s.\n"
    "  --allow-plaintext-redis accept redis:// (no TLS) to another machine\n";

QString clientVersion() {
    return QStringLiteral("fairuse-cli/%1").arg(QStringLiteral(FAIRUSE_VERSION));
}

TimePoint systemNow() {
    return fromUnixMs(QDateTime::currentMSecsSinceEpoch());
}

QString commandHelp(const char* text) {
    return QString::fromUtf8(text).arg(QString::fromUtf8(kProjectOptionsHelp));
}

void ProjectOptions::addTo(QCommandLineParser& parser) const {
    parser.addOptions({help, firestore, authProject, apiKey, emulator, json});
}

bool parseArguments(QCommandLineParser& parser, const QString& command, const QStringList& args, int maxPositional,
                    Io io) {
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    if (!parser.parse(QStringList{QStringLiteral("fairuse")} + args)) {
        usageError(io, command, parser.errorText());
        return false;
    }
    if (parser.positionalArguments().size() > maxPositional) {
        usageError(io, command,
                   QStringLiteral("%1 unexpected argument(s) (not shown, in case one is a secret)")
                       .arg(parser.positionalArguments().size() - maxPositional));
        return false;
    }
    return true;
}

Result<Target> chooseTarget(const CommandLine& commandLine, const CliSettings& settings) {
    const QCommandLineParser& parser = commandLine.parser;
    const ProjectOptions& options = commandLine.project;
    Target t;
    t.project = parser.isSet(options.firestore) ? parser.value(options.firestore).trimmed() : settings.lastProject();
    if (t.project.isEmpty()) {
        if (parser.isSet(options.firestore)) {
            return Error::invalid(QStringLiteral("--firestore needs a project id"));
        }
        return Error::notFound(
            QStringLiteral("not signed in (no --firestore PROJECT and no earlier login); run fairuse login --firestore "
                           "PROJECT"));
    }
    t.authProject = parser.isSet(options.authProject) ? parser.value(options.authProject).trimmed()
                                                      : settings.authProject(t.project);
    for (const QString& id : {t.project, t.authProject}) {
        if (!isProjectId(id)) {
            return Error::invalid(
                QStringLiteral("\"%1\" is not a project id (lower-case letters, digits and hyphens, starting with a "
                               "letter)")
                    .arg(id.left(100)));
        }
    }
    if (parser.isSet(options.apiKey)) {
        t.apiKey = parser.value(options.apiKey).trimmed();
    } else if (const QString fromEnvironment = qEnvironmentVariable("FAIRUSE_FIREBASE_API_KEY").trimmed();
               !fromEnvironment.isEmpty()) {
        t.apiKey = fromEnvironment;
    } else {
        t.apiKey = settings.apiKey(t.project);
    }

    const bool emulator = parser.isSet(options.emulator);
    auto firestore =
        services::FirestoreConfig::forCommandLine(t.project, qEnvironmentVariable("FIRESTORE_EMULATOR_HOST"), emulator);
    if (!firestore) {
        return Error::invalid(firestore.error().message);
    }
    t.firestore = *firestore;
    t.auth = services::FirebaseAuthConfig::fromEnvironment(t.authProject, t.apiKey);
    t.auth.requestTimeoutMs = kCallTimeoutMs / 2;
    if (t.auth.isEmulator() && !emulator && !services::FirestoreConfig::isDemoProject(t.authProject)) {
        return Error::invalid(
            QStringLiteral("FIREBASE_AUTH_EMULATOR_HOST is set (to %1), but the Auth project \"%2\" is not a demo- "
                           "project: refusing to sign in to the emulator in place of what may be a production "
                           "project. Unset FIREBASE_AUTH_EMULATOR_HOST, or pass --emulator if \"%2\" is meant to be "
                           "the emulator's.")
                .arg(t.auth.emulatorHost, t.authProject));
    }
    return t;
}

std::shared_ptr<services::SecretStore> keychain() {
    const QString service = qEnvironmentVariable("FAIRUSE_KEYCHAIN_SERVICE").trimmed();
    return std::make_shared<services::KeychainSecretStore>(
        service.isEmpty() ? services::KeychainSecretStore::defaultService() : service);
}

Result<Reviewing> restoreReviewer(const Target& target) {
    const QString login = QStringLiteral("run fairuse login --firestore %1").arg(target.project);
    if (target.apiKey.isEmpty()) {
        return Error::invalid(QStringLiteral("no Firebase Web API key for %1: pass --api-key KEY or set "
                                             "FAIRUSE_FIREBASE_API_KEY (fairuse login remembers it)")
                                  .arg(target.project));
    }
    Reviewing r;
    r.target = target;
    r.auth = std::make_shared<services::FirebaseAuthClient>(target.auth);
    auto session = services::awaitResult(services::AuthSession::restore(r.auth, keychain()), kCallTimeoutMs);
    if (!session) {
        switch (session.error().kind) {
        case ErrorKind::NotFound:
            return Error::permission(QStringLiteral("not signed in to %1; %2").arg(target.project, login));
        case ErrorKind::Permission:
            return Error::permission(QStringLiteral("the sign-in to %1 has expired or was revoked (%2); %3")
                                         .arg(target.project, session.error().message, login));
        default:
            return Error{
                session.error().kind,
                QStringLiteral("could not restore the sign-in to %1: %2").arg(target.project, session.error().message)};
        }
    }
    r.session = *session;
    const services::IdTokenClaims& claims = r.session->claims();
    if (claims.projectId != target.authProject) {
        return Error::permission(QStringLiteral("the stored sign-in holds a token of project \"%1\", not of \"%2\"; %3")
                                     .arg(claims.projectId, target.authProject, login));
    }
    auto identity = r.session->identity();
    if (!identity) {
        return Error::permission(
            QStringLiteral("signed in to %1 as %2, but %3")
                .arg(target.project, claims.email.isEmpty() ? claims.uid : claims.email, identity.error().message));
    }
    r.reviewer = *identity;
    r.firestore = std::make_shared<services::FirestoreClient>(target.firestore, r.session);
    services::FirestoreCaseStore::Options options;
    options.enrichQueueRows = false;
    options.clientVersion = clientVersion();
    r.store = std::make_unique<services::FirestoreCaseStore>(r.firestore, options);
    return r;
}

void quietServiceLogs() {
    QLoggingCategory::setFilterRules(QStringLiteral("fairuse.*.info=false"));
}

int fail(Io io, const QString& command, const QString& message) {
    io.err << "fairuse " << command << ": " << message << "\n";
    io.err.flush();
    return kExitFailed;
}

int usageError(Io io, const QString& command, const QString& message) {
    io.err << "fairuse " << command << ": " << message << "\nTry: fairuse " << command << " --help\n";
    io.err.flush();
    return kExitUsage;
}

CommandLine::CommandLine(const QList<QCommandLineOption>& commandOptions) {
    quietServiceLogs();
    project.addTo(parser);
    parser.addOptions(commandOptions);
}

std::optional<int> CommandLine::parse(const QString& command, const QStringList& args, int maxPositional,
                                      const QString& help, Io io) {
    if (!parseArguments(parser, command, args, maxPositional, io)) {
        return kExitUsage;
    }
    if (parser.isSet(project.help)) {
        io.out << help;
        return kExitOk;
    }
    return std::nullopt;
}

int targetFailure(Io io, const QString& command, const Error& error) {
    return error.kind == ErrorKind::Invalid ? usageError(io, command, error.message) : fail(io, command, error.message);
}

std::optional<Reviewing> signedInReviewer(const CommandLine& commandLine, Io io, const QString& command,
                                          int& exitCode) {
    CliSettings settings;
    const Result<Target> target = chooseTarget(commandLine, settings);
    if (!target) {
        exitCode = targetFailure(io, command, target.error());
        return std::nullopt;
    }
    Result<Reviewing> reviewing = restoreReviewer(*target);
    if (!reviewing) {
        exitCode = fail(io, command, reviewing.error().message);
        return std::nullopt;
    }
    return std::move(reviewing.value());
}

void printJson(Io io, const QJsonObject& object) {
    io.out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) << "\n";
    io.out.flush();
}

QJsonObject auditJson(const AuditRecord& a) {
    const auto stage = [](const std::optional<Stage>& s) { return s ? QJsonValue(toString(*s)) : QJsonValue(); };
    return QJsonObject{
        {QStringLiteral("sequence"), static_cast<qint64>(a.sequence)},
        {QStringLiteral("at"), formatRfc3339(a.at)},
        {QStringLiteral("reviewer"), a.reviewer},
        {QStringLiteral("reviewer_uid"), a.reviewerUid},
        {QStringLiteral("role"), toString(a.role)},
        {QStringLiteral("action"), toString(a.action)},
        {QStringLiteral("uid"), a.uid},
        {QStringLiteral("case_ref"), a.caseRef.isEmpty() ? QJsonValue() : QJsonValue(a.caseRef)},
        {QStringLiteral("stage_before"), stage(a.stageBefore)},
        {QStringLiteral("stage_after"), stage(a.stageAfter)},
        {QStringLiteral("reason"), a.reason},
        {QStringLiteral("client_version"), a.clientVersion},
        {QStringLiteral("hash"), a.hash},
    };
}

QJsonObject reviewerJson(const Reviewer& r) {
    return QJsonObject{
        {QStringLiteral("email"), r.email}, {QStringLiteral("uid"), r.uid}, {QStringLiteral("role"), toString(r.role)}};
}

QString describeRecord(const AuditRecord& a) {
    return QStringLiteral("#%1 by %2 (%3)").arg(a.sequence).arg(a.reviewer, toString(a.role));
}

// ---- StageCache ------------------------------------------------------------------------------------------------

QString StageCache::commandHelp(const char* text) {
    return QString::fromUtf8(text).arg(QString::fromUtf8(kProjectOptionsHelp), QString::fromUtf8(kHelp));
}

Result<std::shared_ptr<StageCache>> StageCache::fromOptions(const QCommandLineParser& parser) {
    if (!parser.isSet(kRedisOption)) {
        return std::shared_ptr<StageCache>();
    }
    Result<RedisUrl> url = readRedisUrl(parser.value(kRedisOption), parser.isSet(kPlaintextOption));
    if (!url) {
        return url.error();
    }
    if (url->passwordInUrl) {
        return Error::invalid(QStringLiteral("--redis: put the password in %1, not in the URL, where other users of "
                                             "this machine can see it")
                                  .arg(QString::fromLatin1(kRedisPasswordVariable)));
    }
    url->config.connectTimeoutMs = 5000;
    url->config.commandTimeoutMs = 15000;
    std::shared_ptr<StageCache> cache(new StageCache);
    cache->m_client = std::make_unique<services::RedisClient>(url->config);
    cache->m_store = std::make_unique<services::RedisUsageStore>(cache->m_client.get());
    return cache;
}

StageCache::~StageCache() {
    m_store.reset(); // before the client it uses
}

StageCache::Report StageCache::drop(const QString& uid) {
    const Result<bool> r = services::awaitResult(m_store->invalidateStageCache(uid), 30000);
    if (!r) {
        return {Outcome::Failed, r.error().message};
    }
    return {*r ? Outcome::Dropped : Outcome::NotCached, {}};
}

QString StageCache::name(Outcome outcome) {
    switch (outcome) {
    case Outcome::Dropped:
        return QStringLiteral("dropped");
    case Outcome::NotCached:
        return QStringLiteral("not_cached");
    case Outcome::Failed:
        break;
    }
    return QStringLiteral("failed");
}

QString StageCache::describe(const QString& uid, const Report& report) {
    switch (report.outcome) {
    case Outcome::Dropped:
        return QStringLiteral("deleted the backend's cached stage fair_use:stage:%1").arg(uid);
    case Outcome::NotCached:
        return QStringLiteral("the backend had no cached stage for %1").arg(uid);
    case Outcome::Failed:
        break;
    }
    return QStringLiteral("could NOT delete the backend's cached stage fair_use:stage:%1 (%2); the backend keeps the "
                          "old stage until it expires, within 60 s")
        .arg(uid, report.error);
}

QString stageCacheNotAsked(const QString& uid) {
    return QStringLiteral("the backend's cached stage fair_use:stage:%1 runs out within 60 s (pass --redis URL to "
                          "delete it at once)")
        .arg(uid);
}

} // namespace fairuse::cli
