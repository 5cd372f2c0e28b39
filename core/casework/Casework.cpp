#include "casework/Casework.h"

#include "enforcement/ActionSupport.h"

#include <QDateTime>

#include <algorithm>

namespace fairuse::casework {

using enforcement::ActionContext;

namespace {

QString shortTime(TimePoint t) {
    return QDateTime::fromMSecsSinceEpoch(toUnixMs(t), Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

/** The same person: by uid when both sides have one (signed-in stores), else by e-mail (the embedded demo store). */
bool samePerson(const QString& email, const QString& uid, const Reviewer& r) {
    if (!uid.isEmpty() && !r.uid.isEmpty()) {
        return uid == r.uid;
    }
    return email.compare(r.email, Qt::CaseInsensitive) == 0;
}

Status checkOpenCase(const FairUseState& state, const FairUseEvent& openCase) {
    if (Status st = enforcement::checkEventOfUser(state, openCase); !st) {
        return st;
    }
    if (openCase.resolved) {
        return Error::invalid(QStringLiteral("case %1 is already resolved").arg(openCase.caseRef));
    }
    return {};
}

/** A casework change that leaves the state alone: neither written nor a precondition. */
ChangeSet caseworkChangeSet(const FairUseState& state, const std::optional<Casework>& current, const ActionContext& ctx,
                            AuditAction action, const QString& reason, std::optional<Casework> next) {
    ChangeSet cs = enforcement::baseChangeSet(state, ctx, action, reason);
    cs.checkStateVersion = false;
    ChangeSet::CaseworkChange change;
    change.expectedVersion = current ? current->version : QString();
    if (next && !next->isEmpty()) {
        next->uid = state.uid;
        next->version.clear();
        change.casework = std::move(next);
    }
    cs.caseworkChange = std::move(change);
    return cs;
}

Casework startFrom(const FairUseState& state, const std::optional<Casework>& current) {
    Casework c = current.value_or(Casework{});
    c.uid = state.uid;
    return c;
}

void clearEscalation(Casework& c) {
    c.escalatedAt.reset();
    c.escalatedBy.clear();
    c.escalatedByUid.clear();
    c.escalationNote.clear();
}

void clearSnooze(Casework& c) {
    c.snoozedAt.reset();
    c.snoozedUntil.reset();
    c.snoozeUntilCapHit = false;
    c.snoozedBy.clear();
    c.snoozedByUid.clear();
}

} // namespace

SnoozeState snoozeState(const std::optional<Casework>& casework, const FairUseState& state, TimePoint now) {
    if (!casework || !casework->snoozed()) {
        return SnoozeState::None;
    }
    // A cap hit after the snooze brings the case back in either kind of snooze: new evidence is never hidden.
    if (state.lastViolationAt && *state.lastViolationAt > *casework->snoozedAt) {
        return SnoozeState::Returned;
    }
    if (casework->snoozedUntil && *casework->snoozedUntil <= now) {
        return SnoozeState::Returned;
    }
    return SnoozeState::Snoozed;
}

QString describeEscalation(const Casework& c) {
    if (!c.escalated()) {
        return {};
    }
    return QStringLiteral("escalated by %1 at %2: %3").arg(c.escalatedBy, shortTime(*c.escalatedAt), c.escalationNote);
}

QString describeSnooze(const Casework& c) {
    if (!c.snoozed()) {
        return {};
    }
    const QString until = c.snoozedUntil ? shortTime(*c.snoozedUntil) : QStringLiteral("the next cap hit");
    return QStringLiteral("snoozed until %1 by %2").arg(until, c.snoozedBy);
}

QList<UserNote> pinnedNotes(const QList<UserNote>& notes) {
    QList<UserNote> out;
    std::copy_if(notes.cbegin(), notes.cend(), std::back_inserter(out), [](const UserNote& n) { return n.pinned; });
    std::stable_sort(out.begin(), out.end(),
                     [](const UserNote& a, const UserNote& b) { return a.createdAt > b.createdAt; });
    return out;
}

Result<ChangeSet> buildPinNote(const FairUseState& state, const QString& text, const ActionContext& ctx) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (Status st = enforcement::requireText(text, QStringLiteral("a note")); !st) {
        return st.error();
    }
    const QString trimmed = text.trimmed();
    if (trimmed.size() > kMaxNoteChars) {
        return Error::invalid(QStringLiteral("a pinned note has at most %1 characters (this one has %2)")
                                  .arg(kMaxNoteChars)
                                  .arg(trimmed.size()));
    }
    ChangeSet cs = enforcement::baseChangeSet(state, ctx, AuditAction::PinNote, trimmed);
    cs.checkStateVersion = false;
    UserNote n;
    n.uid = state.uid;
    n.text = trimmed;
    n.author = ctx.reviewer.email;
    n.authorUid = ctx.reviewer.uid;
    n.createdAt = ctx.now;
    n.caseRef = ctx.caseRef;
    n.pinned = true;
    cs.noteChange = ChangeSet::NoteChange{n, {}};
    return cs;
}

Result<ChangeSet> buildUnpinNote(const FairUseState& state, const UserNote& note, const QString& reason,
                                 const ActionContext& ctx) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (note.id.isEmpty() || note.id.contains(QLatin1Char(' '))) {
        return Error::invalid(QStringLiteral("the note has no usable id"));
    }
    if (!note.uid.isEmpty() && note.uid != state.uid) {
        return Error::invalid(QStringLiteral("note %1 is about %2, not %3").arg(note.id, note.uid, state.uid));
    }
    if (!note.pinned) {
        return Error::conflict(QStringLiteral("note %1 was already unpinned by %2").arg(note.id, note.unpinnedBy));
    }
    if (!samePerson(note.author, note.authorUid, ctx.reviewer)) {
        if (Status st = enforcement::requireRole(ctx, Role::SeniorReviewer,
                                                 QStringLiteral("unpinning a note by %1").arg(note.author));
            !st) {
            return st.error();
        }
    }
    const QString why = reason.trimmed();
    const QString recordReason = why.isEmpty() ? QStringLiteral("note %1 unpinned").arg(note.id)
                                               : QStringLiteral("note %1 unpinned: %2").arg(note.id, why);
    ChangeSet cs = enforcement::baseChangeSet(state, ctx, AuditAction::UnpinNote, recordReason);
    cs.checkStateVersion = false;
    UserNote n = note;
    n.uid = state.uid;
    n.pinned = false;
    n.unpinnedBy = ctx.reviewer.email;
    n.unpinnedAt = ctx.now;
    cs.noteChange = ChangeSet::NoteChange{n, note.version};
    return cs;
}

Result<ChangeSet> buildEscalate(const FairUseState& state, const std::optional<Casework>& current,
                                const FairUseEvent& openCase, const QString& note, const ActionContext& ctx) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (Status st = checkOpenCase(state, openCase); !st) {
        return st.error();
    }
    if (current && current->escalated()) {
        return Error::conflict(
            QStringLiteral("the case of %1 is already %2").arg(state.uid, describeEscalation(*current)));
    }
    if (Status st = enforcement::requireText(note, QStringLiteral("a note for the senior")); !st) {
        return st.error();
    }
    ActionContext onCase = ctx;
    onCase.caseRef = openCase.caseRef;
    onCase.eventId = openCase.id;
    Casework next = startFrom(state, current);
    next.caseRef = openCase.caseRef;
    next.escalatedAt = ctx.now;
    next.escalatedBy = ctx.reviewer.email;
    next.escalatedByUid = ctx.reviewer.uid;
    next.escalationNote = note.trimmed();
    return caseworkChangeSet(state, current, onCase, AuditAction::Escalate, note, next);
}

Result<ChangeSet> buildDeEscalate(const FairUseState& state, const std::optional<Casework>& current,
                                  const QString& reason, const ActionContext& ctx) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (!current || !current->escalated()) {
        return Error::invalid(QStringLiteral("the case of %1 is not escalated").arg(state.uid));
    }
    if (!samePerson(current->escalatedBy, current->escalatedByUid, ctx.reviewer)) {
        if (Status st = enforcement::requireRole(
                ctx, Role::SeniorReviewer, QStringLiteral("withdrawing an escalation by %1").arg(current->escalatedBy));
            !st) {
            return st.error();
        }
    }
    Casework next = *current;
    clearEscalation(next);
    ActionContext onCase = ctx;
    onCase.caseRef = current->caseRef;
    return caseworkChangeSet(state, current, onCase, AuditAction::DeEscalate, reason, next);
}

Result<ChangeSet> buildSnooze(const FairUseState& state, const std::optional<Casework>& current,
                              const FairUseEvent& openCase, std::optional<TimePoint> until, const ActionContext& ctx) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (Status st = checkOpenCase(state, openCase); !st) {
        return st.error();
    }
    if (snoozeState(current, state, ctx.now) == SnoozeState::Snoozed) {
        return Error::conflict(QStringLiteral("the case of %1 is already %2").arg(state.uid, describeSnooze(*current)));
    }
    if (until && *until <= ctx.now) {
        return Error::invalid(QStringLiteral("a snooze must end in the future (%1 is not after %2)")
                                  .arg(formatRfc3339(*until), formatRfc3339(ctx.now)));
    }
    if (until && *until > ctx.now + kMaxSnooze) {
        return Error::invalid(QStringLiteral("a snooze ends at most %1 days ahead").arg(kMaxSnooze.count()));
    }
    ActionContext onCase = ctx;
    onCase.caseRef = openCase.caseRef;
    onCase.eventId = openCase.id;
    Casework next = startFrom(state, current);
    next.caseRef = openCase.caseRef;
    next.snoozedAt = ctx.now;
    next.snoozedUntil = until;
    next.snoozeUntilCapHit = !until.has_value();
    next.snoozedBy = ctx.reviewer.email;
    next.snoozedByUid = ctx.reviewer.uid;
    const QString reason =
        until ? QStringLiteral("until %1").arg(formatRfc3339(*until)) : QStringLiteral("until the next cap hit");
    return caseworkChangeSet(state, current, onCase, AuditAction::Snooze, reason, next);
}

Result<ChangeSet> buildUnsnooze(const FairUseState& state, const std::optional<Casework>& current,
                                const ActionContext& ctx) {
    if (Status st = enforcement::checkIdentity(state, ctx); !st) {
        return st.error();
    }
    if (!current || !current->snoozed()) {
        return Error::invalid(QStringLiteral("the case of %1 is not snoozed").arg(state.uid));
    }
    Casework next = *current;
    clearSnooze(next);
    ActionContext onCase = ctx;
    onCase.caseRef = current->caseRef;
    return caseworkChangeSet(state, current, onCase, AuditAction::Unsnooze, {}, next);
}

bool closesCasework(AuditAction action) {
    return action == AuditAction::Resolve || action == AuditAction::OverrideStage ||
           action == AuditAction::ManualReview || action == AuditAction::DecideAppeal;
}

void closeOnDecision(ChangeSet& decision, const std::optional<Casework>& current) {
    if (!current || current->isEmpty() || !closesCasework(decision.audit.action)) {
        return;
    }
    ChangeSet::CaseworkChange change;
    change.expectedVersion = current->version;
    decision.caseworkChange = change;
}

} // namespace fairuse::casework
