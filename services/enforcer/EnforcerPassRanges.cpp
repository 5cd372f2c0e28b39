// EnforcerPass's ranges (the leases the instances share the users by) and its expiry sweep, and the pass's report.
#include "enforcer/EnforcerPass.h"

#include "common/Await.h"
#include "enforcer/RangeLeases.h"
#include "logging/Logging.h"

#include <QEventLoop>
#include <QRandomGenerator>
#include <QTimer>

namespace fairuse::services {

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
                       {QStringLiteral("shadow_recorded"), shadowRecorded},
                       {QStringLiteral("shadow_found"), shadowFound},
                       {QStringLiteral("junk_values"), junkValues},
                       {QStringLiteral("ranges_worked"), rangesWorked},
                       {QStringLiteral("ranges_done_elsewhere"), rangesDoneElsewhere},
                       {QStringLiteral("leases_lost"), leasesLost},
                       {QStringLiteral("lock_waits"), lockWaits},
                       {QStringLiteral("ranges_incomplete"), rangesIncomplete},
                       {QStringLiteral("classifier_backoffs"), classifierBackoffs},
                       {QStringLiteral("classifier_paused"), classifierPaused},
                       {QStringLiteral("spend_users_reviewed"), spendUsersReviewed},
                       {QStringLiteral("spend_over_cap"), spendOverCap},
                       {QStringLiteral("spend_case_open"), spendCaseOpen},
                       {QStringLiteral("spend_records_malformed"), malformedSpend},
                       {QStringLiteral("evaluated_elsewhere"), evaluatedElsewhere},
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
    QList<std::pair<QString, UserOutcome>> deferred;
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
    const auto giveUp = [&](const QString& outcome) {
        // Hand the range back at once rather than let its lease expire: a stop request, or users it could not
        // evaluate (Redis or Firestore failed), whom the next pass or another instance evaluates again.
        if (leases) {
            const Result<bool> released = leases->release(range);
            if (!released) {
                ++m_report.redisErrors;
            }
        }
        rangeLine(outcome);
    };
    bool incomplete = false;
    // False when the backends are gone (failures in a row): the pass must end rather than fail every user left.
    const auto evaluate = [&](const QString& uid, bool finalTry) {
        const int errorsBefore = m_report.redisErrors + m_report.firestoreErrors;
        const UserOutcome outcome = evaluateMarked(uid, finalTry);
        if (m_report.redisErrors + m_report.firestoreErrors == errorsBefore) {
            m_backendFailuresInARow = 0;
        } else {
            incomplete = true;
            ++m_backendFailuresInARow;
        }
        if (outcome != UserOutcome::Done) {
            deferred.append({uid, outcome});
        }
        return m_backendFailuresInARow < m_options.backendBreaker;
    };
    const auto backendsGone = [&] {
        qCCritical(lcEnforcer) << m_backendFailuresInARow
                               << "users in a row could not be evaluated: Redis or Firestore is gone; the pass ends "
                                  "and the next one starts over";
        giveUp(QStringLiteral("incomplete"));
        ++m_report.rangesIncomplete;
        return false;
    };
    for (const QString& uid : uids) {
        if (stopping()) {
            giveUp(QStringLiteral("stopped"));
            return true;
        }
        if (leases && !keepLease(range, leases)) {
            rangeLine(QStringLiteral("lost"));
            return m_report.redisErrors == 0;
        }
        ++evaluated;
        if (!evaluate(uid, false)) {
            return backendsGone();
        }
    }
    for (const auto& [uid, why] : deferred) {
        // Another holder has the user's classifier lock, or is evaluating the user (their evaluation marker): a dead
        // instance's lock and claim expire soon (the claim after --lease-ttl, as its range lease), the backend's too.
        const bool marked = why == UserOutcome::MarkedElsewhere;
        const QByteArray waitKey =
            marked ? EvaluationMarkers::key(RangeLeases::epochOf(m_options.now, m_options.policy.checkInterval), uid)
                   : RedisUsageStore::classifierLockKey(uid);
        const qint64 waitMax =
            marked ? std::max(m_options.lockWaitMax, m_options.leaseTtl).count() : m_options.lockWaitMax.count();
        const Result<RedisReply> ttl =
            awaitResult(m_redis->command({QByteArrayLiteral("PTTL"), waitKey}), m_options.timeoutMs);
        const qint64 waitMs = ttl && ttl->isInteger() ? ttl->integerValue() : -1;
        if (waitMs > 0 && waitMs <= waitMax) {
            ++m_report.lockWaits;
            QElapsedTimer waited;
            waited.start();
            while (waited.elapsed() < waitMs + 50) {
                if (stopping()) {
                    giveUp(QStringLiteral("stopped"));
                    return true;
                }
                if (leases && !keepLease(range, leases)) {
                    rangeLine(QStringLiteral("lost"));
                    return m_report.redisErrors == 0;
                }
                pause(std::chrono::milliseconds(std::min<qint64>(250, waitMs + 50 - waited.elapsed() + 1)));
            }
        }
        if (!evaluate(uid, true)) {
            return backendsGone();
        }
    }
    if (incomplete) {
        // Some users could not be evaluated: the range stays open for this check interval.
        giveUp(QStringLiteral("incomplete"));
        ++m_report.rangesIncomplete;
        return true;
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
