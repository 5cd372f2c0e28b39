// Pinned notes, escalation and snooze (core/casework/Casework.h): what each builder writes, who may take each action,
// when a snooze returns, and the clearing a decision carries. The stores' side is tests/conformance/
// CaseworkConformance.h, the rules' tests/services_firestore/CaseworkRulesTest.cpp.

#include "casework/Casework.h"

#include "CaseworkTestSupport.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::casework;
using namespace std::chrono_literals;

namespace {

const TimePoint kT0 = parseRfc3339(QStringLiteral("2026-03-20T12:00:00Z")).value();

using testing::ana;
using testing::ben;
using testing::sam;

enforcement::ActionContext as(const Reviewer& r, TimePoint now = kT0) {
    return testing::actingAs(r, now);
}

FairUseState alice() {
    FairUseState s;
    s.uid = QStringLiteral("alice");
    s.stage = Stage::Throttle;
    s.lastViolationAt = kT0 - 2h;
    s.version = QStringLiteral("v7");
    return s;
}

FairUseEvent openCase() {
    FairUseEvent e;
    e.id = QStringLiteral("e1");
    e.uid = QStringLiteral("alice");
    e.caseRef = QStringLiteral("FU-0A1B2C3D4E5F");
    e.createdAt = kT0 - 2h;
    return e;
}

UserNote noteBy(const Reviewer& r) {
    UserNote n;
    n.id = QStringLiteral("000000000042");
    n.uid = QStringLiteral("alice");
    n.text = QStringLiteral("reads audiobooks for a blind relative");
    n.author = r.email;
    n.authorUid = r.uid;
    n.createdAt = kT0 - 24h;
    n.pinned = true;
    n.version = QStringLiteral("n1");
    return n;
}

Casework escalatedBy(const Reviewer& r) {
    Casework c;
    c.uid = QStringLiteral("alice");
    c.caseRef = openCase().caseRef;
    c.escalatedAt = kT0 - 1h;
    c.escalatedBy = r.email;
    c.escalatedByUid = r.uid;
    c.escalationNote = QStringLiteral("looks commercial");
    c.version = QStringLiteral("w1");
    return c;
}

Casework snoozed(std::optional<TimePoint> until, TimePoint at = kT0) {
    Casework c;
    c.uid = QStringLiteral("alice");
    c.caseRef = openCase().caseRef;
    c.snoozedAt = at;
    c.snoozedUntil = until;
    c.snoozeUntilCapHit = !until;
    c.snoozedBy = ana().email;
    c.snoozedByUid = ana().uid;
    c.version = QStringLiteral("w2");
    return c;
}

} // namespace

class CaseworkTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pinWritesANoteNamedByItsRecord() {
        enforcement::ActionContext ctx = as(ana());
        ctx.caseRef = openCase().caseRef;
        auto cs = buildPinNote(alice(), QStringLiteral("  reads audiobooks for a blind relative \n"), ctx);
        QVERIFY(cs.ok());
        QVERIFY(cs->noteChange.has_value());
        const UserNote& n = cs->noteChange->note;
        QVERIFY(n.id.isEmpty()); // the store names it after the record
        QCOMPARE(n.text, QStringLiteral("reads audiobooks for a blind relative"));
        QCOMPARE(n.author, ana().email);
        QCOMPARE(n.authorUid, ana().uid);
        QCOMPARE(n.caseRef, openCase().caseRef);
        QCOMPARE(n.createdAt, kT0);
        QVERIFY(n.pinned);
        QCOMPARE(toString(cs->audit.action), QStringLiteral("pin_note"));
        QCOMPARE(cs->audit.reason, n.text);
        QVERIFY(!cs->newState && !cs->newEvent && !cs->caseworkChange);
        QVERIFY(!cs->checkStateVersion);
    }

    void pinRefusesBlankAndLongNotes() {
        QCOMPARE(buildPinNote(alice(), QStringLiteral("  "), as(ana())).error().kind, ErrorKind::Invalid);
        QCOMPARE(buildPinNote(alice(), QString(kMaxNoteChars + 1, QLatin1Char('x')), as(ana())).error().kind,
                 ErrorKind::Invalid);
        QVERIFY(buildPinNote(alice(), QString(kMaxNoteChars, QLatin1Char('x')), as(ana())).ok());
        enforcement::ActionContext nobody = as(ana());
        nobody.reviewer.email.clear();
        QCOMPARE(buildPinNote(alice(), QStringLiteral("x"), nobody).error().kind, ErrorKind::Invalid);
    }

    void unpin_data() {
        QTest::addColumn<QString>("author");
        QTest::addColumn<QString>("actor");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("own note") << "ana"
                                  << "ana" << true;
        QTest::newRow("someone else's, reviewer") << "ben"
                                                  << "ana" << false;
        QTest::newRow("someone else's, senior") << "ana"
                                                << "sam" << true;
    }
    void unpin() {
        QFETCH(QString, author);
        QFETCH(QString, actor);
        QFETCH(bool, allowed);
        const auto who = [](const QString& n) {
            return n == QLatin1String("ana") ? ana() : n == QLatin1String("ben") ? ben() : sam();
        };
        auto cs = buildUnpinNote(alice(), noteBy(who(author)), QStringLiteral("resolved"), as(who(actor)));
        QCOMPARE(cs.ok(), allowed);
        if (!allowed) {
            QCOMPARE(cs.error().kind, ErrorKind::Permission);
            QVERIFY(cs.error().message.contains(QStringLiteral("senior_reviewer")));
            return;
        }
        QCOMPARE(toString(cs->audit.action), QStringLiteral("unpin_note"));
        QCOMPARE(cs->audit.reason, QStringLiteral("note 000000000042 unpinned: resolved"));
        QCOMPARE(cs->noteChange->expectedVersion, QStringLiteral("n1"));
        QVERIFY(!cs->noteChange->note.pinned);
        QCOMPARE(cs->noteChange->note.unpinnedBy, who(actor).email);
        QCOMPARE(cs->noteChange->note.unpinnedAt, std::optional<TimePoint>(kT0));
        QCOMPARE(cs->noteChange->note.text, noteBy(ana()).text);
    }

    void unpinTwiceIsAConflict() {
        UserNote n = noteBy(ana());
        n.pinned = false;
        QCOMPARE(buildUnpinNote(alice(), n, {}, as(ana())).error().kind, ErrorKind::Conflict);
        n = noteBy(ana());
        n.uid = QStringLiteral("bob");
        QCOMPARE(buildUnpinNote(alice(), n, {}, as(ana())).error().kind, ErrorKind::Invalid);
        auto plain = buildUnpinNote(alice(), noteBy(ana()), {}, as(ana()));
        QCOMPARE(plain->audit.reason, QStringLiteral("note 000000000042 unpinned"));
    }

    void pinnedNotesNewestFirst() {
        UserNote older = noteBy(ana());
        UserNote newer = noteBy(ben());
        newer.createdAt = kT0;
        UserNote gone = noteBy(sam());
        gone.pinned = false;
        const QList<UserNote> pinned = pinnedNotes({older, gone, newer});
        QCOMPARE(pinned.size(), 2);
        QCOMPARE(pinned.at(0).author, ben().email);
        QCOMPARE(pinned.at(1).author, ana().email);
    }

    void escalateWritesCaseworkInTheReviewersName() {
        auto cs = buildEscalate(alice(), std::nullopt, openCase(), QStringLiteral(" looks commercial "), as(ana()));
        QVERIFY(cs.ok());
        QVERIFY(cs->caseworkChange && cs->caseworkChange->casework);
        const Casework& c = *cs->caseworkChange->casework;
        QCOMPARE(cs->caseworkChange->expectedVersion, QString());
        QCOMPARE(c.uid, QStringLiteral("alice"));
        QCOMPARE(c.caseRef, openCase().caseRef);
        QCOMPARE(c.escalatedAt, std::optional<TimePoint>(kT0));
        QCOMPARE(c.escalatedBy, ana().email);
        QCOMPARE(c.escalatedByUid, ana().uid);
        QCOMPARE(c.escalationNote, QStringLiteral("looks commercial"));
        QVERIFY(!c.snoozed());
        QCOMPARE(toString(cs->audit.action), QStringLiteral("escalate"));
        QCOMPARE(cs->audit.reason, c.escalationNote);
        QCOMPARE(cs->audit.caseRef, openCase().caseRef);
        QCOMPARE(cs->audit.eventId, openCase().id);
        QVERIFY(!cs->newState && !cs->checkStateVersion);
    }

    void escalateRefusals() {
        QCOMPARE(buildEscalate(alice(), std::nullopt, openCase(), QStringLiteral(" "), as(ana())).error().kind,
                 ErrorKind::Invalid);
        QCOMPARE(buildEscalate(alice(), escalatedBy(ben()), openCase(), QStringLiteral("x"), as(ana())).error().kind,
                 ErrorKind::Conflict);
        FairUseEvent resolved = openCase();
        resolved.resolved = true;
        QCOMPARE(buildEscalate(alice(), std::nullopt, resolved, QStringLiteral("x"), as(ana())).error().kind,
                 ErrorKind::Invalid);
    }

    void escalatingKeepsASnoozeAndItsVersion() {
        auto cs = buildEscalate(alice(), snoozed(kT0 + 24h), openCase(), QStringLiteral("x"), as(ben()));
        QVERIFY(cs.ok());
        QCOMPARE(cs->caseworkChange->expectedVersion, QStringLiteral("w2"));
        QVERIFY(cs->caseworkChange->casework->snoozed());
        QVERIFY(cs->caseworkChange->casework->escalated());
    }

    void deEscalate_data() {
        QTest::addColumn<QString>("actor");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("who escalated") << "ana" << true;
        QTest::newRow("another reviewer") << "ben" << false;
        QTest::newRow("a senior") << "sam" << true;
    }
    void deEscalate() {
        QFETCH(QString, actor);
        QFETCH(bool, allowed);
        const Reviewer r = actor == QLatin1String("ana") ? ana() : actor == QLatin1String("ben") ? ben() : sam();
        auto cs = buildDeEscalate(alice(), escalatedBy(ana()), QStringLiteral("handled"), as(r));
        QCOMPARE(cs.ok(), allowed);
        if (!allowed) {
            QCOMPARE(cs.error().kind, ErrorKind::Permission);
            return;
        }
        // Nothing else left on the document: it is deleted.
        QVERIFY(cs->caseworkChange.has_value());
        QVERIFY(!cs->caseworkChange->casework.has_value());
        QCOMPARE(cs->caseworkChange->expectedVersion, QStringLiteral("w1"));
        QCOMPARE(toString(cs->audit.action), QStringLiteral("de_escalate"));
        QCOMPARE(cs->audit.caseRef, openCase().caseRef);
    }

    void deEscalateKeepsTheSnooze() {
        Casework both = escalatedBy(ana());
        const Casework s = snoozed(kT0 + 24h);
        both.snoozedAt = s.snoozedAt;
        both.snoozedUntil = s.snoozedUntil;
        both.snoozedBy = s.snoozedBy;
        auto cs = buildDeEscalate(alice(), both, {}, as(ana()));
        QVERIFY(cs.ok());
        QVERIFY(cs->caseworkChange->casework.has_value());
        QVERIFY(!cs->caseworkChange->casework->escalated());
        QVERIFY(cs->caseworkChange->casework->snoozed());
        QCOMPARE(buildDeEscalate(alice(), std::nullopt, {}, as(ana())).error().kind, ErrorKind::Invalid);
    }

    void snoozeUntilADate() {
        auto cs = buildSnooze(alice(), std::nullopt, openCase(), kT0 + 48h, as(ana()));
        QVERIFY(cs.ok());
        const Casework& c = *cs->caseworkChange->casework;
        QCOMPARE(c.snoozedAt, std::optional<TimePoint>(kT0));
        QCOMPARE(c.snoozedUntil, std::optional<TimePoint>(kT0 + 48h));
        QVERIFY(!c.snoozeUntilCapHit);
        QCOMPARE(c.snoozedBy, ana().email);
        QCOMPARE(c.snoozedByUid, ana().uid);
        QCOMPARE(toString(cs->audit.action), QStringLiteral("snooze"));
        QCOMPARE(cs->audit.reason, QStringLiteral("until 2026-03-22T12:00:00.000Z"));
    }

    void snoozeUntilTheNextCapHit() {
        auto cs = buildSnooze(alice(), std::nullopt, openCase(), std::nullopt, as(ana()));
        QVERIFY(cs.ok());
        QVERIFY(cs->caseworkChange->casework->snoozeUntilCapHit);
        QVERIFY(!cs->caseworkChange->casework->snoozedUntil);
        QCOMPARE(cs->audit.reason, QStringLiteral("until the next cap hit"));
    }

    void snoozeRefusals() {
        QCOMPARE(buildSnooze(alice(), std::nullopt, openCase(), kT0, as(ana())).error().kind, ErrorKind::Invalid);
        QCOMPARE(buildSnooze(alice(), std::nullopt, openCase(), kT0 + kMaxSnooze + 1s, as(ana())).error().kind,
                 ErrorKind::Invalid);
        QVERIFY(buildSnooze(alice(), std::nullopt, openCase(), kT0 + kMaxSnooze, as(ana())).ok());
        QCOMPARE(buildSnooze(alice(), snoozed(kT0 + 1h), openCase(), kT0 + 2h, as(ana())).error().kind,
                 ErrorKind::Conflict);
        // One that returned may be snoozed again, on condition of its version.
        auto again = buildSnooze(alice(), snoozed(kT0 - 1min, kT0 - 1h), openCase(), kT0 + 2h, as(ben()));
        QVERIFY(again.ok());
        QCOMPARE(again->caseworkChange->expectedVersion, QStringLiteral("w2"));
        QCOMPARE(again->caseworkChange->casework->snoozedBy, ben().email);
    }

    void snoozeState_data() {
        QTest::addColumn<bool>("hasSnooze");
        QTest::addColumn<bool>("untilCapHit");
        QTest::addColumn<int>("violationMinutesAfterSnooze"); // < -1000: no violation at all
        QTest::addColumn<int>("nowMinutes");
        QTest::addColumn<int>("expected");
        QTest::newRow("not snoozed") << false << false << -5000 << 0 << int(SnoozeState::None);
        QTest::newRow("date ahead") << true << false << -60 << 30 << int(SnoozeState::Snoozed);
        QTest::newRow("date reached") << true << false << -60 << 60 << int(SnoozeState::Returned);
        QTest::newRow("date ahead, cap hit since") << true << false << 10 << 30 << int(SnoozeState::Returned);
        QTest::newRow("cap hit, none since") << true << true << -60 << 10000 << int(SnoozeState::Snoozed);
        QTest::newRow("cap hit, at the snooze") << true << true << 0 << 10 << int(SnoozeState::Snoozed);
        QTest::newRow("cap hit, one since") << true << true << 1 << 10 << int(SnoozeState::Returned);
        QTest::newRow("cap hit, never violated") << true << true << -5000 << 10 << int(SnoozeState::Snoozed);
    }
    void snoozeState() {
        QFETCH(bool, hasSnooze);
        QFETCH(bool, untilCapHit);
        QFETCH(int, violationMinutesAfterSnooze);
        QFETCH(int, nowMinutes);
        QFETCH(int, expected);
        std::optional<Casework> c;
        if (hasSnooze) {
            c = snoozed(untilCapHit ? std::nullopt : std::optional<TimePoint>(kT0 + 60min));
        }
        FairUseState s = alice();
        s.lastViolationAt.reset();
        if (violationMinutesAfterSnooze > -1000) {
            s.lastViolationAt = kT0 + std::chrono::minutes(violationMinutesAfterSnooze);
        }
        QCOMPARE(int(casework::snoozeState(c, s, kT0 + std::chrono::minutes(nowMinutes))), expected);
    }

    void unsnooze() {
        auto cs = buildUnsnooze(alice(), snoozed(kT0 + 1h), as(ben()));
        QVERIFY(cs.ok());
        QVERIFY(!cs->caseworkChange->casework.has_value());
        QCOMPARE(toString(cs->audit.action), QStringLiteral("unsnooze"));
        QCOMPARE(buildUnsnooze(alice(), escalatedBy(ana()), as(ben())).error().kind, ErrorKind::Invalid);
    }

    void decisionsCloseCasework_data() {
        QTest::addColumn<QString>("action");
        QTest::addColumn<bool>("closes");
        for (const char* a : {"resolve", "override_stage", "manual_review", "decide_appeal"}) {
            QTest::newRow(a) << QString::fromLatin1(a) << true;
        }
        for (const char* a : {"add_note", "claim", "rerun_classifier", "pin_note", "escalate", "snooze"}) {
            QTest::newRow(a) << QString::fromLatin1(a) << false;
        }
    }
    void decisionsCloseCasework() {
        QFETCH(QString, action);
        QFETCH(bool, closes);
        ChangeSet decision;
        decision.audit.action = auditActionFromString(action).value();
        closeOnDecision(decision, escalatedBy(ana()));
        QCOMPARE(decision.caseworkChange.has_value(), closes);
        if (closes) {
            QVERIFY(!decision.caseworkChange->casework);
            QCOMPARE(decision.caseworkChange->expectedVersion, QStringLiteral("w1"));
        }
        ChangeSet nothing;
        nothing.audit.action = AuditAction::Resolve;
        closeOnDecision(nothing, std::nullopt);
        QVERIFY(!nothing.caseworkChange);
    }

    void newActionsAreEveryReviewers() {
        for (const char* a : {"pin_note", "unpin_note", "escalate", "de_escalate", "snooze", "unsnooze"}) {
            const auto action = auditActionFromString(QString::fromLatin1(a));
            QVERIFY2(action.has_value(), a);
            QCOMPARE(toString(*action), QString::fromLatin1(a));
            QCOMPARE(toString(enforcement::roleNeeded(*action, Stage::Restrict, Stage::Restrict)),
                     QStringLiteral("reviewer"));
        }
    }

    void descriptions() {
        QCOMPARE(describeEscalation(escalatedBy(ana())),
                 QStringLiteral("escalated by ana@example.com at 2026-03-20 11:00: looks commercial"));
        QCOMPARE(describeSnooze(snoozed(std::nullopt)),
                 QStringLiteral("snoozed until the next cap hit by ana@example.com"));
        QCOMPARE(describeSnooze(snoozed(kT0 + 24h)),
                 QStringLiteral("snoozed until 2026-03-21 12:00 by ana@example.com"));
    }
};

QTEST_GUILESS_MAIN(CaseworkTest)
#include "CaseworkTest.moc"
