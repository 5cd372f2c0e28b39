#pragma once

#include "common/Result.h"
#include "common/Time.h"
#include "redis/RedisCommands.h"

#include <QByteArray>
#include <QString>

#include <chrono>

namespace fairuse::services {

/**
 * How several fairuse-enforcer instances share the users without doubling work (issue 12).
 *
 * The users are split into kRanges ranges by the cluster hash slot of their uid (rangeOf), and in each check
 * interval (the "epoch": the interval's start) every range is worked by exactly one instance, under a lease: the
 * Redis key `fair_use:enforcer:range:{epoch ms}:{range}` holds the instance's token, with an expiry, while it works
 * (renewed as it goes), and "done" for the rest of the interval once it has finished. So a user is evaluated at most
 * once per check interval whatever the number of instances, and the instances share the ranges as they come, fast
 * ones taking more (there is no membership to agree on).
 *
 * An instance that dies stops renewing: its lease expires and another instance takes the range over. A user the dead
 * instance had already decided is evaluated again; its deterministic case id and the state's precondition make that
 * second write fail (EnforcerPass counts it as already written), so no case is ever doubled. The expiry sweep is one
 * more lease, kSweep, taken once every range is done, and the LLM-spend review another, kSpend.
 *
 * Each lease key is a single key, so the scheme works on one server and on a cluster alike (the keys spread over the
 * cluster's slots). Every call blocks (spinning the event loop) up to `timeoutMs`: this is the service's own thread.
 */
/**
 * Runs the compare-and-set Lua `script` on the single key `key` (EVALSHA, or EVAL when the server answers NOSCRIPT: 1
 * key token arg), waiting up to `timeoutMs`, and returns its integer answer; `what` names the script in errors
 * ("lease", "marker"). The leases and the evaluation markers (EvaluationMarkers.h) keep their state this way.
 */
/** A compare-and-set Lua script on one key, with its SHA-1 (hex, as EVALSHA wants it) computed once. */
struct KeyScript {
    explicit KeyScript(const char* body);
    QByteArray body;
    QByteArray sha;
};

Result<long long> runKeyScript(RedisCommands& redis, const KeyScript& script, const QByteArray& key,
                               const QByteArray& token, const QByteArray& arg, int timeoutMs, const QString& what);
/** runKeyScript's command (EVALSHA sha 1 key token arg), for a caller that pipelines it with other commands. */
QList<QByteArray> keyScriptCommand(const KeyScript& script, const QByteArray& key, const QByteArray& token,
                                   const QByteArray& arg);
/** The integer answer in `reply` to a key script; an error reply (NOSCRIPT included) is an error naming `what`. */
Result<long long> keyScriptAnswer(const RedisCommands& redis, const RedisReply& reply, const QByteArray& key,
                                  const QString& what);

class RangeLeases {
public:
    static constexpr int kRanges = 64;
    static constexpr int kSweep = -1;
    static constexpr int kSpend = -2; ///< the LLM-spend review's lease, taken after the sweep's

    enum class Claim {
        Taken, ///< this instance holds the lease now (or held it already): work the range
        Held,  ///< another instance holds it: wait, it may die
        Done,  ///< worked already in this epoch
    };

    /** `token` names this instance (random, unique); `ttl` is how long a lease outlives its last renewal; `doneTtl`
     *  how long a finished range stays done (longer than the check interval). */
    RangeLeases(RedisCommands* redis, TimePoint epoch, QByteArray token, std::chrono::milliseconds ttl,
                std::chrono::milliseconds doneTtl, int timeoutMs);

    Result<Claim> claim(int range);
    /** Extends the lease; false when it was lost (it expired and another instance took it, or it is done). */
    Result<bool> renew(int range);
    /** Marks the range done for the epoch; false when the lease had been lost before. */
    Result<bool> finish(int range);
    /** Gives the lease up without finishing (a stop request): another instance may take the range at once. */
    Result<bool> release(int range);

    std::chrono::milliseconds ttl() const { return m_ttl; }

    /** The range of a user: keySlot(uid) * kRanges / 16384. */
    static int rangeOf(const QString& uid);
    /** The check interval's start that `now` falls in. */
    static TimePoint epochOf(TimePoint now, std::chrono::seconds checkInterval);
    static QByteArray key(TimePoint epoch, int range);

private:
    Result<long long> run(const KeyScript& script, int range, const QByteArray& arg);

    RedisCommands* m_redis;
    TimePoint m_epoch;
    QByteArray m_token;
    std::chrono::milliseconds m_ttl;
    std::chrono::milliseconds m_doneTtl;
    int m_timeoutMs;
};

} // namespace fairuse::services
