// Detail-side models under QAbstractItemModelTester, and the speech chart's aggregation.

#include "AuditModel.h"
#include "ConversationsModel.h"
#include "EventsModel.h"
#include "EvidenceModel.h"
#include "SpeechSeries.h"
#include "SpendModel.h"
#include "TestTime.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::models;

namespace {
using fairuse::testing::at;

FairUseEvent makeEvent(const QString& id, bool resolved) {
    FairUseEvent e;
    e.id = id;
    e.uid = QStringLiteral("u1");
    e.caseRef = QStringLiteral("FU-%1").arg(id);
    e.createdAt = at("2026-03-19T10:00:00Z");
    e.windowSpeech = {9'000'000, 20'000'000, 30'000'000};
    e.previousStage = Stage::None;
    e.newStage = Stage::Warning;
    e.resolved = resolved;
    if (resolved) {
        e.resolvedBy = QStringLiteral("bob@example.com");
        e.resolvedAt = at("2026-03-19T12:00:00Z");
        e.outcome = Outcome::Confirmed;
    }
    return e;
}

/** Brute-force window sum, the definition rollingTotals must match. */
std::int64_t bruteWindow(const QList<services::MinuteSample>& samples, std::int64_t end, std::int64_t window) {
    std::int64_t sum = 0;
    for (const auto& s : samples) {
        if (s.unixMinute >= end - window && s.unixMinute < end) {
            sum += s.speechMs;
        }
    }
    return sum;
}
} // namespace

class DetailModelsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void eventsModel() {
        EventsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.appendRows({makeEvent(QStringLiteral("a"), false), makeEvent(QStringLiteral("b"), true)});
        model.appendRows({makeEvent(QStringLiteral("c"), false)});
        QCOMPARE(inserted.count(), 2); // one notification per batch
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowOfEvent(QStringLiteral("c")), 2);
        QCOMPARE(model.index(0, EventsModel::CaseColumn).data().toString(), QStringLiteral("FU-a"));
        QVERIFY(model.index(0, EventsModel::ResolutionColumn).data().toString().contains(QStringLiteral("open")));
        const QString resolved = model.index(1, EventsModel::ResolutionColumn).data().toString();
        QVERIFY(resolved.contains(QStringLiteral("bob@example.com")));
        // 2.5 h against the 2 h daily cap is over; 5.6 h against 8 h is not.
        QVERIFY(model.index(0, EventsModel::DailyColumn).data().toString().contains(QStringLiteral("over")));
        QVERIFY(!model.index(0, EventsModel::ThreeDayColumn).data().toString().contains(QStringLiteral("over")));
        QCOMPARE(model.index(2, 0).data(EventsModel::EventIdRole).toString(), QStringLiteral("c"));
        // A case names the policy that produced it; the backend's own cases carry none.
        FairUseEvent ours = makeEvent(QStringLiteral("d"), false);
        ours.policy = QStringLiteral("requested v1");
        model.appendRows({ours});
        QCOMPARE(model.index(3, EventsModel::PolicyColumn).data().toString(), QStringLiteral("requested v1"));
        QCOMPARE(model.index(0, EventsModel::PolicyColumn).data().toString(), QStringLiteral("backend's policy"));
        QCOMPARE(model.headerData(EventsModel::PolicyColumn, Qt::Horizontal).toString(), QStringLiteral("Policy"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void conversationsModelMarksCited() {
        ConversationsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<Conversation> rows;
        for (int i = 0; i < 5; ++i) {
            Conversation c;
            c.id = QStringLiteral("c%1").arg(i);
            c.title = QStringLiteral("Title %1").arg(i);
            c.startedAt = at("2026-03-19T10:00:00Z");
            c.finishedAt = c.startedAt + std::chrono::minutes(45);
            rows.append(c);
        }
        model.appendRows(rows);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setCited({QStringLiteral("c3")});
        QCOMPARE(changed.count(), 1);
        QVERIFY(model.index(3, 0).data(ConversationsModel::CitedRole).toBool());
        QVERIFY(!model.index(2, 0).data(ConversationsModel::CitedRole).toBool());
        QVERIFY(model.index(3, 0).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(model.rowOfConversation(QStringLiteral("c4")), 4);
        QCOMPARE(model.rowOfConversation(QStringLiteral("zz")), -1);
        QVERIFY(model.index(0, ConversationsModel::DurationColumn).data().toString().contains(QStringLiteral("45")));
    }

    void evidenceModelMarksUnknown() {
        EvidenceModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows({Evidence{QStringLiteral("c1"), QStringLiteral("Chapter 1"), QStringLiteral("narration")},
                       Evidence{QStringLiteral("gone"), QStringLiteral("Old"), QStringLiteral("old")}});
        model.setKnownConversations({QStringLiteral("c1")});
        QCOMPARE(model.index(0, EvidenceModel::ConversationColumn).data().toString(), QStringLiteral("c1"));
        QVERIFY(model.index(1, EvidenceModel::ConversationColumn).data().toString().contains(QStringLiteral("not")));
        QCOMPARE(model.index(1, 0).data(EvidenceModel::ConversationIdRole).toString(), QStringLiteral("gone"));
    }

    void auditModel() {
        AuditModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        AuditRecord r;
        r.sequence = 7;
        r.at = at("2026-03-19T10:00:00Z");
        r.reviewer = QStringLiteral("alice@example.com");
        r.action = AuditAction::OverrideStage;
        r.uid = QStringLiteral("u1");
        r.stageBefore = Stage::Warning;
        r.stageAfter = Stage::Restrict;
        r.reason = QStringLiteral("line1\nline2");
        model.appendRows({r});
        QCOMPARE(model.index(0, AuditModel::SequenceColumn).data(AuditModel::RawValueRole).toLongLong(), 7);
        QCOMPARE(model.index(0, AuditModel::ActionColumn).data(AuditModel::RawValueRole).toString(),
                 QStringLiteral("override_stage"));
        QVERIFY(!model.index(0, AuditModel::ReasonColumn).data().toString().contains(QLatin1Char('\n')));
        QVERIFY(model.index(0, AuditModel::StagesColumn).data().toString().contains(QStringLiteral("restrict")));
    }

    void spendModel() {
        SpendModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SpenderTotal s;
        s.uid = QStringLiteral("u1");
        s.customStt = true;
        s.calls = 3;
        s.promptTokens = 100;
        s.completionTokens = 20;
        s.costMicroUsd = 12'345;
        model.setRows({s});
        QCOMPARE(model.index(0, SpendModel::TokensColumn).data(SpendModel::RawValueRole).toLongLong(), 120);
        QCOMPARE(model.index(0, SpendModel::CostColumn).data(SpendModel::RawValueRole).toLongLong(), 12'345);
        QVERIFY(model.index(0, SpendModel::CohortColumn).data().toString().contains(QStringLiteral("custom")));
    }

    void aggregationBoundsAndSums_data() {
        QTest::addColumn<int>("spanMinutes");
        QTest::addColumn<int>("maxPoints");
        QTest::addColumn<int>("offset");
        QTest::newRow("week at 600 px") << 7 * 1440 << 600 << 0;
        QTest::newRow("week at 100 px, unaligned start") << 7 * 1440 << 100 << 7;
        QTest::newRow("day at 2000 px (1-minute buckets)") << 1440 << 2000 << 3;
        QTest::newRow("90 days at 50 px") << 90 * 1440 << 50 << 11;
        QTest::newRow("one minute") << 1 << 400 << 0;
        QTest::newRow("two points") << 7 * 1440 << 2 << 5;
    }
    void aggregationBoundsAndSums() {
        QFETCH(int, spanMinutes);
        QFETCH(int, maxPoints);
        QFETCH(int, offset);
        const std::int64_t from = 29'000'000 + offset; // a Unix minute in 2025
        const std::int64_t to = from + spanMinutes;
        QRandomGenerator rng(42);
        QList<services::MinuteSample> samples;
        std::int64_t inRange = 0;
        for (int i = 0; i < 3000; ++i) {
            // Some samples outside the range on both sides, which must not be counted.
            const std::int64_t minute = from - 100 + rng.bounded(spanMinutes + 200);
            const std::int64_t ms = rng.bounded(60'000);
            samples.append({minute, ms});
            if (minute >= from && minute < to) {
                inRange += ms;
            }
        }
        const QList<SpeechBucket> buckets = aggregateMinutes(samples, from, to, maxPoints);
        QVERIFY2(buckets.size() <= maxPoints, qPrintable(QString::number(buckets.size())));
        QVERIFY(!buckets.isEmpty());
        std::int64_t sum = 0;
        for (int i = 0; i < buckets.size(); ++i) {
            sum += buckets.at(i).speechMs;
            if (i > 0) {
                QCOMPARE(buckets.at(i).startMinute, buckets.at(i - 1).startMinute + buckets.at(i - 1).widthMinutes);
            }
        }
        QCOMPARE(sum, inRange);
        QVERIFY(buckets.first().startMinute <= from);
        QVERIFY(buckets.last().startMinute + buckets.last().widthMinutes >= to);

        const QList<std::int64_t> daily = rollingTotals(samples, buckets, 1440);
        QCOMPARE(daily.size(), buckets.size());
        for (int i = 0; i < buckets.size(); i += qMax(1, static_cast<int>(buckets.size()) / 17)) {
            const std::int64_t end = buckets.at(i).startMinute + buckets.at(i).widthMinutes;
            QCOMPARE(daily.at(i), bruteWindow(samples, end, 1440));
        }
    }

    void emptyAndReversedRanges() {
        QVERIFY(aggregateMinutes({{5, 100}}, 10, 10, 100).isEmpty());
        QVERIFY(aggregateMinutes({{5, 100}}, 10, 5, 100).isEmpty());
        QCOMPARE(bucketMinutesFor(0, 10), 1);
        // Negative minutes (before 1970) are bucketed without losing samples.
        const QList<SpeechBucket> b = aggregateMinutes({{-7, 100}, {-1, 50}}, -10, 0, 3);
        std::int64_t sum = 0;
        for (const auto& x : b) {
            sum += x.speechMs;
        }
        QCOMPARE(sum, 150);
    }
};

QTEST_MAIN(DetailModelsTest)
#include "DetailModelsTest.moc"
