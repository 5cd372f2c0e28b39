#pragma once

#include "common/Result.h"
#include "common/Time.h"
#include "redis/RedisCommands.h"

#include <QByteArray>
#include <QString>

#include <chrono>

namespace fairuse::services {

struct KeyScript;

/**
 * Per-user markers that keep a user to one evaluation per check interval across instances, whether the pass (SCAN)
 * or a prompt evaluation after a keyspace notification (PromptEvaluations.h) finds them first (issue 12).
 *
 * The key `fair_use:enforcer:evaluated:{epoch ms}:{uid}` is claimed before the user is evaluated (value
 * `pending:{token}`, expiring after `pendingTtl`, like a range lease) and set to `done` afterwards, expiring after
 * `doneTtl` (twice the check interval: the marker outlives its interval, and the epoch in the key keeps intervals
 * apart). An instance that dies mid-user leaves a pending marker that expires, so whoever works the user's range next
 * evaluates them; a user whose evaluation failed (Redis or Firestore) has the marker released, so they are tried
 * again. Shadow mode uses none (it writes no key). Every call blocks up to `timeoutMs`, spinning the event loop.
 */
class EvaluationMarkers {
public:
    enum class Claim {
        Taken, ///< this instance may evaluate the user now
        Held,  ///< another instance is evaluating the user right now
        Done,  ///< the user was evaluated in this interval already
    };

    EvaluationMarkers(RedisCommands* redis, TimePoint epoch, QByteArray token, std::chrono::milliseconds pendingTtl,
                      std::chrono::milliseconds doneTtl, int timeoutMs);

    Result<Claim> claim(const QString& uid);
    /** The claim as one command, to pipeline with the user's reads (RedisUsageStore::readSpeechAfter), and its answer
     *  from `reply`; a server that had lost the script (NOSCRIPT) is asked again with claim(). */
    QList<QByteArray> claimCommand(const QString& uid) const;
    Result<Claim> claimFrom(const RedisReply& reply, const QString& uid);
    /** The user was evaluated: `done` for the rest of the interval. */
    Status finish(const QString& uid);
    /** The evaluation failed: the claim is given up so that the user is tried again. */
    Status release(const QString& uid);

    static QByteArray key(TimePoint epoch, const QString& uid);

private:
    Result<long long> run(const KeyScript& script, const QString& uid, const QByteArray& ttlMs);

    RedisCommands* m_redis;
    TimePoint m_epoch;
    QByteArray m_pending;
    std::chrono::milliseconds m_pendingTtl;
    std::chrono::milliseconds m_doneTtl;
    int m_timeoutMs;
};

} // namespace fairuse::services
