#pragma once
// The appeal contract of CaseStore, one body for every implementation: a user's appeals newest first, the open
// appeals of everyone oldest first (the manual-review inbox), a decision written once with its audit record, and an
// overturn that restores the stage before the contested decision in the same commit.

#include "ConformanceSupport.h"

#include "casework/Appeals.h"
#include "enforcement/Policy.h"

#include <QObject>

#include <algorithm>

namespace fairuse::conformance {

class AppealConformance : public QObject, SuiteSubject<CaseStoreSubject> {
    Q_OBJECT
public:
    using SuiteSubject::SuiteSubject;

private:
    static enforcement::ActionContext senior() {
        enforcement::ActionContext ctx;
        ctx.reviewer = actingReviewer();
        ctx.now = at("2026-03-20T13:00:00Z");
        ctx.clientVersion = QStringLiteral("conformance");
        return ctx;
    }

    /** carol's open appeal decided as `decision`, from what the store holds now. */
    Result<ChangeSet> decideCarols(AppealDecision decision) {
        auto state = wait(store().getState(QStringLiteral("carol")));
        auto appeals = wait(store().listAppeals(QStringLiteral("carol")));
        auto events = wait(store().listEvents(QStringLiteral("carol")));
        if (!state || !appeals || !events) {
            return Error::internal(QStringLiteral("reading carol failed"));
        }
        const std::optional<Appeal> open = casework::openAppeal(*appeals);
        if (!open) {
            return Error::notFound(QStringLiteral("carol has no open appeal"));
        }
        const auto contested = std::find_if(events->cbegin(), events->cend(),
                                            [&](const FairUseEvent& e) { return e.caseRef == open->caseRef; });
        return casework::buildDecideAppeal(
            enforcement::Policy::forReview(), *state, *open,
            contested == events->cend() ? std::nullopt : std::optional<FairUseEvent>(*contested), decision,
            QStringLiteral("classifier_error"), QStringLiteral("second look"), senior());
    }

private Q_SLOTS:
    void init() {
        CONFORM_OK(renewSubject());
        CONFORM_OK(m_subject.seed(standardPopulation()));
    }
    void cleanup() { m_subject = {}; }

    void aUsersAppealsNewestFirst() {
        auto appeals = wait(store().listAppeals(QStringLiteral("carol")));
        CONFORM_OK(appeals);
        QCOMPARE(appeals->size(), 2);
        const Appeal& open = appeals->at(0);
        QCOMPARE(open.id, QStringLiteral("ap1"));
        QCOMPARE(open.uid, QStringLiteral("carol"));
        QCOMPARE(open.caseRef, kCarolRef);
        QCOMPARE(open.channel, QStringLiteral("app"));
        QCOMPARE(open.message, QStringLiteral("Please look again: ap1"));
        QCOMPARE(open.createdAt, at("2026-03-20T10:30:00Z"));
        QVERIFY(open.isOpen());
        QVERIFY(!open.version.isEmpty());
        const Appeal& decided = appeals->at(1);
        QCOMPARE(decided.id, QStringLiteral("ap0"));
        QCOMPARE(decided.decision, std::optional<AppealDecision>(AppealDecision::Upheld));
        QCOMPARE(decided.decidedBy, QStringLiteral("senior@example.com"));
        QCOMPARE(decided.decidedAt, std::optional<TimePoint>(at("2026-03-20T09:45:00Z")));
        QCOMPARE(decided.decisionReason, QStringLiteral("commercial audio every night"));
        auto none = wait(store().listAppeals(QStringLiteral("bob")));
        CONFORM_OK(none);
        QVERIFY(none->isEmpty());
    }

    void openAppealsOldestFirst() {
        auto open = wait(store().listOpenAppeals(10));
        CONFORM_OK(open);
        QCOMPARE(open->size(), 2);
        QCOMPARE(open->at(0).id, QStringLiteral("ap2"));
        QCOMPARE(open->at(0).uid, QStringLiteral("alice"));
        QCOMPARE(open->at(1).id, QStringLiteral("ap1"));
        QCOMPARE(open->at(1).uid, QStringLiteral("carol"));
        auto one = wait(store().listOpenAppeals(1));
        CONFORM_OK(one);
        QCOMPARE(one->size(), 1);
        QCOMPARE(one->first().id, QStringLiteral("ap2"));
    }

    void upholdingWritesTheDecisionOnce() {
        auto cs = decideCarols(AppealDecision::Upheld);
        CONFORM_OK(cs);
        auto r = wait(store().apply(*cs));
        CONFORM_OK(r);
        QVERIFY(!r->appealVersion.isEmpty());
        QCOMPARE(toString(r->audit.action), QStringLiteral("decide_appeal"));
        QCOMPARE(r->audit.reason, QStringLiteral("appeal ap1 upheld: classifier_error: second look"));
        auto appeals = wait(store().listAppeals(QStringLiteral("carol")));
        CONFORM_OK(appeals);
        QCOMPARE(appeals->at(0).decision, std::optional<AppealDecision>(AppealDecision::Upheld));
        QCOMPARE(appeals->at(0).decidedBy, actingReviewer().email);
        QCOMPARE(appeals->at(0).decisionReason, QStringLiteral("classifier_error: second look"));
        QCOMPARE(appeals->at(0).version, r->appealVersion);
        auto state = wait(store().getState(QStringLiteral("carol")));
        CONFORM_OK(state);
        QCOMPARE(toString(state->stage), QStringLiteral("restrict"));
        auto open = wait(store().listOpenAppeals(10));
        CONFORM_OK(open);
        QCOMPARE(open->size(), 1);
        // The same decision again, from the version read before: a conflict, nothing written.
        auto again = wait(store().apply(*cs));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().kind, ErrorKind::Conflict);
    }

    void overturningRestoresTheStageBefore() {
        auto cs = decideCarols(AppealDecision::Overturned);
        CONFORM_OK(cs);
        QVERIFY(cs->newState.has_value());
        auto r = wait(store().apply(*cs));
        CONFORM_OK(r);
        auto state = wait(store().getState(QStringLiteral("carol")));
        CONFORM_OK(state);
        QCOMPARE(toString(state->stage), QStringLiteral("throttle")); // carol's case FU-CA20… went throttle -> restrict
        QVERIFY(!state->restrictUntil.has_value());
        QCOMPARE(state->version, r->stateVersion);
        auto appeals = wait(store().listAppeals(QStringLiteral("carol")));
        CONFORM_OK(appeals);
        QCOMPARE(appeals->at(0).decision, std::optional<AppealDecision>(AppealDecision::Overturned));
    }
};

} // namespace fairuse::conformance
