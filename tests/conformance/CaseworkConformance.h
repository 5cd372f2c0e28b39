#pragma once
// The casework contract of CaseStore, one body for every implementation: a pinned note is stored with its pin_note
// record and named after it; an unpin, an escalation and a snooze are stored with their records in one commit; a
// stale read conflicts; a decision clears the user's escalation and snooze in its own commit.

#include "ConformanceSupport.h"

#include "casework/Casework.h"
#include "enforcement/Policy.h"
#include "enforcement/ReviewerActions.h"

#include <QObject>

namespace fairuse::conformance {

class CaseworkConformance : public QObject, SuiteSubject<CaseStoreSubject> {
    Q_OBJECT
public:
    using SuiteSubject::SuiteSubject;

private:
    static Reviewer ana() { return Reviewer{QStringLiteral("ana@example.com"), Role::Reviewer, QStringLiteral("ana")}; }
    static Reviewer ben() { return Reviewer{QStringLiteral("ben@example.com"), Role::Reviewer, QStringLiteral("ben")}; }
    static TimePoint t0() { return at("2026-03-20T12:00:00Z"); }
    static QString alice() { return QStringLiteral("alice"); }

    static enforcement::ActionContext as(const Reviewer& r, TimePoint now) {
        enforcement::ActionContext ctx;
        ctx.reviewer = r;
        ctx.now = now;
        ctx.clientVersion = QStringLiteral("conformance");
        return ctx;
    }

    Result<std::optional<Casework>> caseworkOf(const QString& uid) { return wait(store().getCasework(uid)); }

    Result<FairUseEvent> openCaseOf(const QString& uid) {
        auto events = wait(store().listEvents(uid));
        if (!events) {
            return events.error();
        }
        for (const FairUseEvent& e : *events) {
            if (!e.resolved) {
                return e;
            }
        }
        return Error::notFound(QStringLiteral("%1 has no open case").arg(uid));
    }

    /** Builds with what the store holds now (state, open case, casework) and applies. */
    template <typename Build>
    Result<CommitResult> act(Build build) {
        auto state = wait(store().getState(alice()));
        auto open = openCaseOf(alice());
        auto current = caseworkOf(alice());
        if (!state || !open || !current) {
            return Error::internal(QStringLiteral("reading alice failed"));
        }
        Result<ChangeSet> cs = build(*state, *open, *current);
        if (!cs) {
            return cs.error();
        }
        return wait(store().apply(*cs));
    }

    Result<CommitResult> escalate(const Reviewer& who, TimePoint now) {
        return act([&](const FairUseState& s, const FairUseEvent& e, const std::optional<Casework>& c) {
            return casework::buildEscalate(s, c, e, QStringLiteral("looks commercial"), as(who, now));
        });
    }

    Result<CommitResult> snooze(const Reviewer& who, TimePoint now, std::optional<TimePoint> until) {
        return act([&](const FairUseState& s, const FairUseEvent& e, const std::optional<Casework>& c) {
            return casework::buildSnooze(s, c, e, until, as(who, now));
        });
    }

    int auditCount(AuditAction action) {
        services::AuditFilter f;
        f.action = action;
        f.limit = 0;
        auto records = wait(store().listAudit(f));
        return records ? int(records->size()) : -1;
    }

private Q_SLOTS:
    void init() {
        CONFORM_OK(renewSubject());
        CONFORM_OK(m_subject.seed(standardPopulation()));
    }
    void cleanup() { m_subject = {}; }

    void aPinnedNoteIsNamedAfterItsRecord() {
        auto none = wait(store().listNotes(alice()));
        CONFORM_OK(none);
        QVERIFY(none->isEmpty());
        auto state = wait(store().getState(alice()));
        CONFORM_OK(state);
        enforcement::ActionContext ctx = as(ana(), t0());
        ctx.caseRef = QStringLiteral("FU-0A1B2C3D4E5F");
        auto cs = casework::buildPinNote(*state, QStringLiteral("reads audiobooks for a blind relative"), ctx);
        CONFORM_OK(cs);
        auto r = wait(store().apply(*cs));
        CONFORM_OK(r);
        QCOMPARE(r->noteId, QStringLiteral("%1").arg(r->audit.sequence, 12, 10, QLatin1Char('0')));
        QVERIFY(!r->noteVersion.isEmpty());
        QCOMPARE(toString(r->audit.action), QStringLiteral("pin_note"));
        QCOMPARE(r->audit.reason, QStringLiteral("reads audiobooks for a blind relative"));
        auto notes = wait(store().listNotes(alice()));
        CONFORM_OK(notes);
        QCOMPARE(notes->size(), 1);
        const UserNote& n = notes->first();
        QCOMPARE(n.id, r->noteId);
        QCOMPARE(n.uid, alice());
        QCOMPARE(n.text, QStringLiteral("reads audiobooks for a blind relative"));
        QCOMPARE(n.author, ana().email);
        QCOMPARE(n.authorUid, ana().uid);
        QCOMPARE(n.createdAt, t0());
        QCOMPARE(n.caseRef, QStringLiteral("FU-0A1B2C3D4E5F"));
        QVERIFY(n.pinned);
        QCOMPARE(n.version, r->noteVersion);
        // Another user's notes stay apart.
        auto bobs = wait(store().listNotes(QStringLiteral("bob")));
        CONFORM_OK(bobs);
        QVERIFY(bobs->isEmpty());
        QCOMPARE(auditCount(AuditAction::PinNote), 1);
    }

    void anUnpinIsStoredAndAStaleOneConflicts() {
        auto state = wait(store().getState(alice()));
        CONFORM_OK(state);
        auto pin = casework::buildPinNote(*state, QStringLiteral("call before restricting"), as(ana(), t0()));
        CONFORM_OK(pin);
        CONFORM_OK(wait(store().apply(*pin)));
        auto notes = wait(store().listNotes(alice()));
        CONFORM_OK(notes);
        const UserNote read = notes->first();
        auto unpin =
            casework::buildUnpinNote(*state, read, QStringLiteral("done"), as(ana(), t0() + std::chrono::hours(1)));
        CONFORM_OK(unpin);
        auto r = wait(store().apply(*unpin));
        CONFORM_OK(r);
        QCOMPARE(r->noteId, read.id);
        QCOMPARE(r->audit.reason, QStringLiteral("note %1 unpinned: done").arg(read.id));
        auto after = wait(store().listNotes(alice()));
        CONFORM_OK(after);
        QCOMPARE(after->size(), 1);
        QVERIFY(!after->first().pinned);
        QCOMPARE(after->first().unpinnedBy, ana().email);
        QCOMPARE(after->first().unpinnedAt, std::optional<TimePoint>(t0() + std::chrono::hours(1)));
        QCOMPARE(after->first().text, read.text);
        // A senior's console still shows it pinned: unpinning that read is a conflict, with no record.
        auto stale = casework::buildUnpinNote(*state, read, {}, as(actingReviewer(), t0() + std::chrono::hours(2)));
        CONFORM_OK(stale);
        auto second = wait(store().apply(*stale));
        QVERIFY(!second.ok());
        QCOMPARE(second.error().kind, ErrorKind::Conflict);
        QCOMPARE(auditCount(AuditAction::UnpinNote), 1);
    }

    void anEscalationIsStoredWithItsRecord() {
        auto r = escalate(ana(), t0());
        CONFORM_OK(r);
        QCOMPARE(toString(r->audit.action), QStringLiteral("escalate"));
        QCOMPARE(r->audit.reason, QStringLiteral("looks commercial"));
        QVERIFY(!r->caseworkVersion.isEmpty());
        auto c = caseworkOf(alice());
        CONFORM_OK(c);
        QVERIFY(c->has_value());
        QCOMPARE((*c)->uid, alice());
        QCOMPARE((*c)->caseRef, r->audit.caseRef);
        QCOMPARE((*c)->escalatedAt, std::optional<TimePoint>(t0()));
        QCOMPARE((*c)->escalatedBy, ana().email);
        QCOMPARE((*c)->escalatedByUid, ana().uid);
        QCOMPARE((*c)->escalationNote, QStringLiteral("looks commercial"));
        QVERIFY(!(*c)->snoozed());
        QCOMPARE((*c)->version, r->caseworkVersion);
        auto all = wait(store().listCasework());
        CONFORM_OK(all);
        QCOMPARE(all->size(), 1);
        QCOMPARE(all->first(), **c);
    }

    /** Two consoles escalate from one read: the second finds the document changed and writes nothing. */
    void anEscalationFromAStaleReadConflicts() {
        auto state = wait(store().getState(alice()));
        auto open = openCaseOf(alice());
        CONFORM_OK(state);
        CONFORM_OK(open);
        auto first = casework::buildEscalate(*state, std::nullopt, *open, QStringLiteral("a"), as(ana(), t0()));
        auto second = casework::buildEscalate(*state, std::nullopt, *open, QStringLiteral("b"), as(ben(), t0()));
        CONFORM_OK(wait(store().apply(*first)));
        auto r = wait(store().apply(*second));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Conflict);
        auto c = caseworkOf(alice());
        CONFORM_OK(c);
        QCOMPARE((*c)->escalatedBy, ana().email);
        QCOMPARE(auditCount(AuditAction::Escalate), 1);
    }

    void aResolutionDeEscalatesInItsCommit() {
        CONFORM_OK(escalate(ana(), t0()));
        CONFORM_OK(snooze(ana(), t0() + std::chrono::minutes(1), std::nullopt));
        auto r = act([&](const FairUseState& s, const FairUseEvent& e, const std::optional<Casework>& c) {
            auto cs = enforcement::buildResolve(enforcement::Policy::forReview(), s, e, Outcome::Confirmed,
                                                QStringLiteral("media_confirmed"), QString(), false,
                                                as(actingReviewer(), t0() + std::chrono::minutes(5)));
            if (cs) {
                casework::closeOnDecision(*cs, c);
            }
            return cs;
        });
        CONFORM_OK(r);
        QVERIFY(r->caseworkVersion.isEmpty());
        auto c = caseworkOf(alice());
        CONFORM_OK(c);
        QVERIFY(!c->has_value());
        auto all = wait(store().listCasework());
        CONFORM_OK(all);
        QVERIFY(all->isEmpty());
        QCOMPARE(auditCount(AuditAction::Resolve), 1);
        QCOMPARE(auditCount(AuditAction::DeEscalate), 0); // the resolution's record says it
    }

    /** A decision built before the escalation was read does not clear it blindly: the casework moved, so it conflicts.
     */
    void aDecisionFromAStaleCaseworkConflicts() {
        CONFORM_OK(escalate(ana(), t0()));
        auto read = caseworkOf(alice());
        CONFORM_OK(read);
        auto state = wait(store().getState(alice()));
        auto open = openCaseOf(alice());
        CONFORM_OK(state);
        CONFORM_OK(open);
        CONFORM_OK(snooze(ben(), t0() + std::chrono::minutes(1), t0() + std::chrono::hours(24)));
        auto cs = enforcement::buildResolve(enforcement::Policy::forReview(), *state, *open, Outcome::Confirmed,
                                            QStringLiteral("media_confirmed"), QString(), false,
                                            as(actingReviewer(), t0() + std::chrono::minutes(2)));
        CONFORM_OK(cs);
        casework::closeOnDecision(*cs, *read);
        auto r = wait(store().apply(*cs));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().kind, ErrorKind::Conflict);
        auto c = caseworkOf(alice());
        CONFORM_OK(c);
        QVERIFY((*c)->escalated());
        QVERIFY((*c)->snoozed());
        QCOMPARE(auditCount(AuditAction::Resolve), 0);
    }

    void snoozesRoundTripAndUnsnoozeDeletes() {
        const TimePoint until = t0() + std::chrono::hours(48);
        auto r = snooze(ana(), t0(), until);
        CONFORM_OK(r);
        QCOMPARE(r->audit.reason, QStringLiteral("until %1").arg(formatRfc3339(until)));
        auto c = caseworkOf(alice());
        CONFORM_OK(c);
        QCOMPARE((*c)->snoozedAt, std::optional<TimePoint>(t0()));
        QCOMPARE((*c)->snoozedUntil, std::optional<TimePoint>(until));
        QVERIFY(!(*c)->snoozeUntilCapHit);
        QCOMPARE((*c)->snoozedBy, ana().email);
        QCOMPARE((*c)->snoozedByUid, ana().uid);
        QVERIFY(!(*c)->escalated());
        auto un = act([&](const FairUseState& s, const FairUseEvent&, const std::optional<Casework>& cw) {
            return casework::buildUnsnooze(s, cw, as(ben(), t0() + std::chrono::hours(1)));
        });
        CONFORM_OK(un);
        auto gone = caseworkOf(alice());
        CONFORM_OK(gone);
        QVERIFY(!gone->has_value());
        // Until the next cap hit: no date stored.
        CONFORM_OK(snooze(ben(), t0() + std::chrono::hours(2), std::nullopt));
        auto capHit = caseworkOf(alice());
        CONFORM_OK(capHit);
        QVERIFY((*capHit)->snoozeUntilCapHit);
        QVERIFY(!(*capHit)->snoozedUntil.has_value());
        QCOMPARE(auditCount(AuditAction::Snooze), 2);
        QCOMPARE(auditCount(AuditAction::Unsnooze), 1);
    }

    void deEscalatingKeepsTheSnooze() {
        CONFORM_OK(escalate(ana(), t0()));
        CONFORM_OK(snooze(ben(), t0() + std::chrono::minutes(1), t0() + std::chrono::hours(24)));
        auto r = act([&](const FairUseState& s, const FairUseEvent&, const std::optional<Casework>& c) {
            return casework::buildDeEscalate(s, c, QStringLiteral("handled"),
                                             as(ana(), t0() + std::chrono::minutes(2)));
        });
        CONFORM_OK(r);
        auto c = caseworkOf(alice());
        CONFORM_OK(c);
        QVERIFY(c->has_value());
        QVERIFY(!(*c)->escalated());
        QVERIFY((*c)->snoozed());
        QCOMPARE((*c)->snoozedBy, ben().email);
        QCOMPARE((*c)->version, r->caseworkVersion);
    }
};

} // namespace fairuse::conformance
