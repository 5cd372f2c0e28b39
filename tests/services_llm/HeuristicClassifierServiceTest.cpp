#include "llm/HeuristicClassifierService.h"
#include "classifier/HeuristicClassifier.h"

#include <QSet>
#include <QTest>

#include <memory>

using namespace fairuse;
using fairuse::services::ClassifierService;
using fairuse::services::HeuristicClassifierService;

namespace {

TimePoint testNow() {
    return parseRfc3339(QStringLiteral("2026-11-23T12:00:00Z")).value();
}

Conversation session(const QString& id, const QString& title, const QString& category, int hoursAgo, int minutes) {
    Conversation c;
    c.id = id;
    c.title = title;
    c.overview = title;
    c.category = category;
    c.source = QStringLiteral("omi");
    c.createdAt = testNow() - std::chrono::hours(hoursAgo);
    c.startedAt = c.createdAt;
    c.finishedAt = c.startedAt + std::chrono::minutes(minutes);
    return c;
}

} // namespace

class TestHeuristicClassifierService : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void identifiesItselfAsHeuristic();
    void answersAtOnceWithTheCoreHeuristic_data();
    void answersAtOnceWithTheCoreHeuristic();
    void escalationNeedsMoreThanHeavyUse_data();
    void escalationNeedsMoreThanHeavyUse();
};

void TestHeuristicClassifierService::identifiesItselfAsHeuristic() {
    std::unique_ptr<ClassifierService> service = std::make_unique<HeuristicClassifierService>();
    QVERIFY(service->isHeuristic());
    QCOMPARE(service->describe(), QStringLiteral("heuristic (offline)"));
}

void TestHeuristicClassifierService::answersAtOnceWithTheCoreHeuristic_data() {
    QTest::addColumn<QList<Conversation>>("conversations");
    QList<Conversation> farm;
    for (int i = 0; i < 6; ++i) {
        farm.append(session(QStringLiteral("a%1").arg(i), QStringLiteral("Chapter %1").arg(i + 1),
                            QStringLiteral("literature"), 4 + 12 * i, 110));
    }
    QTest::newRow("no conversations") << QList<Conversation>{};
    QTest::newRow("audiobook farm") << farm;
    QTest::newRow("one meeting") << QList<Conversation>{
        session(QStringLiteral("m1"), QStringLiteral("Weekly sync"), QStringLiteral("work"), 3, 45)};
    QTest::newRow("older than a week only") << QList<Conversation>{
        session(QStringLiteral("o1"), QStringLiteral("Chapter 9"), QStringLiteral("literature"), 24 * 9, 120)};
}

void TestHeuristicClassifierService::answersAtOnceWithTheCoreHeuristic() {
    QFETCH(QList<Conversation>, conversations);
    HeuristicClassifierService service;
    const auto future = service.classify(QStringLiteral("user-1"), conversations, testNow());
    // No event loop needed: the future is finished when classify() returns.
    QVERIFY(future.isFinished());
    QCOMPARE(future.resultCount(), 1);
    const Result<ClassifierResult> result = future.result();
    QVERIFY(result.ok());

    const ClassifierResult expected = classifier::classifyHeuristically(conversations, testNow());
    QCOMPARE(result->misuseScore, expected.misuseScore);
    QCOMPARE(toString(result->usageType), toString(expected.usageType));
    QCOMPARE(result->confidence, expected.confidence);
    QCOMPARE(result->evidence, expected.evidence);
    QCOMPARE(result->reasoning, expected.reasoning);
    QVERIFY(result->heuristic);
    QCOMPARE(result->model, QStringLiteral("heuristic"));
    QCOMPARE(result->promptVersion, QString::fromLatin1(classifier::kHeuristicVersion));

    QSet<QString> ids;
    for (const Conversation& c : std::as_const(conversations)) {
        ids.insert(c.id);
    }
    for (const Evidence& e : result->evidence) {
        QVERIFY2(ids.contains(e.conversationId), qPrintable(e.conversationId));
    }
}

void TestHeuristicClassifierService::escalationNeedsMoreThanHeavyUse_data() {
    QTest::addColumn<QList<Conversation>>("conversations");
    QTest::addColumn<bool>("escalates"); // score at or above the default threshold 0.7
    QTest::addColumn<QString>("usageType");

    QList<Conversation> farm;
    for (int i = 0; i < 8; ++i) {
        farm.append(session(QStringLiteral("a%1").arg(i), QStringLiteral("Chapter %1").arg(i + 1),
                            QStringLiteral("literature"), 2 + 10 * i, 115));
    }
    QList<Conversation> meetings;
    for (int i = 0; i < 12; ++i) {
        meetings.append(session(QStringLiteral("m%1").arg(i), QStringLiteral("Client meeting %1").arg(i),
                                QStringLiteral("work"), 2 + 6 * i, 60));
    }
    QList<Conversation> lectures;
    for (int i = 0; i < 6; ++i) {
        lectures.append(session(QStringLiteral("l%1").arg(i),
                                QStringLiteral("Lecture: chapter %1 of the course").arg(i), QStringLiteral("education"),
                                3 + 20 * i, 90));
    }
    QTest::newRow("audiobook farm") << farm << true << QStringLiteral("audiobook");
    QTest::newRow("back-to-back meetings") << meetings << false << QStringLiteral("none");
    QTest::newRow("lectures attended") << lectures << false << QStringLiteral("none");
    QTest::newRow("nothing") << QList<Conversation>{} << false << QStringLiteral("none");
}

void TestHeuristicClassifierService::escalationNeedsMoreThanHeavyUse() {
    QFETCH(QList<Conversation>, conversations);
    QFETCH(bool, escalates);
    QFETCH(QString, usageType);
    HeuristicClassifierService service;
    const Result<ClassifierResult> result =
        service.classify(QStringLiteral("user-1"), conversations, testNow()).result();
    QVERIFY(result.ok());
    QCOMPARE(result->misuseScore >= 0.7, escalates);
    QCOMPARE(toString(result->usageType), usageType);
    QVERIFY(result->misuseScore >= 0.0 && result->misuseScore <= 1.0);
}

QTEST_GUILESS_MAIN(TestHeuristicClassifierService)
#include "HeuristicClassifierServiceTest.moc"
