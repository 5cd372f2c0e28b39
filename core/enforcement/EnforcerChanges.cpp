#include "enforcement/EnforcerChanges.h"

#include <QCryptographicHash>

#include <algorithm>

namespace fairuse::enforcement {

namespace {

std::int64_t slotStartSeconds(TimePoint now, std::chrono::seconds checkInterval) {
    const std::int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::int64_t interval = std::max<std::int64_t>(1, checkInterval.count());
    // Floor, not truncation, so times before the epoch (junk) still land in one slot.
    const std::int64_t q = seconds / interval - (seconds % interval < 0 ? 1 : 0);
    return q * interval;
}

QByteArray caseHash(const QString& uid, CapWindow trigger, std::int64_t slot) {
    const QByteArray key = uid.toUtf8() + '|' + toString(trigger).toUtf8() + '|' + QByteArray::number(slot);
    return QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex();
}

Status checkWho(const ServiceIdentity& who, const FairUseState& before) {
    if (who.email.trimmed().isEmpty()) {
        return Error::invalid(QStringLiteral("the service's identity is missing: its credential names none"));
    }
    if (before.uid.isEmpty()) {
        return Error::invalid(QStringLiteral("the user id is missing"));
    }
    return {};
}

ChangeSet serviceChange(const FairUseState& before, const FairUseState& after, const ServiceIdentity& who,
                        TimePoint now, Action action, const QString& explanation) {
    ChangeSet cs;
    cs.uid = before.uid;
    cs.newState = after;
    cs.newState->uid = before.uid;
    cs.expectedStateVersion = before.version;
    cs.checkStateVersion = true;
    // A state document that does not exist yet is written whole; an existing one only where the decision changed it,
    // so the backend's other fields keep their encoding.
    if (!before.version.isEmpty()) {
        cs.previousState = before;
    }
    AuditRecord& a = cs.audit;
    a.at = now;
    a.reviewer = who.email.trimmed();
    a.reviewerUid = who.uid;
    a.role = Role::Service;
    a.action = AuditAction::Enforce;
    a.uid = before.uid;
    a.stageBefore = before.stage;
    a.stageAfter = after.stage;
    a.reason = QStringLiteral("%1: %2").arg(toString(action), explanation);
    a.clientVersion = who.clientVersion;
    return cs;
}

} // namespace

QString enforcerCaseId(const QString& uid, CapWindow trigger, TimePoint now, std::chrono::seconds checkInterval) {
    return QStringLiteral("enf_") +
           QString::fromLatin1(caseHash(uid, trigger, slotStartSeconds(now, checkInterval)).left(24));
}

QString enforcerCaseRef(const QString& caseId) {
    // The reference is the first 12 hex digits of the id's hash, so it follows from the id alone.
    const QString hex = caseId.startsWith(QLatin1String("enf_")) ? caseId.mid(4, 12) : QString();
    return hex.size() == 12 ? QStringLiteral("FU-") + hex.toUpper() : QString();
}

Result<ChangeSet> buildEnforcerChange(const Policy& policy, const FairUseState& before, const Decision& decision,
                                      const ServiceIdentity& who, TimePoint now, const QString& caseId) {
    if (Status ok = checkWho(who, before); !ok) {
        return ok.error();
    }
    if (!decision.stateChanged) {
        return Error::invalid(
            QStringLiteral("decision %1 on %2 changes nothing to write").arg(toString(decision.action), before.uid));
    }
    ChangeSet cs = serviceChange(before, decision.state, who, now, decision.action, decision.explanation);
    if (decision.event) {
        if (caseId.isEmpty()) {
            return Error::invalid(QStringLiteral("the case of %1 has no id").arg(before.uid));
        }
        FairUseEvent event = *decision.event;
        event.id = caseId;
        event.uid = before.uid;
        cs.newEvent = event;
        cs.expectedEventVersion.clear(); // the deterministic id must not exist yet
        cs.audit.caseRef = event.caseRef;
        cs.audit.eventId = caseId;
        cs.idempotencyKey = QStringLiteral("enforcer/case/%1/%2").arg(before.uid, caseId);
    } else {
        cs.idempotencyKey = QStringLiteral("enforcer/%1/%2/%3")
                                .arg(before.uid, toString(decision.action))
                                .arg(slotStartSeconds(now, policy.checkInterval));
    }
    return cs;
}

Result<ChangeSet> buildExpiryChange(const FairUseState& before, const Expiry& expiry, const ServiceIdentity& who,
                                    TimePoint now) {
    if (Status ok = checkWho(who, before); !ok) {
        return ok.error();
    }
    if (!expiry.action) {
        return Error::invalid(QStringLiteral("nothing of %1 expired").arg(before.uid));
    }
    FairUseState after = expiry.state;
    after.updatedAt = now;
    ChangeSet cs = serviceChange(before, after, who, now, *expiry.action, expiry.explanation);
    // One expiry of one timer: the timer's end names it, so a second instance lowering the same stage is a no-op.
    const std::optional<TimePoint> until =
        *expiry.action == Action::RestrictExpiredToThrottle ? before.restrictUntil : before.throttleUntil;
    cs.idempotencyKey =
        QStringLiteral("enforcer/expiry/%1/%2/%3")
            .arg(before.uid, toString(*expiry.action), until ? formatRfc3339(*until) : QStringLiteral("none"));
    return cs;
}

} // namespace fairuse::enforcement
