// EnforcerPass's LLM-spend review (enforcement/SpendReview.h): the users with new spend records since the last review,
// each summed over the ledger's windows against their plan's caps, and a case for review where a cap is passed.
#include "enforcer/EnforcerPass.h"

#include "common/Await.h"
#include "common/Subscription.h"
#include "enforcement/SpendReview.h"
#include "firestore/SpendRecordScan.h"
#include "logging/Logging.h"

#include <QSet>

#include <algorithm>

namespace fairuse::services {

namespace {

const QByteArray kReviewedUntil = QByteArrayLiteral("fair_use:enforcer:spend_reviewed_until");

} // namespace

std::optional<TimePoint> EnforcerPass::spendReviewedUntil() {
    const Result<RedisReply> r =
        awaitResult(m_redis->command({QByteArrayLiteral("GET"), kReviewedUntil}), m_options.timeoutMs);
    if (!r || r->isError()) {
        qCWarning(lcEnforcer) << "the spend review's mark is unreadable:"
                              << (r ? QString::fromUtf8(r->text()) : r.error().message);
        ++m_report.redisErrors;
        return std::nullopt;
    }
    if (r->isNil()) {
        return TimePoint{}; // never reviewed: the caller looks back one daily window
    }
    bool ok = false;
    const qint64 ms = r->text().toLongLong(&ok);
    if (!ok || ms <= 0) {
        qCWarning(lcEnforcer) << "the spend review's mark holds junk" << r->text().left(40) << "; looking back a day";
        ++m_report.junkValues;
        return TimePoint{};
    }
    return TimePoint(std::chrono::milliseconds(ms));
}

std::optional<QList<LlmSpendRecord>> EnforcerPass::readSpend(const QString& uid, TimePoint from, TimePoint to) {
    const Result<SpendScan> scan =
        awaitResult(scanSpend(m_cases, m_firestore.get(), spendQuery(uid, from, to)), m_options.timeoutMs);
    if (!scan) {
        qCWarning(lcEnforcer) << "LLM-spend records" << (uid.isEmpty() ? QStringLiteral("of everyone") : uid)
                              << "unreadable:" << scan.error().message;
        ++m_report.firestoreErrors;
        return std::nullopt;
    }
    // A damaged record is skipped, not retried: reading it again will not help, and failing the read would hold up
    // every other user's review behind it. Its path only: its content is a user's.
    for (const QString& path : scan->malformed) {
        if (!m_malformedSpend.contains(path)) {
            m_malformedSpend.insert(path);
            qCWarning(lcEnforcer).noquote() << "LLM-spend record" << path << "is malformed: skipped";
        }
    }
    m_report.malformedSpend = static_cast<int>(m_malformedSpend.size());
    return scan->records;
}

void EnforcerPass::reviewSpend() {
    const TimePoint now = m_options.now;
    const enforcement::Policy& policy = m_options.policy;
    const LedgerPolicy& ledger = m_options.ledgerPolicy;
    if (policy.killSwitch || !policy.enabled) {
        qCInfo(lcEnforcer) << "LLM-spend review skipped: the policy's kill switch is on or enforcement is off";
        return;
    }
    // New records since the last review, with one check interval of overlap for records written late; without a
    // review before, a daily window back. Shadow reads the mark but never moves it.
    const std::optional<TimePoint> mark = spendReviewedUntil();
    if (!mark) {
        return;
    }
    // A mark after `now` (a pass pinned to an earlier time with --now) is no guide either.
    const TimePoint from =
        *mark == TimePoint{} || *mark > now ? now - ledger.dailyWindow : *mark - policy.checkInterval;
    const TimePoint to = now + std::chrono::milliseconds(1);
    const std::optional<QList<LlmSpendRecord>> recent = readSpend(QString(), from, to);
    if (!recent) {
        return;
    }
    QStringList uids;
    QSet<QString> seen;
    for (const LlmSpendRecord& r : *recent) {
        if (!r.uid.isEmpty() && !seen.contains(r.uid)) {
            seen.insert(r.uid);
            uids.append(r.uid);
        }
    }
    std::sort(uids.begin(), uids.end());
    bool complete = true;
    for (const QString& uid : uids) {
        if (stopping()) {
            return; // the mark stays: the next review reads these records again
        }
        complete = reviewUserSpend(uid) && complete;
    }
    if (m_options.shadow || !complete) {
        return;
    }
    const Result<RedisReply> set =
        awaitResult(m_redis->command({QByteArrayLiteral("SET"), kReviewedUntil,
                                      QByteArray::number(static_cast<qint64>(now.time_since_epoch().count()))}),
                    m_options.timeoutMs);
    if (!set || set->isError()) {
        qCWarning(lcEnforcer) << "the spend review's mark was not written; the next review reads these records again";
        ++m_report.redisErrors;
    }
}

bool EnforcerPass::reviewUserSpend(const QString& uid) {
    const TimePoint now = m_options.now;
    const LedgerPolicy& ledger = m_options.ledgerPolicy;
    ++m_report.spendUsersReviewed;
    const Result<FairUseState> state = awaitResult(m_cases->getStateOrNew(uid), m_options.timeoutMs);
    if (!state) {
        qCWarning(lcEnforcer) << "state of" << uid << "unreadable:" << state.error().message;
        ++m_report.firestoreErrors;
        return false;
    }
    const std::optional<QList<LlmSpendRecord>> records =
        readSpend(uid, now - ledger.monthlyWindow, now + std::chrono::milliseconds(1));
    if (!records) {
        return false;
    }
    const Result<enforcement::SpendStanding> standing =
        enforcement::spendStanding(uid, effectivePlan(state->subscription, now), *records, ledger, now);
    if (!standing) {
        qCWarning(lcEnforcer) << "LLM spend of" << uid << "not reviewed:" << standing.error().message;
        ++m_report.junkValues;
        return true; // junk in the store: reading it again will not help
    }
    const std::optional<CapWindow> passed = enforcement::spendCapPassed(*standing);
    if (!passed) {
        return true;
    }
    ++m_report.spendOverCap;
    QJsonObject line{{QStringLiteral("uid"), uid},
                     {QStringLiteral("trigger"), toString(*passed)},
                     {QStringLiteral("stage_before"), toString(state->stage)},
                     {QStringLiteral("stage_after"), toString(state->stage)},
                     {QStringLiteral("daily_micro_usd"), static_cast<double>(standing->dailyMicroUsd)},
                     {QStringLiteral("monthly_micro_usd"), static_cast<double>(standing->monthlyMicroUsd)},
                     {QStringLiteral("custom_stt"), standing->customStt},
                     {QStringLiteral("action"), enforcement::kReviewLlmSpend},
                     {QStringLiteral("explanation"), enforcement::spendExplanation(*standing, *passed)}};
    if (state->exempt || m_options.policy.exemptUids.contains(uid)) {
        line.insert(QStringLiteral("outcome"), QStringLiteral("exempt"));
        report(line);
        return true;
    }
    const Result<QList<FairUseEvent>> events = awaitResult(m_cases->listEvents(uid), m_options.timeoutMs);
    if (!events) {
        qCWarning(lcEnforcer) << "cases of" << uid << "unreadable:" << events.error().message;
        ++m_report.firestoreErrors;
        return false;
    }
    if (enforcement::hasOpenSpendCase(*events)) {
        ++m_report.spendCaseOpen;
        line.insert(QStringLiteral("outcome"), QStringLiteral("open_case"));
        report(line);
        return true;
    }
    const QString caseId = enforcement::spendCaseId(uid, *passed, now, ledger);
    const Result<ChangeSet> change = enforcement::buildSpendCaseChange(*state, *standing, *passed, m_options.identity,
                                                                       now, caseId, m_options.policy.label());
    if (!change) {
        qCWarning(lcEnforcer) << "spend case of" << uid << "not written:" << change.error().message;
        ++m_report.errors;
        return true;
    }
    line.insert(QStringLiteral("case_id"), caseId);
    line.insert(QStringLiteral("case_ref"), change->newEvent->caseRef);
    const bool stored = commit(*change, true, false, line);
    return stored || m_options.shadow;
}

} // namespace fairuse::services
