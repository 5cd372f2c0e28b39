#pragma once
// fairuse-enforcer's command line: what the operator asked for, read and checked before anything connects.

#include "common/Result.h"
#include "common/Time.h"
#include "enforcement/Policy.h"
#include "firestore/FirestoreClient.h"
#include "ledger/LlmSpendLedger.h"
#include "redis/RedisConfig.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>

namespace fairuse::enforcer {

/** The environment variable holding the LLM classifier's API key: never on the command line. */
inline constexpr const char* kLlmKeyVariable = "FAIRUSE_LLM_API_KEY";

/** Where /metrics and /healthz are served (--listen HOST:PORT). */
struct ListenAddress {
    QHostAddress host;
    quint16 port = 0; ///< 0: a free port, said on standard output as {"listening": "HOST:PORT"}
};

/** Reads --listen's HOST:PORT (IPv4, [IPv6] or localhost; port 0 to 65535). */
Result<ListenAddress> parseListenAddress(const QString& value);

struct CommandLine {
    services::RedisConfig redis;
    bool redisCluster = false;         ///< --redis names a node of a Redis Cluster
    std::chrono::seconds leaseTtl{60}; ///< --lease-ttl (RangeLeases.h)
    services::FirestoreConfig firestore;
    bool once = false;                ///< one pass and exit; otherwise a pass every `interval` until SIGTERM or SIGINT
    std::chrono::seconds interval{0}; ///< loop mode's interval: --interval, else the policy's check interval
    bool shadow = false;
    /** Loop mode subscribes to keyspace notifications of the bucket keys (off: --no-notifications, and --once). */
    bool notifications = true;
    std::optional<TimePoint> now; ///< nullopt: the system clock at the start of the pass
    QString identity;             ///< --identity; production takes it from the service account's key
    enforcement::Policy policy = enforcement::Policy::forReview();
    QUrl llmBaseUrl; ///< empty: the offline heuristic classifier
    QString llmModel;
    QString llmKey;
    QString logDir;                      ///< empty: the default log folder
    std::optional<ListenAddress> listen; ///< nullopt: no HTTP endpoint
    QString instanceName;                ///< the heartbeat document's id; empty: hostname:pid
    /** The spend review's LLM caps per plan (--llm-cap-basic-daily, ...); the ledger's defaults otherwise. */
    LedgerPolicy ledger;
    bool help = false;
    bool version = false;
    QStringList warnings; ///< said on stderr before the pass (a password in the URL, ...)
};

/** Reads the arguments (without the program name). Invalid with a message for the operator on bad usage. */
Result<CommandLine> parseCommandLine(const QStringList& args);

/** The --help text. */
QString helpText();

} // namespace fairuse::enforcer
