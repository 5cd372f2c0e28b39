#pragma once
// The CaseStore contract as the console uses it, one body for every implementation: each test starts from a new,
// empty store seeded with standardPopulation() and checks one operation of models/ and ui/ (state, queue pages and
// search, cases, case references, conversations, reviewer actions one by one and in bulk, the audit trail with a
// limit and in pages, LLM spend, reviewer roles).

#include "ConformanceSupport.h"

#include <QObject>
#include <QSet>

#include <algorithm>

namespace fairuse::conformance {

class CaseStoreConformance : public QObject, SuiteSubject<CaseStoreSubject> {
    Q_OBJECT
public:
    using SuiteSubject::SuiteSubject;

private:
    /** The queue of `filter`, every page of `limit` rows. */
    Result<QList<services::QueueRow>> wholeQueue(const services::QueueFilter& filter, int limit) {
        QList<services::QueueRow> rows;
        QString cursor;
        for (int pages = 0; pages < 100; ++pages) {
            auto page = wait(store().fetchQueuePage(filter, cursor, limit));
            if (!page) {
                return page.error();
            }
            rows.append(page->rows);
            cursor = page->nextCursor;
            if (cursor.isEmpty()) {
                return rows;
            }
        }
        return Error::internal(QStringLiteral("the queue cursor never ends"));
    }

    /** A note on `uid` by the acting reviewer at `when` (no state or case change). */
    static ChangeSet note(const QString& uid, TimePoint when, const QString& reason) {
        ChangeSet c;
        c.uid = uid;
        c.audit.at = when;
        c.audit.reviewer = actingReviewer().email;
        c.audit.reviewerUid = actingReviewer().uid;
        c.audit.role = actingReviewer().role;
        c.audit.action = AuditAction::AddNote;
        c.audit.uid = uid;
        c.audit.reason = reason;
        c.audit.clientVersion = QStringLiteral("conformance");
        return c;
    }

    /** Resolves `e` as confirmed with the stage unchanged, from the versions read now. */
    Result<ChangeSet> resolve(const QString& uid, const QString& eventId, TimePoint when) {
        auto state = wait(store().getState(uid));
        if (!state) {
            return state.error();
        }
        auto events = wait(store().listEvents(uid));
        if (!events) {
            return events.error();
        }
        const auto it =
            std::find_if(events->cbegin(), events->cend(), [&](const FairUseEvent& e) { return e.id == eventId; });
        if (it == events->cend()) {
            return Error::notFound(QStringLiteral("no event %1").arg(eventId));
        }
        ChangeSet c = note(uid, when, QStringLiteral("confirmed"));
        c.previousState = *state;
        c.newState = *state;
        c.newState->updatedAt = when;
        c.expectedStateVersion = state->version;
        FairUseEvent resolved = *it;
        resolved.resolved = true;
        resolved.resolvedAt = when;
        resolved.resolvedBy = actingReviewer().email;
        resolved.outcome = Outcome::Confirmed;
        c.newEvent = resolved;
        c.expectedEventVersion = it->version;
        c.audit.action = AuditAction::Resolve;
        c.audit.caseRef = it->caseRef;
        c.audit.eventId = it->id;
        c.audit.stageBefore = state->stage;
        c.audit.stageAfter = state->stage;
        return c;
    }

private Q_SLOTS:
    void init() {
        CONFORM_OK(renewSubject());
        CONFORM_OK(m_subject.seed(standardPopulation()));
    }
    void cleanup() { m_subject = {}; }

    // ---- State --------------------------------------------------------------------------------------------------

    void stateOfAKnownUser() {
        auto s = wait(store().getState(QStringLiteral("bob")));
        CONFORM_OK(s);
        QCOMPARE(s->uid, QStringLiteral("bob"));
        QCOMPARE(toString(s->stage), toString(Stage::Throttle));
        QCOMPARE(s->updatedAt, at("2026-03-20T11:00:00Z"));
        QCOMPARE(s->throttleUntil, at("2026-03-27T11:00:00Z"));
        QCOMPARE(s->lastClassifierScore, std::optional<double>(0.8));
        QCOMPARE(s->lastClassifierType, std::optional<UsageType>(UsageType::Podcast));
        QVERIFY(!s->version.isEmpty());
        QVERIFY(!s->exempt);
    }

    /** A typo in the search box must not open a user who does not exist. */
    void unknownUserIsNotFound() {
        auto s = wait(store().getState(QStringLiteral("alcie")));
        QVERIFY(!s.ok());
        QCOMPARE(s.error().kind, ErrorKind::NotFound);
    }

    // ---- Cases --------------------------------------------------------------------------------------------------

    void eventsNewestFirst() {
        auto events = wait(store().listEvents(QStringLiteral("alice")));
        CONFORM_OK(events);
        QCOMPARE(events->size(), 2);
        QCOMPARE(events->at(0).caseRef, kAliceOpenRef);
        QCOMPARE(events->at(1).caseRef, kAliceClosedRef);
        QCOMPARE(events->at(0).uid, QStringLiteral("alice"));
        QVERIFY(!events->at(0).resolved);
        QVERIFY(events->at(1).resolved);
        QVERIFY(!events->at(0).version.isEmpty());
        auto none = wait(store().listEvents(QStringLiteral("nobody")));
        CONFORM_OK(none);
        QVERIFY(none->isEmpty());
    }

    void casesOpenDuringAPeriod_data() {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QStringList>("expected");
        // e1 alice open (03-20 09:55), e2 bob open (10:55), e3 carol 08:55-09:55, e0 alice 03-10 09:55-10:55.
        QTest::newRow("open ones and one resolved in the period")
            << QStringLiteral("2026-03-20T09:00:00Z") << QStringLiteral("2026-03-20T12:00:00Z")
            << QStringList{QStringLiteral("e1"), QStringLiteral("e2"), QStringLiteral("e3")};
        QTest::newRow("created after the end")
            << QStringLiteral("2026-03-20T09:00:00Z") << QStringLiteral("2026-03-20T10:00:00Z")
            << QStringList{QStringLiteral("e1"), QStringLiteral("e3")};
        QTest::newRow("resolved before the start")
            << QStringLiteral("2026-03-20T10:00:00Z") << QStringLiteral("2026-03-20T12:00:00Z")
            << QStringList{QStringLiteral("e1"), QStringLiteral("e2")};
        QTest::newRow("an old period") << QStringLiteral("2026-03-10T00:00:00Z")
                                       << QStringLiteral("2026-03-11T00:00:00Z") << QStringList{QStringLiteral("e0")};
        QTest::newRow("empty period") << QStringLiteral("2026-03-20T12:00:00Z")
                                      << QStringLiteral("2026-03-20T12:00:00Z") << QStringList{};
    }

    void casesOpenDuringAPeriod() {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QStringList, expected);
        auto cases = wait(store().listCasesOpenDuring(at(from.toLatin1().constData()), at(to.toLatin1().constData())));
        CONFORM_OK(cases);
        QStringList ids;
        for (const FairUseEvent& e : *cases) {
            ids << e.id;
            QVERIFY(!e.uid.isEmpty());
            QVERIFY(!e.version.isEmpty());
        }
        ids.sort();
        QCOMPARE(ids, expected);
    }

    void caseReferenceLookup_data() {
        QTest::addColumn<QString>("typed");
        QTest::newRow("stored form") << kAliceOpenRef;
        QTest::newRow("lower case") << QStringLiteral("fu-0a1b2c3d4e5f");
        QTest::newRow("bare hex") << QStringLiteral("0A1B2C3D4E5F");
        QTest::newRow("bare lower-case hex") << QStringLiteral("0a1b2c3d4e5f");
        QTest::newRow("pasted with spaces") << QStringLiteral("  FU-0A1B2C3D4E5F\t");
    }
    void caseReferenceLookup() {
        QFETCH(QString, typed);
        auto e = wait(store().findByCaseRef(typed));
        CONFORM_OK(e);
        QCOMPARE(e->uid, QStringLiteral("alice"));
        QCOMPARE(e->id, QStringLiteral("e1"));
        QCOMPARE(e->caseRef, kAliceOpenRef);
    }

    void caseReferenceErrors_data() {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<int>("kind");
        QTest::newRow("unknown") << QStringLiteral("FU-00000000BEEF") << int(ErrorKind::NotFound);
        QTest::newRow("not hex") << QStringLiteral("FU-0A1B2C3D4E5G") << int(ErrorKind::Invalid);
        QTest::newRow("too short") << QStringLiteral("FU-0A1B") << int(ErrorKind::Invalid);
        QTest::newRow("a user id") << QStringLiteral("alice") << int(ErrorKind::Invalid);
    }
    void caseReferenceErrors() {
        QFETCH(QString, typed);
        QFETCH(int, kind);
        auto e = wait(store().findByCaseRef(typed));
        QVERIFY(!e.ok());
        QCOMPARE(int(e.error().kind), kind);
    }

    void conversationsSinceNewestFirst() {
        auto all = wait(store().listConversations(QStringLiteral("alice"), at("2026-03-01T00:00:00Z"), 30));
        CONFORM_OK(all);
        QCOMPARE(all->size(), 5);
        QCOMPARE(all->first().id, QStringLiteral("c4"));
        QCOMPARE(all->last().id, QStringLiteral("c0"));
        QCOMPARE(all->first().title, QStringLiteral("Chapter 4"));
        QCOMPARE(all->first().durationMinutes(), 70.0);
        auto recent = wait(store().listConversations(QStringLiteral("alice"), at("2026-03-19T12:00:00Z"), 2));
        CONFORM_OK(recent);
        QCOMPARE(recent->size(), 2);
        QCOMPARE(recent->at(0).id, QStringLiteral("c4"));
        QCOMPARE(recent->at(1).id, QStringLiteral("c3"));
    }

    // ---- Queue --------------------------------------------------------------------------------------------------

    void queueHoldsFlaggedUsersNewestFirst() {
        auto rows = wholeQueue({}, 1000);
        CONFORM_OK(rows);
        QCOMPARE(rows->size(), 12);
        QCOMPARE(rows->at(0).state.uid, QStringLiteral("bob"));
        QCOMPARE(rows->at(1).state.uid, QStringLiteral("alice"));
        QCOMPARE(rows->at(2).state.uid, QStringLiteral("carol"));
        QCOMPARE(rows->at(3).state.uid, QStringLiteral("q01"));
        QCOMPARE(rows->at(11).state.uid, QStringLiteral("q09"));
        for (const auto& row : *rows) {
            QVERIFY(row.state.stage != Stage::None);
            if (row.detailsKnown && row.state.uid == QLatin1String("alice")) {
                QCOMPARE(row.openCases, 1);
                QCOMPARE(row.oldestOpenCaseAt, std::optional<TimePoint>(at("2026-03-20T09:55:00Z")));
                QCOMPARE(row.lastAction, QString());
            }
            if (row.detailsKnown && row.state.uid == QLatin1String("carol")) {
                QCOMPARE(row.openCases, 0);
            }
        }
    }

    void queuePagesHoldEveryRowOnce() {
        auto rows = wholeQueue({}, 5);
        CONFORM_OK(rows);
        QCOMPARE(rows->size(), 12);
        QSet<QString> seen;
        for (qsizetype i = 0; i < rows->size(); ++i) {
            QVERIFY2(!seen.contains(rows->at(i).state.uid), qPrintable(rows->at(i).state.uid));
            seen.insert(rows->at(i).state.uid);
            if (i > 0) {
                QVERIFY(*rows->at(i - 1).state.updatedAt >= *rows->at(i).state.updatedAt);
            }
        }
        auto bad = wait(store().fetchQueuePage({}, QStringLiteral("not-a-cursor"), 5));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().kind, ErrorKind::Invalid);
    }

    void queueFilters() {
        services::QueueFilter throttled;
        throttled.stage = Stage::Throttle;
        auto rows = wholeQueue(throttled, 50);
        CONFORM_OK(rows);
        QCOMPARE(rows->size(), 1);
        QCOMPARE(rows->first().state.uid, QStringLiteral("bob"));

        services::QueueFilter type;
        type.usageType = UsageType::Commercial;
        rows = wholeQueue(type, 50);
        CONFORM_OK(rows);
        QCOMPARE(rows->size(), 1);
        QCOMPARE(rows->first().state.uid, QStringLiteral("carol"));

        services::QueueFilter score;
        score.minScore = 0.85;
        rows = wholeQueue(score, 50);
        CONFORM_OK(rows);
        QCOMPARE(rows->size(), 2); // alice 0.9, carol 0.95

        services::QueueFilter open;
        open.resolution = services::QueueFilter::Resolution::OpenOnly;
        rows = wholeQueue(open, 50);
        CONFORM_OK(rows);
        QStringList uids;
        for (const auto& r : *rows) {
            uids << r.state.uid;
        }
        QCOMPARE(uids, (QStringList{QStringLiteral("bob"), QStringLiteral("alice")}));
    }

    void queueSearch_data() {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("uid");
        QTest::newRow("user id") << QStringLiteral("alice") << QStringLiteral("alice");
        QTest::newRow("user id with spaces") << QStringLiteral(" bob ") << QStringLiteral("bob");
        QTest::newRow("case reference") << kAliceClosedRef << QStringLiteral("alice");
        QTest::newRow("lower-case reference") << QStringLiteral("fu-b0b000000001") << QStringLiteral("bob");
        QTest::newRow("bare hex") << QStringLiteral("CA201000000F") << QStringLiteral("carol");
        QTest::newRow("unknown user") << QStringLiteral("alcie") << QString();
        QTest::newRow("unknown reference") << QStringLiteral("FU-00000000BEEF") << QString();
        QTest::newRow("not flagged") << QStringLiteral("dave") << QString();
    }
    void queueSearch() {
        QFETCH(QString, typed);
        QFETCH(QString, uid);
        services::QueueFilter f;
        f.search = typed;
        auto rows = wholeQueue(f, 50);
        CONFORM_OK(rows);
        if (uid.isEmpty()) {
            QCOMPARE(rows->size(), 0);
            return;
        }
        QCOMPARE(rows->size(), 1);
        QCOMPARE(rows->first().state.uid, uid);
    }

    // ---- Reviewer actions ---------------------------------------------------------------------------------------

    void resolveWritesStateCaseAndAudit() {
        auto change = resolve(QStringLiteral("alice"), QStringLiteral("e1"), at("2026-03-21T09:00:00Z"));
        CONFORM_OK(change);
        auto committed = wait(store().apply(*change));
        CONFORM_OK(committed);
        QVERIFY(!committed->alreadyApplied);
        QVERIFY(!committed->stateVersion.isEmpty());
        QVERIFY(!committed->eventVersion.isEmpty());
        QCOMPARE(committed->audit.sequence, std::int64_t{1});
        QCOMPARE(committed->audit.prevHash, QString());
        QVERIFY(!committed->audit.hash.isEmpty());

        auto state = wait(store().getState(QStringLiteral("alice")));
        CONFORM_OK(state);
        QCOMPARE(state->version, committed->stateVersion);
        QCOMPARE(state->updatedAt, at("2026-03-21T09:00:00Z"));
        auto events = wait(store().listEvents(QStringLiteral("alice")));
        CONFORM_OK(events);
        QVERIFY(events->first().resolved);
        QCOMPARE(events->first().outcome, std::optional<Outcome>(Outcome::Confirmed));
        QCOMPARE(events->first().resolvedBy, actingReviewer().email);
        QCOMPARE(events->first().version, committed->eventVersion);

        auto head = wait(store().readAuditHead());
        CONFORM_OK(head);
        QCOMPARE(head->sequence, std::int64_t{1});
        QCOMPARE(head->hash, committed->audit.hash);

        services::QueueFilter f;
        f.search = QStringLiteral("alice");
        auto rows = wholeQueue(f, 10);
        CONFORM_OK(rows);
        QCOMPARE(rows->size(), 1);
        if (rows->first().detailsKnown) {
            QCOMPARE(rows->first().openCases, 0);
            QCOMPARE(rows->first().lastAction, QStringLiteral("resolve"));
        }
    }

    void staleVersionIsAConflict() {
        auto first = resolve(QStringLiteral("alice"), QStringLiteral("e1"), at("2026-03-21T09:00:00Z"));
        CONFORM_OK(first);
        ChangeSet second = first.value();
        second.audit.reason = QStringLiteral("a second reviewer, same versions");
        CONFORM_OK(wait(store().apply(*first)));
        auto refused = wait(store().apply(second));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Conflict);
        auto audit = wait(store().listAudit(services::AuditFilter{}));
        CONFORM_OK(audit);
        QCOMPARE(audit->size(), 1);
    }

    void sameKeyAppliesOnce() {
        auto change = resolve(QStringLiteral("bob"), QStringLiteral("e2"), at("2026-03-21T09:00:00Z"));
        CONFORM_OK(change);
        change->idempotencyKey = QStringLiteral("bulk-run-1:e2");
        auto once = wait(store().apply(*change));
        CONFORM_OK(once);
        QVERIFY(!once->alreadyApplied);
        auto twice = wait(store().apply(*change));
        CONFORM_OK(twice);
        QVERIFY(twice->alreadyApplied);
        auto audit = wait(store().listAudit(services::AuditFilter{}));
        CONFORM_OK(audit);
        QCOMPARE(audit->size(), 1);
    }

    void exemptionShowsInTheState() {
        auto state = wait(store().getState(QStringLiteral("carol")));
        CONFORM_OK(state);
        ChangeSet c = note(QStringLiteral("carol"), at("2026-03-21T09:00:00Z"), QStringLiteral("live lectures"));
        c.audit.action = AuditAction::Exempt;
        c.exempt = true;
        c.checkStateVersion = false;
        CONFORM_OK(wait(store().apply(c)));
        auto after = wait(store().getState(QStringLiteral("carol")));
        CONFORM_OK(after);
        QVERIFY(after->exempt);
        QCOMPARE(toString(after->stage), toString(Stage::Restrict));
    }

    void bulkAppliesEachChangeAlone() {
        auto a = resolve(QStringLiteral("alice"), QStringLiteral("e1"), at("2026-03-21T09:00:00Z"));
        auto b = resolve(QStringLiteral("bob"), QStringLiteral("e2"), at("2026-03-21T09:00:01Z"));
        CONFORM_OK(a);
        CONFORM_OK(b);
        ChangeSet stale = a.value();
        stale.audit.reason = QStringLiteral("stale copy");
        const QList<ChangeSet> changes{a.value(), stale, b.value()};
        auto results = wait(store().applyBatch(changes));
        CONFORM_OK(results);
        QCOMPARE(results->size(), 3);
        CONFORM_OK(results->at(0));
        QVERIFY(!results->at(1).ok());
        QCOMPARE(results->at(1).error().kind, ErrorKind::Conflict);
        CONFORM_OK(results->at(2));
        auto audit = wait(store().listAudit(services::AuditFilter{}));
        CONFORM_OK(audit);
        QCOMPARE(audit->size(), 2);
        QCOMPARE(audit->at(0).uid, QStringLiteral("alice"));
        QCOMPARE(audit->at(1).uid, QStringLiteral("bob"));
        QCOMPARE(audit->at(1).prevHash, audit->at(0).hash);
        auto bob = wait(store().listEvents(QStringLiteral("bob")));
        CONFORM_OK(bob);
        QVERIFY(bob->first().resolved);
    }

    // ---- Audit trail --------------------------------------------------------------------------------------------

    void auditWithALimitIsTheNewestInChainOrder() {
        for (int i = 1; i <= 6; ++i) {
            const QString uid = i % 2 ? QStringLiteral("alice") : QStringLiteral("bob");
            CONFORM_OK(wait(store().apply(
                note(uid, at("2026-03-21T09:00:00Z") + std::chrono::minutes(i), QStringLiteral("note %1").arg(i)))));
        }
        services::AuditFilter all;
        auto whole = wait(store().listAudit(all));
        CONFORM_OK(whole);
        QCOMPARE(whole->size(), 6);
        QCOMPARE(whole->first().sequence, std::int64_t{1});
        QCOMPARE(whole->last().sequence, std::int64_t{6});

        services::AuditFilter unlimited;
        unlimited.limit = 0;
        auto every = wait(store().listAudit(unlimited));
        CONFORM_OK(every);
        QCOMPARE(every->size(), 6);

        services::AuditFilter three;
        three.limit = 3;
        auto newest = wait(store().listAudit(three));
        CONFORM_OK(newest);
        QCOMPARE(newest->size(), 3);
        QCOMPARE(newest->at(0).sequence, std::int64_t{4});
        QCOMPARE(newest->at(2).sequence, std::int64_t{6});

        services::AuditFilter lastOfAlice;
        lastOfAlice.uid = QStringLiteral("alice");
        lastOfAlice.limit = 1;
        auto last = wait(store().listAudit(lastOfAlice));
        CONFORM_OK(last);
        QCOMPARE(last->size(), 1);
        QCOMPARE(last->first().sequence, std::int64_t{5});
        QCOMPARE(last->first().reason, QStringLiteral("note 5"));

        services::AuditFilter range;
        range.from = at("2026-03-21T09:02:00Z");
        range.to = at("2026-03-21T09:05:00Z");
        range.limit = 2;
        auto inRange = wait(store().listAudit(range));
        CONFORM_OK(inRange);
        QCOMPARE(inRange->size(), 2);
        QCOMPARE(inRange->at(0).sequence, std::int64_t{3});
        QCOMPARE(inRange->at(1).sequence, std::int64_t{4});
    }

    void auditOfSomeActions() { // notes on alice and bob, then a resolution of alice's open case
        for (int i = 1; i <= 3; ++i) {
            CONFORM_OK(
                wait(store().apply(note(i % 2 ? QStringLiteral("alice") : QStringLiteral("bob"),
                                        at("2026-03-21T09:00:00Z") + std::chrono::minutes(i), QStringLiteral("n")))));
        }
        auto resolution = resolve(QStringLiteral("alice"), QStringLiteral("e1"), at("2026-03-21T09:10:00Z"));
        CONFORM_OK(resolution);
        CONFORM_OK(wait(store().apply(*resolution)));
        services::AuditFilter decisions;
        decisions.actions = {AuditAction::Resolve, AuditAction::OverrideStage};
        decisions.limit = 0;
        auto some = wait(store().listAudit(decisions));
        CONFORM_OK(some);
        QCOMPARE(some->size(), 1);
        QVERIFY(some->first().action == AuditAction::Resolve);
        QCOMPARE(some->first().sequence, std::int64_t{4});

        decisions.actions = {AuditAction::Resolve, AuditAction::AddNote};
        auto both = wait(store().listAudit(decisions));
        CONFORM_OK(both);
        QCOMPARE(both->size(), 4);

        decisions.actions = {AuditAction::Claim};
        QVERIFY(wait(store().listAudit(decisions)).value().isEmpty());

        // `action` wins over `actions`; in pages, the same records.
        services::AuditFilter notes;
        notes.action = AuditAction::AddNote;
        notes.actions = {AuditAction::Resolve};
        auto page = wait(store().listAuditPage(notes, {}, 10));
        CONFORM_OK(page);
        QCOMPARE(page->records.size(), 3);
        notes.action.reset(); // now only the resolution
        auto resolvedPage = wait(store().listAuditPage(notes, {}, 10));
        CONFORM_OK(resolvedPage);
        QCOMPARE(resolvedPage->records.size(), 1);
        QCOMPARE(resolvedPage->records.first().sequence, std::int64_t{4});
    }

    void auditPagesNewestFirst() {
        for (int i = 1; i <= 5; ++i) {
            CONFORM_OK(
                wait(store().apply(note(QStringLiteral("alice"), at("2026-03-21T09:00:00Z") + std::chrono::minutes(i),
                                        QStringLiteral("note %1").arg(i)))));
        }
        QList<std::int64_t> seen;
        QString cursor;
        int pages = 0;
        do {
            auto page = wait(store().listAuditPage(services::AuditFilter{}, cursor, 2));
            CONFORM_OK(page);
            for (const AuditRecord& r : page->records) {
                seen << r.sequence;
            }
            cursor = page->nextCursor;
            ++pages;
        } while (!cursor.isEmpty() && pages < 10);
        QCOMPARE(seen, (QList<std::int64_t>{5, 4, 3, 2, 1}));
        QCOMPARE(pages, 3);
        auto head = wait(store().readAuditHead());
        CONFORM_OK(head);
        QCOMPARE(head->sequence, std::int64_t{5});
    }

    // ---- Spend and reviewers ------------------------------------------------------------------------------------

    void spendInARange() {
        auto spend = wait(store().listSpend(at("2026-03-19T00:00:00Z"), at("2026-03-20T12:00:00Z")));
        CONFORM_OK(spend);
        QCOMPARE(spend->size(), 2); // the 19th of both users; the 20th at 12:00 is the end, excluded
        for (const LlmSpendRecord& r : *spend) {
            QCOMPARE(r.at, at("2026-03-19T12:00:00Z"));
        }
    }

    void spendOfOneUser() {
        auto spend =
            wait(store().listUserSpend(QStringLiteral("bob"), at("2026-03-19T00:00:00Z"), at("2026-03-21T00:00:00Z")));
        CONFORM_OK(spend);
        QCOMPARE(spend->size(), 2);
        QCOMPARE(spend->at(0).uid, QStringLiteral("bob"));
        QCOMPARE(spend->at(0).at, at("2026-03-19T12:00:00Z"));
        QCOMPARE(spend->at(0).costMicroUsd, std::int64_t{307});
        QCOMPARE(spend->at(1).at, at("2026-03-20T12:00:00Z"));
        QVERIFY(!spend->at(0).customStt);
        auto nobody = wait(
            store().listUserSpend(QStringLiteral("nobody"), at("2026-03-01T00:00:00Z"), at("2026-04-01T00:00:00Z")));
        CONFORM_OK(nobody);
        QVERIFY(nobody->isEmpty());
    }

    void bookedSpendIsReadBack() {
        LlmSpendRecord r;
        r.uid = QStringLiteral("carol");
        r.at = at("2026-03-20T13:00:00Z");
        r.model = QStringLiteral("gpt-4o-mini");
        r.purpose = QStringLiteral("classifier");
        r.promptTokens = 2000;
        r.completionTokens = 200;
        r.costMicroUsd = 420;
        CONFORM_OK(wait(store().recordSpend(r)));
        auto carol = wait(
            store().listUserSpend(QStringLiteral("carol"), at("2026-03-20T00:00:00Z"), at("2026-03-21T00:00:00Z")));
        CONFORM_OK(carol);
        QCOMPARE(carol->size(), 1);
        QCOMPARE(carol->first().purpose, QStringLiteral("classifier"));
        QCOMPARE(carol->first().costMicroUsd, std::int64_t{420});
        QCOMPARE(carol->first().at, r.at);
    }

    void reviewerRoles() {
        auto role = wait(store().reviewerRole(QStringLiteral("Senior@Example.com")));
        CONFORM_OK(role);
        QCOMPARE(toString(role.value()), toString(Role::SeniorReviewer));
        auto unknown = wait(store().reviewerRole(QStringLiteral("stranger@example.com")));
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().kind, ErrorKind::NotFound);
    }
};

} // namespace fairuse::conformance
