// Subscriptions of the demo population and how the embedded store keeps them: the plan in force comes from the
// user's subscription (legacy free, basic, none, unlimited in its period, unlimited whose period ended).
#include "EmbeddedTestSupport.h"

#include "common/Subscription.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"

#include <QHash>

using namespace fairuse;
using namespace fairuse::services;
using namespace fairuse::testing;

namespace {

const TimePoint kRef = at("2026-03-23T09:30:15.250Z");

DemoOptions small() {
    DemoOptions o;
    o.referenceTime = kRef;
    o.users = 400;
    o.flaggedPerKind = 6;
    return o;
}

enum class Kind { None, LegacyFree, Basic, PaidCurrent, PaidLapsed };

Kind kindOf(const std::optional<Subscription>& s) {
    if (!s) {
        return Kind::None;
    }
    if (s->plan == QLatin1String("free")) {
        return Kind::LegacyFree;
    }
    if (!isPaidPlanName(s->plan)) {
        return Kind::Basic;
    }
    return paidPlanLapsed(s, kRef) ? Kind::PaidLapsed : Kind::PaidCurrent;
}

} // namespace

class TestDemoSubscriptions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void populationHasEveryKindOfSubscription() {
        const DemoPopulation pop = generateDemoPopulation(small());
        QHash<int, int> users;
        for (const DemoUser& u : pop.users) {
            ++users[static_cast<int>(kindOf(u.subscription))];
            // The plan the generator used for caps and spend is the one in force at the reference time.
            QCOMPARE(toString(u.plan), toString(effectivePlan(u.subscription, kRef)));
        }
        for (Kind k : {Kind::None, Kind::LegacyFree, Kind::Basic, Kind::PaidCurrent, Kind::PaidLapsed}) {
            QVERIFY2(users.value(static_cast<int>(k)) > 0, qPrintable(QString::number(static_cast<int>(k))));
        }
        QHash<int, int> flagged;
        for (const FairUseState& s : pop.states) {
            ++flagged[static_cast<int>(kindOf(s.subscription))];
        }
        // A reviewer meets flagged users whose paid period ended (on basic caps now) and legacy free ones.
        QVERIFY(flagged.value(static_cast<int>(Kind::PaidLapsed)) > 0);
        QVERIFY(flagged.value(static_cast<int>(Kind::PaidCurrent)) > 0);
        QVERIFY(flagged.value(static_cast<int>(Kind::LegacyFree)) > 0);
    }

    void storeReadsTheSubscription() {
        TempStore store;
        const DemoPopulation pop = generateDemoPopulation(small());
        const Status written = writeToEmbedded(pop, *store.stores.database);
        QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message));

        QHash<QString, std::optional<Subscription>> byUid;
        for (const DemoUser& u : pop.users) {
            byUid.insert(u.uid, u.subscription);
        }
        for (const FairUseState& s : pop.states) {
            const auto read = awaitResult(store.cases().getState(s.uid));
            QVERIFY(read.ok());
            QVERIFY(read->subscription == byUid.value(s.uid));
        }
        QueueFilter all;
        auto page = awaitResult(store.cases().fetchQueuePage(all, QString(), 1000));
        QVERIFY(page.ok());
        QVERIFY(!page->rows.isEmpty());
        for (const QueueRow& r : page->rows) {
            QVERIFY(r.state.subscription == byUid.value(r.state.uid));
        }
    }

    void casesKeepTheirPolicyAndTheStateItsPreviousStage() {
        TempStore store;
        ChangeSet c;
        c.uid = QStringLiteral("u-policy");
        c.checkStateVersion = false;
        FairUseState s = makeState(c.uid, Stage::Restrict, kRef);
        s.previousStage = Stage::Throttle;
        c.newState = s;
        FairUseEvent e = makeEvent(c.uid, QStringLiteral("e1"), QStringLiteral("FU-00000000000F"), kRef);
        e.policy = QStringLiteral("requested v1");
        c.newEvent = e;
        c.audit = makeAudit(c.uid, AuditAction::OverrideStage, kRef, QStringLiteral("test"));
        QVERIFY(awaitResult(store.cases().apply(c)).ok());
        const auto state = awaitResult(store.cases().getState(c.uid));
        QVERIFY(state.ok());
        QVERIFY(state->previousStage == Stage::Throttle);
        QVERIFY(!state->subscription.has_value()); // no user document: no subscription
        const auto events = awaitResult(store.cases().listEvents(c.uid));
        QVERIFY(events.ok());
        QCOMPARE(events->size(), 1);
        QCOMPARE(events->first().policy, QStringLiteral("requested v1"));
    }
};

QTEST_GUILESS_MAIN(TestDemoSubscriptions)
#include "DemoSubscriptionsTest.moc"
