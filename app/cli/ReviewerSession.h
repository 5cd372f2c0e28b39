#pragma once
// What the commands that act as a signed-in reviewer (or as an admin) share: exit codes, the project options, the
// choice of Firestore and Firebase Auth project, the session restored from the keychain, the case store that sends
// that reviewer's ID token, the backend's stage cache in Redis, and the JSON of what was written.

#include "CliSettings.h"
#include "Commands.h"

#include "auth/AuthSession.h"
#include "auth/FirebaseAuthClient.h"
#include "common/Domain.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonObject>

#include <memory>
#include <optional>

namespace fairuse::services {
class RedisClient;
class RedisUsageStore;
} // namespace fairuse::services

namespace fairuse::cli {

inline constexpr int kExitOk = 0;
/** Refused (role, security rules), conflict, not found, not signed in, or any other failure. */
inline constexpr int kExitFailed = 1;
/** Unknown option, missing argument, bad outcome, stage or role name. */
inline constexpr int kExitUsage = 2;

/** How long one call to Firebase Auth, Firestore, Redis or the keychain may take before the command gives up. */
inline constexpr int kCallTimeoutMs = 120000;

/** The audit records' client version of everything the command line writes. */
QString clientVersion();
/** The time the commands stamp on what they write: the system clock. */
TimePoint systemNow();

/** Options shared by the commands that reach a project: --firestore, --auth-project, --api-key, --emulator, --json
 *  and -h/--help. */
struct ProjectOptions {
    QCommandLineOption help{QStringList{QStringLiteral("h"), QStringLiteral("help")}};
    QCommandLineOption firestore{QStringLiteral("firestore"), QString(), QStringLiteral("PROJECT")};
    QCommandLineOption authProject{QStringLiteral("auth-project"), QString(), QStringLiteral("PROJECT")};
    QCommandLineOption apiKey{QStringLiteral("api-key"), QString(), QStringLiteral("KEY")};
    QCommandLineOption emulator{QStringLiteral("emulator")};
    QCommandLineOption json{QStringLiteral("json")};

    void addTo(QCommandLineParser& parser) const;
};

/** The help text paragraph on those options, shared by every command's --help. */
extern const char* const kProjectOptionsHelp;
/** A command's --help: `text` with %1 standing for kProjectOptionsHelp. */
QString commandHelp(const char* text);

/**
 * Parses `args` of `fairuse COMMAND`. On a usage error prints it with a pointer to --help and returns false. An
 * unexpected positional argument is never echoed (it could be a password typed in the wrong place).
 */
bool parseArguments(QCommandLineParser& parser, const QString& command, const QStringList& args, int maxPositional,
                    Io io);
/**
 * The command line of a command that reaches a project: a parser that knows the ProjectOptions besides the command's
 * own options. Making one also leaves the services' info lines out of standard error (quietServiceLogs()).
 */
struct CommandLine {
    explicit CommandLine(const QList<QCommandLineOption>& commandOptions = {});

    /** parseArguments(), then --help. nullopt to go on; otherwise the exit code (kExitUsage after a usage error,
     *  kExitOk after printing `help`). */
    std::optional<int> parse(const QString& command, const QStringList& args, int maxPositional, const QString& help,
                             Io io);

    QCommandLineParser parser;
    ProjectOptions project;
};

/** Where a command acts, and who signs its reviewers in. */
struct Target {
    QString project;     ///< the Firestore project
    QString authProject; ///< the Firebase Auth project whose ID tokens Firestore's rules trust
    QString apiKey;      ///< the Auth project's Web API key; empty when none is known
    services::FirestoreConfig firestore;
    services::FirebaseAuthConfig auth;
};

/**
 * The target of a command: --firestore (else the project of the last login), --auth-project (else what the login
 * remembered, else the Firestore project), --api-key or FAIRUSE_FIREBASE_API_KEY (else what the login remembered).
 * FIRESTORE_EMULATOR_HOST and FIREBASE_AUTH_EMULATOR_HOST are honoured for demo- projects or with --emulator, and
 * refused for any other project. Invalid: bad usage (exit 2); NotFound: no project given and none remembered.
 */
Result<Target> chooseTarget(const CommandLine& commandLine, const CliSettings& settings);

/** The process's keychain: service FAIRUSE_KEYCHAIN_SERVICE, by default "fairuse" (shared with the console). */
std::shared_ptr<services::SecretStore> keychain();

/** A reviewer acting on a target: the session restored from the keychain and a case store sending its ID token. */
struct Reviewing {
    Target target;
    std::shared_ptr<services::FirebaseAuthClient> auth;
    std::shared_ptr<services::AuthSession> session;
    Reviewer reviewer; ///< from the ID token: verified e-mail, uid, role claim
    std::shared_ptr<services::FirestoreClient> firestore;
    std::unique_ptr<services::FirestoreCaseStore> store;
};

/**
 * Restores the reviewer signed in to the target's Auth project (AuthSession::restore: the refresh token from the
 * keychain, refreshed, so a role granted or revoked since shows at once). Permission: not signed in ("not signed in
 * to PROJECT; run fairuse login --firestore PROJECT"), the sign-in was revoked, or the token's identity is refused
 * (unverified e-mail, no role, a token of another project); Unavailable: keychain or provider unreachable.
 */
Result<Reviewing> restoreReviewer(const Target& target);

/** Leaves the services' per-request info lines (fairuse.*.info) out of standard error, which carries the commands'
 *  own progress and diagnostics; warnings stay, and QT_LOGGING_RULES (e.g. "fairuse.*.info=true") overrides it. */
void quietServiceLogs();

/** Prints "fairuse COMMAND: MESSAGE" on standard error and returns kExitFailed. */
int fail(Io io, const QString& command, const QString& message);
/** Same, for a usage error: also points at --help, returns kExitUsage. */
int usageError(Io io, const QString& command, const QString& message);
/** The exit of a command whose target or session could not be had: usageError() for Invalid, else fail(). */
int targetFailure(Io io, const QString& command, const Error& error);
/**
 * The reviewer signed in to the target the options choose (chooseTarget(), then restoreReviewer()); when there is
 * none, the reason is reported on io and `exitCode` is set as targetFailure() / fail() answer.
 */
std::optional<Reviewing> signedInReviewer(const CommandLine& commandLine, Io io, const QString& command, int& exitCode);

/** One JSON object on one line of standard output. */
void printJson(Io io, const QJsonObject& object);

/** An audit record as the commands print it (sequence, at, reviewer, reviewer_uid, role, action, uid, case_ref,
 *  stage_before, stage_after, reason, client_version, hash). */
QJsonObject auditJson(const AuditRecord& record);
/** {email, uid, role}. */
QJsonObject reviewerJson(const Reviewer& reviewer);
/** "#12 by ana@example.com (senior_reviewer)". */
QString describeRecord(const AuditRecord& record);

/**
 * The backend caches each user's stage in Redis (fair_use:stage:{uid}, 60 s); after a stage change the command
 * deletes it, as the console does, when given --redis URL (password from FAIRUSE_REDIS_PASSWORD).
 */
class StageCache {
public:
    static inline const QCommandLineOption kRedisOption{QStringLiteral("redis"), QString(), QStringLiteral("URL")};
    static inline const QCommandLineOption kPlaintextOption{QStringLiteral("allow-plaintext-redis")};
    /** kRedisOption and kPlaintextOption, for the command's parser. */
    static QList<QCommandLineOption> options() { return {kRedisOption, kPlaintextOption}; }
    static const char* const kHelp;
    /** The --help of a command with these options: `text` with %1 standing for kProjectOptionsHelp, %2 for kHelp. */
    static QString commandHelp(const char* text);

    /** From the parsed options: nullptr without --redis; Invalid for a bad URL or plain redis:// to another host
     *  without --allow-plaintext-redis (bad usage). */
    static Result<std::shared_ptr<StageCache>> fromOptions(const QCommandLineParser& parser);
    ~StageCache();

    enum class Outcome { Dropped, NotCached, Failed };
    struct Report {
        Outcome outcome = Outcome::Failed;
        QString error;
    };
    Report drop(const QString& uid);

    /** "dropped", "not_cached", "failed". */
    static QString name(Outcome outcome);
    /** A line for people: what happened to fair_use:stage:UID. */
    static QString describe(const QString& uid, const Report& report);

private:
    StageCache() = default;
    std::unique_ptr<services::RedisClient> m_client;
    std::unique_ptr<services::RedisUsageStore> m_store;
};

/** The note printed when a stage changed and no --redis was given. */
QString stageCacheNotAsked(const QString& uid);

} // namespace fairuse::cli
