// The enforcement service's heartbeat in the console's status bar (offscreen): the text for fresh, shadow and stale
// heartbeats and for several instances; nothing on the embedded store, which has no service; the main window's label
// following the store's heartbeats.
#include "EnforcerStatus.h"
#include "MainWindow.h"
#include "ShellTestStore.h"
#include "TestTime.h"

#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;
using fairuse::models::EnforcerStatus;
using fairuse::testing::at;

namespace {

const TimePoint kNow = at("2026-03-20T10:00:00Z");

ServiceHeartbeat beat(const char* instance, std::chrono::milliseconds startedAgo, bool shadow = false) {
    ServiceHeartbeat h;
    h.instance = QString::fromLatin1(instance);
    h.version = QStringLiteral("0.1.0");
    h.lastPassStarted = kNow - startedAgo;
    h.durationMs = 1200;
    h.lastPassFinished = h.lastPassStarted + std::chrono::milliseconds(h.durationMs);
    h.usersEvaluated = 42;
    h.casesWritten = 3;
    h.shadow = shadow;
    h.intervalS = 300;
    return h;
}

/** The embedded store with heartbeats of its own: every call but listServiceHeartbeats() goes to the inner store. */
class HeartbeatStore final : public services::CaseStore {
public:
    explicit HeartbeatStore(std::shared_ptr<services::CaseStore> inner)
        : m_inner(std::move(inner)) {}
    QList<ServiceHeartbeat> beats;

    Async<QList<ServiceHeartbeat>> listServiceHeartbeats() override { return services::ready(Result(beats)); }
    Async<QueuePage> fetchQueuePage(const QueueFilter& f, const QString& c, int limit) override {
        return m_inner->fetchQueuePage(f, c, limit);
    }
    Async<FairUseState> getState(const QString& uid) override { return m_inner->getState(uid); }
    Async<QList<FairUseEvent>> listEvents(const QString& uid) override { return m_inner->listEvents(uid); }
    Async<FairUseEvent> findByCaseRef(const QString& ref) override { return m_inner->findByCaseRef(ref); }
    Async<QList<Conversation>> listConversations(const QString& uid, TimePoint since, int limit) override {
        return m_inner->listConversations(uid, since, limit);
    }
    Async<CommitResult> apply(const ChangeSet& change) override { return m_inner->apply(change); }
    Async<QList<AuditRecord>> listAudit(const AuditFilter& filter) override { return m_inner->listAudit(filter); }
    Async<QList<LlmSpendRecord>> listSpend(TimePoint from, TimePoint to) override {
        return m_inner->listSpend(from, to);
    }
    Async<Role> reviewerRole(const QString& email) override { return m_inner->reviewerRole(email); }
    QString describe() const override { return m_inner->describe(); }

private:
    std::shared_ptr<services::CaseStore> m_inner;
};

} // namespace

class EnforcerStatusTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void describe_data() {
        QTest::addColumn<QList<ServiceHeartbeat>>("beats");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("stale");
        QTest::newRow("no service") << QList<ServiceHeartbeat>() << QString() << false;
        QTest::newRow("fresh") << QList<ServiceHeartbeat>{beat("a", 3min + 1200ms)}
                               << QStringLiteral("Enforcer: last pass 3 min ago · 1.2 s · v0.1.0") << false;
        QTest::newRow("seconds") << QList<ServiceHeartbeat>{beat("a", 41200ms)}
                                 << QStringLiteral("Enforcer: last pass 40 s ago · 1.2 s · v0.1.0") << false;
        QTest::newRow("shadow") << QList<ServiceHeartbeat>{beat("a", 3min + 1200ms, true)}
                                << QStringLiteral("Enforcer (shadow): last pass 3 min ago · 1.2 s · v0.1.0") << false;
        QTest::newRow("just within twice the interval")
            << QList<ServiceHeartbeat>{beat("a", 10min + 30s)}
            << QStringLiteral("Enforcer: last pass 10 min ago · 1.2 s · v0.1.0") << false;
        QTest::newRow("stale") << QList<ServiceHeartbeat>{beat("a", 25min)}
                               << QStringLiteral("Enforcer: no pass for 25 min") << true;
        QTest::newRow("stale for hours") << QList<ServiceHeartbeat>{beat("a", 5h, true)}
                                         << QStringLiteral("Enforcer (shadow): no pass for 5 h") << true;
        QTest::newRow("the newest instance speaks")
            << QList<ServiceHeartbeat>{beat("old", 25min), beat("new", 2min + 1200ms), beat("older", 3h)}
            << QStringLiteral("Enforcer: last pass 2 min ago · 1.2 s · v0.1.0") << false;
    }
    void describe() {
        QFETCH(QList<ServiceHeartbeat>, beats);
        QFETCH(QString, text);
        QFETCH(bool, stale);
        const EnforcerStatus::Display d = EnforcerStatus::describe(beats, kNow);
        QCOMPARE(d.text, text);
        QCOMPARE(d.stale, stale);
        for (const ServiceHeartbeat& b : beats) {
            QVERIFY2(d.toolTip.contains(b.instance), qPrintable(d.toolTip));
        }
    }

    void embeddedStoreHasNoService() {
        testing::ShellTestStore store;
        QVERIFY(store.seed(testing::ShellTestStore::smallOptions()));
        ui::MainWindow window(store.backend);
        window.show();
        QSignalSpy read(window.findChild<EnforcerStatus*>(), &EnforcerStatus::changed);
        QVERIFY(read.wait(10000));
        QCOMPARE(window.enforcerText(), QString());
        QVERIFY(!window.findChild<QLabel*>(QStringLiteral("enforcerStatus"))->isVisible());
    }

    void windowShowsTheHeartbeat() {
        testing::ShellTestStore store;
        QVERIFY(store.seed(testing::ShellTestStore::smallOptions()));
        auto heartbeats = std::make_shared<HeartbeatStore>(store.backend.cases);
        const TimePoint reference = store.population.referenceTime;
        ServiceHeartbeat h = beat("enforcer-1", 3min + 1200ms, true);
        h.lastPassStarted = reference - (3min + 1200ms);
        h.lastPassFinished = h.lastPassStarted + 1200ms;
        heartbeats->beats = {h};
        store.backend.cases = heartbeats;
        ui::MainWindow window(store.backend);
        window.show();
        auto* status = window.findChild<EnforcerStatus*>();
        QVERIFY(status);
        QSignalSpy read(status, &EnforcerStatus::changed);
        QVERIFY(read.wait(10000));
        auto* label = window.findChild<QLabel*>(QStringLiteral("enforcerStatus"));
        QCOMPARE(window.enforcerText(), QStringLiteral("Enforcer (shadow): last pass 3 min ago · 1.2 s · v0.1.0"));
        QVERIFY(label->isVisible());
        QVERIFY(label->styleSheet().isEmpty());
        QVERIFY(label->toolTip().contains(QLatin1String("enforcer-1")));

        // The service stops: at the next refresh the label says so, highlighted.
        heartbeats->beats.first().lastPassStarted = reference - 40min;
        heartbeats->beats.first().lastPassFinished = reference - 40min + 1200ms;
        status->refresh();
        QVERIFY(read.wait(10000));
        QCOMPARE(window.enforcerText(), QStringLiteral("Enforcer (shadow): no pass for 40 min"));
        QVERIFY(!label->styleSheet().isEmpty());

        // The heartbeats are gone (another project): nothing shown.
        heartbeats->beats.clear();
        status->refresh();
        QVERIFY(read.wait(10000));
        QVERIFY(!label->isVisible());
    }
};

QTEST_MAIN(EnforcerStatusTest)
#include "EnforcerStatusTest.moc"
