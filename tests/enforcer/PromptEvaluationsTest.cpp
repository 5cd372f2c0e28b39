// Which notified users the service evaluates between passes (PromptEvaluations): batches every period while
// notifications arrive, never a user the instance knows was evaluated in the current check interval, everybody again
// in the next interval, and at most maxBatch users at once with the rest kept for the next batch.
#include "TestTime.h"

#include "enforcer/PromptEvaluations.h"

#include <QTest>

using namespace fairuse;
using namespace fairuse::services;
using namespace std::chrono_literals;

class PromptEvaluationsTest : public QObject {
    Q_OBJECT

    const TimePoint m_t = testing::at("2026-12-01T12:00:10Z"); // 10 s into a 60 s check interval

private Q_SLOTS:
    void nothingDueWithoutNotifications() {
        PromptEvaluations p(60s, 2s);
        QVERIFY(!p.takeDue(m_t).has_value());
        QVERIFY(!p.takeDue(m_t + 10s).has_value());
    }

    void batchesEveryPeriod() {
        PromptEvaluations p(60s, 2s);
        p.notified(QStringLiteral("u2"));
        p.notified(QStringLiteral("u1"));
        p.notified(QStringLiteral("u2"));
        const auto first = p.takeDue(m_t);
        QVERIFY(first.has_value());
        QCOMPARE(first->uids, (QStringList{QStringLiteral("u1"), QStringLiteral("u2")}));
        QCOMPARE(first->notified, 3);
        QCOMPARE(first->epoch, testing::at("2026-12-01T12:00:00Z"));
        QCOMPARE(p.notifications(), std::int64_t{3});
        p.notified(QStringLiteral("u3"));
        QVERIFY(!p.takeDue(m_t + 1999ms).has_value()); // within the period: it waits
        QCOMPARE(p.pending(), 1);
        const auto second = p.takeDue(m_t + 2s);
        QVERIFY(second.has_value());
        QCOMPARE(second->uids, QStringList{QStringLiteral("u3")});
        QCOMPARE(p.pending(), 0);
    }

    void coveredUsersWaitForTheNextInterval() {
        PromptEvaluations p(60s, 2s);
        // The pass at 12:00:10 evaluated u1; u1 and u2 speak afterwards.
        p.covered(m_t, {QStringLiteral("u1")});
        p.notified(QStringLiteral("u1"));
        p.notified(QStringLiteral("u2"));
        const auto batch = p.takeDue(m_t + 5s);
        QVERIFY(batch.has_value());
        QCOMPARE(batch->uids, QStringList{QStringLiteral("u2")});
        QCOMPARE(batch->notified, 2);
        // The batch evaluated u2: a later notification of either is due in no batch of this interval...
        p.covered(m_t + 5s, {QStringLiteral("u2")});
        p.notified(QStringLiteral("u2"));
        p.notified(QStringLiteral("u1"));
        const auto again = p.takeDue(m_t + 10s);
        QVERIFY(again.has_value());
        QVERIFY(again->uids.isEmpty());
        QCOMPARE(again->notified, 2);
        // ...and in the next interval both are due once more.
        p.notified(QStringLiteral("u1"));
        p.notified(QStringLiteral("u2"));
        const auto next = p.takeDue(testing::at("2026-12-01T12:01:00Z"));
        QVERIFY(next.has_value());
        QCOMPARE(next->uids, (QStringList{QStringLiteral("u1"), QStringLiteral("u2")}));
        QCOMPARE(next->epoch, testing::at("2026-12-01T12:01:00Z"));
    }

    void aNotificationBeforeTheNewIntervalIsDueInIt() {
        PromptEvaluations p(60s, 2s);
        p.covered(m_t, {QStringLiteral("u1")});
        p.notified(QStringLiteral("u1")); // at 12:00:59, say, taken only after 12:01:00
        const auto batch = p.takeDue(testing::at("2026-12-01T12:01:00.500Z"));
        QVERIFY(batch.has_value());
        QCOMPARE(batch->uids, QStringList{QStringLiteral("u1")});
    }

    void bigBatchesAreSplit() {
        PromptEvaluations p(60s, 2s, 3);
        for (int i = 0; i < 5; ++i) {
            p.notified(QStringLiteral("u%1").arg(i));
        }
        const auto first = p.takeDue(m_t);
        QVERIFY(first.has_value());
        QCOMPARE(first->uids, (QStringList{QStringLiteral("u0"), QStringLiteral("u1"), QStringLiteral("u2")}));
        QCOMPARE(p.pending(), 2);
        const auto rest = p.takeDue(m_t + 2s);
        QVERIFY(rest.has_value());
        QCOMPARE(rest->uids, (QStringList{QStringLiteral("u3"), QStringLiteral("u4")}));
        QCOMPARE(rest->notified, 0);
        QVERIFY(!p.takeDue(m_t + 4s).has_value());
    }
};

QTEST_GUILESS_MAIN(PromptEvaluationsTest)
#include "PromptEvaluationsTest.moc"
