#include "enforcer/EnforcerPass.h"

#include "common/Await.h"
#include "common/Subscription.h"
#include "enforcer/RangeLeases.h"
#include "enforcer/ShadowRecorder.h"
#include "enforcer/SpeechUserScan.h"
#include "logging/Logging.h"
#include "metering/Metering.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTimer>

namespace fairuse::services {

using enforcement::Action;

EnforcerPass::EnforcerPass(RedisCommands* redis, RedisUsageStore* usage, std::shared_ptr<FirestoreClient> firestore,
                           FirestoreCaseStore* cases, ClassifierService* classifier, EnforcerOptions options,
                           DecisionSink sink)
    : m_redis(redis)
    , m_usage(usage)
    , m_firestore(std::move(firestore))
    , m_cases(cases)
    , m_classifier(classifier)
    , m_options(std::move(options))
    , m_sink(std::move(sink))
    , m_backoff(redis, m_options.timeoutMs) {}

PassReport EnforcerPass::run() {
    m_report = PassReport{};
    m_failuresInARow = 0;
    m_backendFailuresInARow = 0;
    m_written.clear();
    m_covered.clear();
    startMarkers();
    const Result<SpeechUsers> users = scanSpeechUsers(*m_redis, m_options.scanCount, m_options.timeoutMs);
    if (!users) {
        // Without Redis no range can be leased either: the pass ends, the next one starts over.
        qCCritical(lcEnforcer) << "scanning the speech keys failed:" << users.error().message;
        ++m_report.redisErrors;
        return m_report;
    }
    m_report.usersScanned = static_cast<int>(users->uids.size());
    m_report.junkValues += users->junkKeys;
    if (users->junkKeys > 0) {
        qCWarning(lcEnforcer) << users->junkKeys << "bucket key(s) name no user; skipped";
    }
    QHash<int, QStringList> byRange;
    for (const QString& uid : users->uids) {
        byRange[RangeLeases::rangeOf(uid)].append(uid);
    }
    // Shadow takes no lease (it writes no key): it works every range itself.
    std::optional<RangeLeases> leases;
    if (!m_options.shadow) {
        leases.emplace(m_redis, RangeLeases::epochOf(m_options.now, m_options.policy.checkInterval),
                       m_options.instanceToken, m_options.leaseTtl,
                       std::max<std::chrono::milliseconds>(2 * m_options.policy.checkInterval, 2 * m_options.leaseTtl),
                       m_options.timeoutMs);
    }
    if (!workRanges(byRange, leases ? &*leases : nullptr) || stopping()) {
        return m_report;
    }
    if (!leases) {
        sweepExpiries();
        if (!stopping()) {
            reviewSpend();
        }
        return m_report;
    }
    underLease(&*leases, RangeLeases::kSweep, "expiry sweep", &EnforcerPass::sweepExpiries);
    if (!stopping()) {
        underLease(&*leases, RangeLeases::kSpend, "LLM-spend review", &EnforcerPass::reviewSpend);
    }
    return m_report;
}

void EnforcerPass::underLease(RangeLeases* leases, int lease, const char* what, void (EnforcerPass::*work)()) {
    const Result<RangeLeases::Claim> claim = leases->claim(lease);
    if (!claim) {
        qCWarning(lcEnforcer) << "the lease of the" << what << "failed:" << claim.error().message;
        ++m_report.redisErrors;
        return;
    }
    if (*claim != RangeLeases::Claim::Taken) {
        return; // another instance does it (or did it in this interval)
    }
    (this->*work)();
    if (!stopping()) {
        const Result<bool> done = leases->finish(lease);
        if (!done) {
            ++m_report.redisErrors;
        }
    }
}

void EnforcerPass::startMarkers() {
    m_marked.clear();
    m_markers.reset();
    if (!m_options.shadow) {
        m_markers.emplace(m_redis, RangeLeases::epochOf(m_options.now, m_options.policy.checkInterval),
                          m_options.instanceToken, m_options.leaseTtl, 2 * m_options.policy.checkInterval,
                          m_options.timeoutMs);
    }
}

PassReport EnforcerPass::evaluateUsers(const QStringList& uids) {
    m_report = PassReport{};
    m_failuresInARow = 0;
    m_backendFailuresInARow = 0;
    m_written.clear();
    m_covered.clear();
    startMarkers();
    for (const QString& uid : uids) {
        if (stopping()) {
            break;
        }
        const int errorsBefore = m_report.redisErrors + m_report.firestoreErrors;
        evaluateMarked(uid, true);
        m_backendFailuresInARow =
            m_report.redisErrors + m_report.firestoreErrors == errorsBefore ? 0 : m_backendFailuresInARow + 1;
        if (m_backendFailuresInARow >= m_options.backendBreaker) {
            qCCritical(lcEnforcer) << m_backendFailuresInARow
                                   << "users in a row could not be evaluated promptly: Redis or Firestore is gone; "
                                      "the next pass evaluates them";
            break;
        }
    }
    return m_report;
}

EnforcerPass::UserOutcome EnforcerPass::evaluateMarked(const QString& uid, bool finalTry) {
    std::optional<SpeechReading> speech;
    if (m_markers && !m_marked.contains(uid)) {
        // The claim goes in the same round trip as the user's speech reads; a user found claimed elsewhere wastes the
        // reads, which is rare next to a round trip saved for every user.
        const Result<RedisUsageStore::SpeechReadingAfter> read = awaitResult(
            m_usage->readSpeechAfter(m_markers->claimCommand(uid), uid, m_options.now), m_options.timeoutMs);
        const Result<EvaluationMarkers::Claim> claim =
            read ? m_markers->claimFrom(read->first, uid) : Result<EvaluationMarkers::Claim>(read.error());
        if (!claim) {
            qCWarning(lcEnforcer) << "evaluation marker of" << uid << "failed:" << claim.error().message;
            ++m_report.redisErrors;
            if (read) {
                return UserOutcome::Done;
            }
            // The pipeline failed as a whole: the claim may have been taken; give it up (it expires otherwise).
            if (const Status released = m_markers->release(uid); !released) {
                qCWarning(lcEnforcer) << "evaluation marker of" << uid << "not released:" << released.error().message;
            }
            return UserOutcome::Done;
        }
        speech = read->reading;
        if (*claim == EvaluationMarkers::Claim::Held && !finalTry) {
            return UserOutcome::MarkedElsewhere; // retried at the end of the range, when its claim may have expired
        }
        if (*claim != EvaluationMarkers::Claim::Taken) {
            ++m_report.evaluatedElsewhere;
            m_covered.insert(uid);
            return UserOutcome::Done;
        }
        m_marked.insert(uid);
    }
    const int errorsBefore = m_report.redisErrors + m_report.firestoreErrors;
    const UserOutcome outcome = evaluateUser(uid, finalTry, std::move(speech));
    if (outcome == UserOutcome::LockedElsewhere) {
        return outcome; // the claim is kept for the retry at the end of the range
    }
    const bool failed = m_report.redisErrors + m_report.firestoreErrors != errorsBefore;
    if (m_markers) {
        m_marked.remove(uid);
        // A failed evaluation gives the claim up, so that the user is tried again in this interval.
        const Status marked = failed ? m_markers->release(uid) : m_markers->finish(uid);
        if (!marked) {
            qCWarning(lcEnforcer) << "evaluation marker of" << uid << "not updated:" << marked.error().message;
            ++m_report.redisErrors;
        }
    }
    if (!failed) {
        m_covered.insert(uid);
    }
    return outcome;
}

bool EnforcerPass::stopping() {
    if (!m_report.stopped && m_options.stopRequested && m_options.stopRequested()) {
        qCInfo(lcEnforcer) << "stop requested: the pass ends after" << m_report.usersEvaluated << "user(s)";
        m_report.stopped = true;
    }
    return m_report.stopped;
}

void EnforcerPass::report(QJsonObject line) {
    line.insert(QStringLiteral("shadow"), m_options.shadow);
    // The check interval the line belongs to: each user is evaluated at most once in it.
    line.insert(QStringLiteral("epoch"),
                formatRfc3339(RangeLeases::epochOf(m_options.now, m_options.policy.checkInterval)));
    if (m_options.shadow) {
        recordShadow(line);
    }
    if (m_sink) {
        m_sink(line);
    }
}

void EnforcerPass::recordShadow(QJsonObject& line) {
    const std::optional<ShadowDecision> d =
        shadowDecisionFromLine(line, m_options.now, m_options.policy.checkInterval, m_options.instanceName);
    if (!d) {
        return;
    }
    line.insert(QStringLiteral("shadow_id"), d->id);
    const Result<ShadowWrite> written = recordShadowDecision(*m_firestore, *d, m_options.timeoutMs);
    if (!written) {
        qCWarning(lcEnforcer) << "shadow decision" << d->id << "not recorded:" << written.error().message;
        ++m_report.firestoreErrors;
        line.insert(QStringLiteral("shadow_record"), QStringLiteral("error"));
    } else if (*written == ShadowWrite::AlreadyRecorded) {
        ++m_report.shadowFound;
        line.insert(QStringLiteral("shadow_record"), QStringLiteral("already_recorded"));
    } else {
        ++m_report.shadowRecorded;
        line.insert(QStringLiteral("shadow_record"), QStringLiteral("recorded"));
    }
}

EnforcerPass::UserOutcome EnforcerPass::evaluateUser(const QString& uid, bool finalTry,
                                                     std::optional<SpeechReading> read) {
    const TimePoint now = m_options.now;
    const enforcement::Policy& policy = m_options.policy;
    const Result<SpeechReading> speech = read ? Result<SpeechReading>(std::move(*read))
                                              : awaitResult(m_usage->readSpeech(uid, now), m_options.timeoutMs);
    if (!speech) {
        qCWarning(lcEnforcer) << "speech of" << uid << "unreadable:" << speech.error().message;
        ++m_report.redisErrors;
        return UserOutcome::Done;
    }
    if (speech->skippedValues > 0) {
        qCWarning(lcEnforcer) << uid << "has" << speech->skippedValues << "junk speech value(s); skipped";
        m_report.junkValues += speech->skippedValues;
    }
    const Result<FairUseState> state = awaitResult(m_cases->getStateOrNew(uid), m_options.timeoutMs);
    if (!state) {
        qCWarning(lcEnforcer) << "state of" << uid << "unreadable:" << state.error().message;
        ++m_report.firestoreErrors;
        return UserOutcome::Done;
    }
    ++m_report.usersEvaluated;

    enforcement::EnforcementInput input;
    input.state = *state;
    input.totals = speech->totals;
    input.caps = policy.capsFor(effectivePlan(state->subscription, now));
    input.now = now;
    const QList<CapWindow> hits = metering::capsHit(input.totals, input.caps);
    QString caseId;
    if (!hits.isEmpty()) {
        ++m_report.capHits;
        caseId = enforcement::enforcerCaseId(uid, hits.first(), now, policy.checkInterval);
        input.caseRef = enforcement::enforcerCaseRef(caseId);
    }
    enforcement::Decision decision = enforcement::evaluate(policy, input);

    QJsonObject line{{QStringLiteral("uid"), uid},
                     {QStringLiteral("stage_before"), toString(decision.stageBefore)},
                     {QStringLiteral("daily_ms"), static_cast<double>(input.totals.dailyMs)},
                     {QStringLiteral("three_day_ms"), static_cast<double>(input.totals.threeDayMs)},
                     {QStringLiteral("weekly_ms"), static_cast<double>(input.totals.weeklyMs)}};
    if (decision.trigger) {
        line.insert(QStringLiteral("trigger"), toString(*decision.trigger));
    }

    if (decision.action == Action::ConsultClassifier) {
        bool lockedElsewhere = false;
        const std::optional<ClassifierResult> verdict = classify(uid, line, finalTry, lockedElsewhere);
        if (!verdict && lockedElsewhere && !finalTry) {
            // Retried at the end of the range, and counted then.
            --m_report.usersEvaluated;
            --m_report.capHits;
            return UserOutcome::LockedElsewhere;
        }
        if (!verdict) {
            line.insert(QStringLiteral("action"), toString(Action::ClassifierFailed));
            line.insert(QStringLiteral("stage_after"), toString(decision.stageBefore));
            report(line);
            return UserOutcome::Done;
        }
        const Result<QList<FairUseEvent>> events = awaitResult(m_cases->listEvents(uid), m_options.timeoutMs);
        if (!events) {
            qCWarning(lcEnforcer) << "cases of" << uid << "unreadable:" << events.error().message;
            ++m_report.firestoreErrors;
            return UserOutcome::Done;
        }
        input.violationHistory = enforcement::violationHistory(*events, *state, policy.scoreThreshold);
        input.classifier = verdict;
        decision = enforcement::evaluate(policy, input);
        line.insert(QStringLiteral("score"), verdict->misuseScore);
        line.insert(QStringLiteral("usage_type"), toString(verdict->usageType));
    }

    line.insert(QStringLiteral("action"), toString(decision.action));
    line.insert(QStringLiteral("stage_after"), toString(decision.stageAfter));
    line.insert(QStringLiteral("explanation"), decision.explanation);
    if (decision.event) {
        line.insert(QStringLiteral("case_id"), caseId);
        line.insert(QStringLiteral("case_ref"), decision.event->caseRef);
    }

    if (!decision.stateChanged) {
        // The case this cap hit would make is there already: a rerun in the same check interval.
        if (decision.action == Action::CooldownSkip && !input.caseRef.isEmpty() &&
            state->lastCaseRef == input.caseRef) {
            ++m_report.alreadyWritten;
            line.insert(QStringLiteral("case_id"), caseId);
            line.insert(QStringLiteral("case_ref"), input.caseRef);
            line.insert(QStringLiteral("outcome"), QStringLiteral("already_written"));
            report(line);
        } else if (!hits.isEmpty()) {
            line.insert(QStringLiteral("outcome"), QStringLiteral("nothing_to_write"));
            report(line);
        }
        return UserOutcome::Done;
    }
    const Result<ChangeSet> change =
        enforcement::buildEnforcerChange(policy, *state, decision, m_options.identity, now, caseId);
    if (!change) {
        qCWarning(lcEnforcer) << "decision on" << uid << "not written:" << change.error().message;
        ++m_report.errors;
        return UserOutcome::Done;
    }
    // Evaluation applies expiry first (Enforcement.h step 3): count it whatever else the decision did.
    const bool expired = !state->exempt && enforcement::applyExpiry(policy, *state, now).action.has_value();
    commit(*change, decision.event.has_value(), expired, line);
    return UserOutcome::Done;
}

std::optional<ClassifierResult> EnforcerPass::classify(const QString& uid, QJsonObject& line, bool finalTry,
                                                       bool& lockedElsewhere) {
    const TimePoint now = m_options.now;
    if (m_failuresInARow >= m_options.classifierBreaker) {
        ++m_report.classifierPaused;
        line.insert(QStringLiteral("outcome"), QStringLiteral("classifier_paused"));
        return std::nullopt;
    }
    // Shadow neither reads nor writes the backoff: it writes no key, and its failures must not hold the live service.
    std::optional<ClassifierBackoff::Entry> backoff;
    if (!m_options.shadow) {
        const Result<std::optional<ClassifierBackoff::Entry>> read = m_backoff.read(uid);
        if (!read) {
            qCWarning(lcEnforcer) << "classifier backoff of" << uid << "unreadable:" << read.error().message;
            ++m_report.redisErrors;
            return std::nullopt;
        }
        backoff = *read;
        if (backoff && now < backoff->retryAt) {
            ++m_report.classifierBackoffs;
            line.insert(QStringLiteral("outcome"), QStringLiteral("classifier_backoff"));
            line.insert(QStringLiteral("retry_at"), formatRfc3339(backoff->retryAt));
            return std::nullopt;
        }
    }
    QByteArray token;
    if (!m_options.shadow) {
        // Shadow writes no key, not even the lock: it may consult the classifier beside a live enforcer.
        token = QByteArray::number(QRandomGenerator::system()->generate64(), 16) +
                QByteArray::number(QRandomGenerator::system()->generate64(), 16);
        const Result<bool> locked =
            awaitResult(m_usage->acquireClassifierLock(uid, token, m_options.classifierLockTtl), m_options.timeoutMs);
        if (!locked) {
            qCWarning(lcEnforcer) << "classifier lock of" << uid << "failed:" << locked.error().message;
            ++m_report.redisErrors;
            return std::nullopt;
        }
        if (!*locked) {
            lockedElsewhere = true;
            if (!finalTry) {
                return std::nullopt;
            }
            qCInfo(lcEnforcer) << uid << "is being classified by another holder of its lock; left to the next pass";
            ++m_report.lockedElsewhere;
            line.insert(QStringLiteral("outcome"), QStringLiteral("locked_elsewhere"));
            return std::nullopt;
        }
    }
    const auto release = [&] {
        if (token.isEmpty()) {
            return;
        }
        const Result<bool> released = awaitResult(m_usage->releaseClassifierLock(uid, token), m_options.timeoutMs);
        if (!released) {
            qCWarning(lcEnforcer) << "classifier lock of" << uid
                                  << "not released (it expires):" << released.error().message;
        }
    };
    const Result<QList<Conversation>> conversations =
        awaitResult(m_cases->listConversations(uid, now - m_options.conversationWindow, m_options.conversationLimit),
                    m_options.timeoutMs);
    if (!conversations) {
        qCWarning(lcEnforcer) << "conversations of" << uid << "unreadable:" << conversations.error().message;
        ++m_report.firestoreErrors;
        release();
        return std::nullopt;
    }
    ++m_report.classifierCalls;
    const Result<ClassifierResult> verdict =
        awaitResult(m_classifier->classify(uid, *conversations, now), m_options.timeoutMs);
    release();
    if (!verdict) {
        // No event, no state, no cooldown: the next pass asks again.
        qCWarning(lcEnforcer) << "classifier failed for" << uid << "(" << m_classifier->describe()
                              << "):" << verdict.error().message << "- nothing written";
        ++m_report.classifierFailures;
        if (++m_failuresInARow == m_options.classifierBreaker) {
            qCCritical(lcEnforcer) << m_failuresInARow << "classifier calls failed in a row ("
                                   << m_classifier->describe()
                                   << "): the pass asks it no more; the next pass tries again";
        }
        line.insert(QStringLiteral("outcome"), QStringLiteral("classifier_failed"));
        line.insert(QStringLiteral("error"), verdict.error().message);
        if (!m_options.shadow) {
            const Result<ClassifierBackoff::Entry> next = m_backoff.recordFailure(uid, backoff, now);
            if (next) {
                line.insert(QStringLiteral("retry_at"), formatRfc3339(next->retryAt));
            } else {
                qCWarning(lcEnforcer) << "classifier backoff of" << uid << "not written:" << next.error().message;
                ++m_report.redisErrors;
            }
        }
        return std::nullopt;
    }
    m_failuresInARow = 0;
    if (backoff) {
        if (const Status cleared = m_backoff.clear(uid); !cleared) {
            qCWarning(lcEnforcer) << "classifier backoff of" << uid << "not cleared:" << cleared.error().message;
            ++m_report.redisErrors;
        }
    }
    return verdict.value();
}

bool EnforcerPass::commit(const ChangeSet& change, bool withCase, bool expiry, QJsonObject& line) {
    const QString uid = change.uid;
    m_written.insert(uid);
    if (m_options.shadow) {
        ++m_report.wouldWrite;
        line.insert(QStringLiteral("outcome"), QStringLiteral("would_write"));
        report(line);
        return false;
    }
    const Result<CommitResult> done = awaitResult(m_cases->apply(change), m_options.timeoutMs);
    if (!done) {
        if (done.error().kind == ErrorKind::Conflict) {
            // The case exists already (its id is deterministic) or the state moved since it was read: another run
            // or instance decided first. The next pass evaluates the user again on what is stored.
            qCInfo(lcEnforcer) << "decision on" << uid << "already made elsewhere:" << done.error().message;
            ++m_report.alreadyWritten;
            line.insert(QStringLiteral("outcome"), QStringLiteral("already_written"));
            report(line);
            return true;
        }
        qCWarning(lcEnforcer) << "decision on" << uid << "not written:" << done.error().message;
        ++m_report.firestoreErrors;
        m_written.remove(uid);
        line.insert(QStringLiteral("outcome"), QStringLiteral("error"));
        line.insert(QStringLiteral("error"), done.error().message);
        report(line);
        return false;
    }
    if (done->alreadyApplied) {
        ++m_report.alreadyWritten;
        line.insert(QStringLiteral("outcome"), QStringLiteral("already_written"));
        report(line);
        return true;
    }
    if (withCase) {
        ++m_report.casesWritten;
    } else {
        ++m_report.stateWrites;
    }
    if (expiry) {
        ++m_report.expiries;
    }
    line.insert(QStringLiteral("outcome"), QStringLiteral("written"));
    line.insert(QStringLiteral("audit_sequence"), static_cast<double>(done->audit.sequence));
    // The backend caches the stage for 60 s; drop it so the new stage is in force at once (a spend case changes none).
    if (change.newState) {
        const Result<bool> dropped = awaitResult(m_usage->invalidateStageCache(uid), m_options.timeoutMs);
        if (!dropped) {
            qCWarning(lcEnforcer) << "stage cache of" << uid
                                  << "not dropped (it expires in 60 s):" << dropped.error().message;
            ++m_report.redisErrors;
        }
    }
    report(line);
    return true;
}

} // namespace fairuse::services
