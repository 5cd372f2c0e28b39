#include "enforcer/EnforcerPass.h"

#include "common/Await.h"
#include "common/Subscription.h"
#include "enforcer/RangeLeases.h"
#include "enforcer/SpeechUserScan.h"
#include "logging/Logging.h"
#include "metering/Metering.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTimer>

namespace fairuse::services {

using enforcement::Action;

QJsonObject PassReport::toJson() const {
    return QJsonObject{{QStringLiteral("users_scanned"), usersScanned},
                       {QStringLiteral("users_evaluated"), usersEvaluated},
                       {QStringLiteral("cap_hits"), capHits},
                       {QStringLiteral("classifier_calls"), classifierCalls},
                       {QStringLiteral("classifier_failures"), classifierFailures},
                       {QStringLiteral("locked_elsewhere"), lockedElsewhere},
                       {QStringLiteral("cases_written"), casesWritten},
                       {QStringLiteral("state_writes"), stateWrites},
                       {QStringLiteral("already_written"), alreadyWritten},
                       {QStringLiteral("expiries"), expiries},
                       {QStringLiteral("would_write"), wouldWrite},
                       {QStringLiteral("junk_values"), junkValues},
                       {QStringLiteral("ranges_worked"), rangesWorked},
                       {QStringLiteral("ranges_done_elsewhere"), rangesDoneElsewhere},
                       {QStringLiteral("leases_lost"), leasesLost},
                       {QStringLiteral("lock_waits"), lockWaits},
                       {QStringLiteral("redis_errors"), redisErrors},
                       {QStringLiteral("firestore_errors"), firestoreErrors},
                       {QStringLiteral("errors"), errors},
                       {QStringLiteral("stopped"), stopped}};
}

QString PassReport::summary() const {
    return QStringLiteral("scanned %1 users, evaluated %2, cap hits %3, classifier calls %4 (failed %5), cases "
                          "written %6, already written %7, other state writes %8, expiries %9, would write %10, "
                          "errors %11 (redis %12, firestore %13)")
        .arg(usersScanned)
        .arg(usersEvaluated)
        .arg(capHits)
        .arg(classifierCalls)
        .arg(classifierFailures)
        .arg(casesWritten)
        .arg(alreadyWritten)
        .arg(stateWrites)
        .arg(expiries)
        .arg(wouldWrite)
        .arg(errors + redisErrors + firestoreErrors)
        .arg(redisErrors)
        .arg(firestoreErrors);
}

EnforcerPass::EnforcerPass(RedisCommands* redis, RedisUsageStore* usage, std::shared_ptr<FirestoreClient> firestore,
                           FirestoreCaseStore* cases, ClassifierService* classifier, EnforcerOptions options,
                           DecisionSink sink)
    : m_redis(redis)
    , m_usage(usage)
    , m_firestore(std::move(firestore))
    , m_cases(cases)
    , m_classifier(classifier)
    , m_options(std::move(options))
    , m_sink(std::move(sink)) {}

PassReport EnforcerPass::run() {
    m_report = PassReport{};
    m_written.clear();
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
        return m_report;
    }
    const Result<RangeLeases::Claim> sweep = leases->claim(RangeLeases::kSweep);
    if (!sweep) {
        qCWarning(lcEnforcer) << "the expiry sweep's lease failed:" << sweep.error().message;
        ++m_report.redisErrors;
    } else if (*sweep == RangeLeases::Claim::Taken) {
        sweepExpiries();
        if (!stopping()) {
            const Result<bool> done = leases->finish(RangeLeases::kSweep);
            if (!done) {
                ++m_report.redisErrors;
            }
        }
    }
    return m_report;
}

bool EnforcerPass::workRanges(const QHash<int, QStringList>& users, RangeLeases* leases) {
    // Instances start at different ranges so that they rarely ask for the same lease at once.
    QList<int> pending;
    const int start = leases ? static_cast<int>(QRandomGenerator::global()->bounded(RangeLeases::kRanges)) : 0;
    for (int i = 0; i < RangeLeases::kRanges; ++i) {
        pending.append((start + i) % RangeLeases::kRanges);
    }
    while (!pending.isEmpty()) {
        QList<int> held;
        for (const int range : pending) {
            if (stopping()) {
                return true;
            }
            if (!leases) {
                workRange(range, users.value(range), nullptr);
                continue;
            }
            const Result<RangeLeases::Claim> claim = leases->claim(range);
            if (!claim) {
                qCWarning(lcEnforcer) << "the lease of range" << range << "failed:" << claim.error().message;
                ++m_report.redisErrors;
                return false;
            }
            if (*claim == RangeLeases::Claim::Done) {
                ++m_report.rangesDoneElsewhere;
            } else if (*claim == RangeLeases::Claim::Held) {
                held.append(range);
            } else if (!workRange(range, users.value(range), leases)) {
                return false;
            }
        }
        pending = held;
        if (!pending.isEmpty()) {
            // Other instances work these; should one die, its lease expires and the next claim takes the range.
            pause(m_options.leasePoll);
        }
    }
    return true;
}

bool EnforcerPass::workRange(int range, const QStringList& uids, RangeLeases* leases) {
    m_sinceRenewal.start();
    QStringList deferred;
    int evaluated = 0;
    const auto rangeLine = [&](const QString& outcome) {
        report(QJsonObject{{QStringLiteral("range"), range},
                           {QStringLiteral("users"), static_cast<int>(uids.size())},
                           {QStringLiteral("evaluated"), evaluated},
                           {QStringLiteral("outcome"), outcome}});
    };
    if (!uids.isEmpty()) {
        rangeLine(QStringLiteral("taken"));
    }
    const auto giveUp = [&] {
        // A stop request: hand the range back at once rather than let its lease expire.
        if (leases) {
            const Result<bool> released = leases->release(range);
            if (!released) {
                ++m_report.redisErrors;
            }
        }
        rangeLine(QStringLiteral("stopped"));
    };
    for (const QString& uid : uids) {
        if (stopping()) {
            giveUp();
            return true;
        }
        if (leases && !keepLease(range, leases)) {
            rangeLine(QStringLiteral("lost"));
            return m_report.redisErrors == 0;
        }
        if (evaluateUser(uid, false) == UserOutcome::LockedElsewhere) {
            deferred.append(uid);
        }
        ++evaluated;
    }
    for (const QString& uid : deferred) {
        // Another holder has the user's classifier lock: a dead instance's lock expires soon, the backend's too.
        const Result<RedisReply> ttl =
            awaitResult(m_redis->command({QByteArrayLiteral("PTTL"), RedisUsageStore::classifierLockKey(uid)}),
                        m_options.timeoutMs);
        const qint64 waitMs = ttl && ttl->isInteger() ? ttl->integerValue() : -1;
        if (waitMs > 0 && waitMs <= m_options.lockWaitMax.count()) {
            ++m_report.lockWaits;
            QElapsedTimer waited;
            waited.start();
            while (waited.elapsed() < waitMs + 50) {
                if (stopping()) {
                    giveUp();
                    return true;
                }
                if (leases && !keepLease(range, leases)) {
                    rangeLine(QStringLiteral("lost"));
                    return m_report.redisErrors == 0;
                }
                pause(std::chrono::milliseconds(std::min<qint64>(250, waitMs + 50 - waited.elapsed() + 1)));
            }
        }
        evaluateUser(uid, true);
    }
    if (leases) {
        const Result<bool> done = leases->finish(range);
        if (!done) {
            qCWarning(lcEnforcer) << "range" << range << "could not be marked done:" << done.error().message;
            ++m_report.redisErrors;
            return false;
        }
        if (!*done) {
            qCWarning(lcEnforcer) << "the lease of range" << range << "expired before it was finished";
            ++m_report.leasesLost;
            rangeLine(QStringLiteral("lost"));
            return true;
        }
    }
    ++m_report.rangesWorked;
    if (!uids.isEmpty()) {
        rangeLine(QStringLiteral("done"));
    }
    return true;
}

bool EnforcerPass::keepLease(int range, RangeLeases* leases) {
    if (m_sinceRenewal.elapsed() < leases->ttl().count() / 3) {
        return true;
    }
    const Result<bool> renewed = leases->renew(range);
    if (!renewed) {
        qCWarning(lcEnforcer) << "the lease of range" << range << "could not be renewed:" << renewed.error().message;
        ++m_report.redisErrors;
        return false;
    }
    if (!*renewed) {
        qCWarning(lcEnforcer) << "the lease of range" << range << "expired: another instance works it now";
        ++m_report.leasesLost;
        return false;
    }
    m_sinceRenewal.start();
    return true;
}

void EnforcerPass::pause(std::chrono::milliseconds ms) {
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
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
    if (m_sink) {
        m_sink(line);
    }
}

EnforcerPass::UserOutcome EnforcerPass::evaluateUser(const QString& uid, bool finalTry) {
    const TimePoint now = m_options.now;
    const enforcement::Policy& policy = m_options.policy;
    const Result<SpeechReading> speech = awaitResult(m_usage->readSpeech(uid, now), m_options.timeoutMs);
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
        line.insert(QStringLiteral("outcome"), QStringLiteral("classifier_failed"));
        line.insert(QStringLiteral("error"), verdict.error().message);
        return std::nullopt;
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
    // The backend caches the stage for 60 s; drop it so the new stage is in force at once.
    const Result<bool> dropped = awaitResult(m_usage->invalidateStageCache(uid), m_options.timeoutMs);
    if (!dropped) {
        qCWarning(lcEnforcer) << "stage cache of" << uid
                              << "not dropped (it expires in 60 s):" << dropped.error().message;
        ++m_report.redisErrors;
    }
    report(line);
    return true;
}

void EnforcerPass::sweepExpiries() {
    // The guards that stop evaluation stop the sweep too: with the kill switch on, or enforcement off, the service
    // changes nobody's stage, as the core's evaluation does not.
    if (m_options.policy.killSwitch || !m_options.policy.enabled) {
        qCInfo(lcEnforcer) << "expiry sweep skipped: the policy's kill switch is on or enforcement is off";
        return;
    }
    sweepStage(Stage::Throttle, QStringLiteral("throttle_until"));
    sweepStage(Stage::Restrict, QStringLiteral("restrict_until"));
}

void EnforcerPass::sweepStage(Stage stage, const QString& untilField) {
    FirestoreQuery q;
    q.collectionId = QStringLiteral("fair_use_state");
    q.allDescendants = true;
    q.filters = {{QStringLiteral("stage"), QStringLiteral("EQUAL"), FirestoreValue::string(toString(stage))},
                 {untilField, QStringLiteral("LESS_THAN"), FirestoreValue::timestamp(m_options.now)}};
    q.orderBy = {{untilField, false}};
    const Result<QList<FirestoreDocument>> found = awaitResult(m_firestore->runQuery(q), m_options.timeoutMs);
    if (!found) {
        qCWarning(lcEnforcer) << "expiry sweep of" << toString(stage) << "failed:" << found.error().message;
        ++m_report.firestoreErrors;
        return;
    }
    for (const FirestoreDocument& doc : *found) {
        if (stopping()) {
            return;
        }
        const Result<FairUseState> state = decodeState(doc);
        if (!state || state->uid.isEmpty()) {
            qCWarning(lcEnforcer) << "unreadable state document" << doc.name << "in the expiry sweep; skipped";
            ++m_report.junkValues;
            continue;
        }
        if (m_written.contains(state->uid)) {
            continue; // the pass has just decided on this user, expiry included
        }
        const enforcement::Expiry expiry = enforcement::applyExpiry(m_options.policy, *state, m_options.now);
        if (!expiry.action) {
            continue;
        }
        QJsonObject line{{QStringLiteral("uid"), state->uid},
                         {QStringLiteral("stage_before"), toString(state->stage)},
                         {QStringLiteral("action"), toString(*expiry.action)},
                         {QStringLiteral("stage_after"), toString(expiry.state.stage)},
                         {QStringLiteral("explanation"), expiry.explanation},
                         {QStringLiteral("sweep"), true}};
        const Result<ChangeSet> change =
            enforcement::buildExpiryChange(*state, expiry, m_options.identity, m_options.now);
        if (!change) {
            qCWarning(lcEnforcer) << "expiry of" << state->uid << "not written:" << change.error().message;
            ++m_report.errors;
            continue;
        }
        commit(*change, false, true, line);
    }
}

} // namespace fairuse::services
