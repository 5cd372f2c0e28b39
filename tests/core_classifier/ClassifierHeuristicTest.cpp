#include "ClassifierTestData.h"
#include "classifier/ClassifierConfig.h"
#include "classifier/HeuristicClassifier.h"

#include <QStringList>
#include <QTest>

#include <algorithm>

using namespace fairuse;
using namespace fairuse::classifier;
using namespace classifier_test;

namespace {

/** Conversations named id0.., one per entry of titles, spaced two hours apart (newest first). */
QList<Conversation> make(const QString& idPrefix, const QStringList& titles, const QList<double>& minutes,
                         const QString& category, double startAgeMinutes = 0.0,
                         const QString& source = QStringLiteral("omi")) {
    QList<Conversation> list;
    for (qsizetype i = 0; i < titles.size(); ++i) {
        list.append(conversation(QString(idPrefix + QString::number(i)), titles.at(i), minutes.at(i % minutes.size()),
                                 category, startAgeMinutes + 120.0 * static_cast<double>(i), QString(), source));
    }
    return list;
}

QStringList numbered(const QString& pattern, int count, int first = 1) {
    QStringList out;
    for (int i = 0; i < count; ++i) {
        out.append(pattern.arg(first + i));
    }
    return out;
}
} // namespace

class ClassifierHeuristicTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void classifies_data() {
        QTest::addColumn<QList<Conversation>>("conversations");
        QTest::addColumn<double>("minScore");
        QTest::addColumn<double>("maxScore"); // exclusive
        QTest::addColumn<QString>("type");
        QTest::addColumn<QStringList>("evidenceFrom"); // evidence must be non-empty and drawn from these ids

        const QStringList noEvidence;
        {
            const auto farm =
                make(QStringLiteral("book"), numbered(QStringLiteral("The Name of the Wind - Chapter %1"), 8),
                     {72, 85, 64, 91, 77, 69}, QStringLiteral("literature"));
            QTest::newRow("audiobook farm") << farm << 0.8 << 1.01 << QStringLiteral("audiobook") << idsOf(farm);
        }
        {
            const auto binge = make(QStringLiteral("pod"), numbered(QStringLiteral("The Daily - Episode %1"), 7, 1200),
                                    {28, 41, 33, 52, 47}, QStringLiteral("entertainment"));
            QTest::newRow("podcast binge") << binge << 0.7 << 1.01 << QStringLiteral("podcast") << idsOf(binge);
        }
        {
            const auto tv = make(QStringLiteral("tv"), numbered(QStringLiteral("Breaking Bad S02E%1"), 6), {47, 48, 46},
                                 QStringLiteral("entertainment"));
            QTest::newRow("tv series") << tv << 0.7 << 1.01 << QStringLiteral("tv_movie") << idsOf(tv);
        }
        {
            const auto tv = make(QStringLiteral("tv"), numbered(QStringLiteral("Season 2 Episode %1"), 6), {44},
                                 QStringLiteral("other"));
            QTest::newRow("season and episode is television, not a podcast")
                << tv << 0.7 << 1.01 << QStringLiteral("tv_movie") << idsOf(tv);
        }
        {
            const auto jobs = make(QStringLiteral("job"), numbered(QStringLiteral("Client dictation - invoice %1"), 22),
                                   {12, 18, 9, 25, 15}, QStringLiteral("business"));
            QTest::newRow("commercial dictation") << jobs << 0.7 << 1.01 << QStringLiteral("commercial") << idsOf(jobs);
        }
        {
            const QStringList titles{QStringLiteral("Weekly sync"),          QStringLiteral("Sprint planning"),
                                     QStringLiteral("1:1 with Ana"),         QStringLiteral("Design review meeting"),
                                     QStringLiteral("Customer call - Acme"), QStringLiteral("Hiring interview"),
                                     QStringLiteral("Budget discussion"),    QStringLiteral("Roadmap brainstorm"),
                                     QStringLiteral("Board meeting"),        QStringLiteral("Quarterly review")};
            QTest::newRow("back-to-back meetings")
                << make(QStringLiteral("m"), titles, {60, 55, 30, 90}, QStringLiteral("work")) << 0.0 << 0.3
                << QStringLiteral("none") << noEvidence;
        }
        {
            // Titles that would read as misuse anywhere else; the category says where the user was.
            const QStringList titles{QStringLiteral("Keynote: the future of AI"),
                                     QStringLiteral("Talk: scaling podcasts to 10M listeners"),
                                     QStringLiteral("Chapter 11 restructuring in practice"),
                                     QStringLiteral("Film financing 101"),
                                     QStringLiteral("Hallway track"),
                                     QStringLiteral("Closing remarks")};
            QTest::newRow("conference day")
                << make(QStringLiteral("conf"), titles, {45, 60, 40, 50, 90, 30}, QStringLiteral("Conference")) << 0.0
                << 0.3 << QStringLiteral("none") << noEvidence;
        }
        {
            const auto lectures = make(QStringLiteral("lec"), numbered(QStringLiteral("Lecture %1: Thermodynamics"), 6),
                                       {50}, QStringLiteral("science"));
            QTest::newRow("lectures attended in person (uniform lengths)")
                << lectures << 0.0 << 0.3 << QStringLiteral("none") << noEvidence;
        }
        {
            const auto course =
                make(QStringLiteral("chem"), numbered(QStringLiteral("Organic Chemistry - Chapter %1"), 5), {75},
                     QStringLiteral("education"));
            QTest::newRow("class working through a textbook")
                << course << 0.0 << 0.3 << QStringLiteral("none") << noEvidence;
        }
        {
            const auto club = make(QStringLiteral("club"),
                                   numbered(QStringLiteral("Book club meeting: chapter %1 of the audiobook"), 6), {80},
                                   QStringLiteral("literature"));
            QTest::newRow("protection beats keywords") << club << 0.0 << 0.3 << QStringLiteral("none") << noEvidence;
        }
        QTest::newRow("empty input") << QList<Conversation>{} << 0.0 << 1e-9 << QStringLiteral("none") << noEvidence;
        QTest::newRow("only conversations older than 7 days")
            << make(QStringLiteral("old"), numbered(QStringLiteral("Chapter %1"), 6), {80}, QStringLiteral("other"),
                    8 * 24 * 60)
            << 0.0 << 1e-9 << QStringLiteral("none") << noEvidence;
        {
            QList<Conversation> life = make(QStringLiteral("life"),
                                            {QStringLiteral("Lunch with family"), QStringLiteral("Team meeting"),
                                             QStringLiteral("Call with mom"), QStringLiteral("Dinner with friends"),
                                             QStringLiteral("Project planning")},
                                            {90, 60, 45, 120, 60}, QStringLiteral("personal"));
            life.append(conversation(QStringLiteral("one"), QStringLiteral("Dune - Chapter 3"), 70,
                                     QStringLiteral("other"), 30));
            QTest::newRow("one audiobook chapter in a busy week")
                << life << 0.0 << 0.3 << QStringLiteral("none") << QStringList{QStringLiteral("one")};
        }
        {
            const auto uniform = make(QStringLiteral("rec"), numbered(QStringLiteral("Recording %1"), 6), {30, 31, 29},
                                      QStringLiteral("other"));
            QTest::newRow("uniform lengths without telling titles stay below escalation")
                << uniform << 0.3 << 0.7 << QStringLiteral("prerecorded") << idsOf(uniform);
        }
        {
            const auto untitled = make(QStringLiteral("u"), numbered(QStringLiteral("Conversation %1"), 4),
                                       {12, 95, 33, 7}, QStringLiteral("other"));
            QTest::newRow("ordinary varied conversations")
                << untitled << 0.0 << 1e-9 << QStringLiteral("none") << noEvidence;
        }
    }
    void classifies() {
        QFETCH(QList<Conversation>, conversations);
        QFETCH(double, minScore);
        QFETCH(double, maxScore);
        QFETCH(QString, type);
        QFETCH(QStringList, evidenceFrom);

        const ClassifierResult r = classifyHeuristically(conversations, kNow);
        QVERIFY2(r.misuseScore >= minScore && r.misuseScore < maxScore,
                 qPrintable(QString(QString::number(r.misuseScore) + QStringLiteral(": ") + r.reasoning)));
        QCOMPARE(toString(r.usageType), type);
        QVERIFY(r.heuristic);
        QCOMPARE(r.model, QStringLiteral("heuristic"));
        QCOMPARE(r.promptVersion, QStringLiteral("heuristic-v1"));
        QVERIFY(r.confidence >= 0.0 && r.confidence <= config::kHeuristicMaxConfidence);
        QVERIFY(!r.reasoning.isEmpty());
        QVERIFY(r.evidence.size() <= config::kMaxEvidence);
        if (evidenceFrom.isEmpty()) {
            QVERIFY2(r.evidence.isEmpty(), qPrintable(evidenceIds(r).join(QLatin1Char(','))));
        } else {
            QVERIFY(!r.evidence.isEmpty());
            for (const Evidence& e : r.evidence) {
                QVERIFY2(evidenceFrom.contains(e.conversationId), qPrintable(e.conversationId));
                QVERIFY(!e.reason.isEmpty());
            }
        }
    }

    void emptyInputScoresZero() {
        const ClassifierResult r = classifyHeuristically({}, kNow);
        QCOMPARE(r.misuseScore, 0.0);
        QCOMPARE(toString(r.usageType), toString(UsageType::None));
        QVERIFY(r.evidence.isEmpty());
        QCOMPARE(r.droppedEvidence, 0);
        QVERIFY(r.corrections.isEmpty());
    }

    void evidenceIsStrongestAndLongestFirstAndCapped() {
        // 12 strong chapter titles of distinct lengths and 3 weak ones that are longer still.
        QList<double> minutes;
        for (int i = 0; i < 12; ++i) {
            minutes.append(61.0 + i);
        }
        QList<Conversation> list =
            make(QStringLiteral("ch"), numbered(QStringLiteral("Chapter %1"), 12), minutes, QStringLiteral("other"));
        list += make(QStringLiteral("weak"), numbered(QStringLiteral("A novel, part %1"), 3), {200},
                     QStringLiteral("other"), 10);
        const ClassifierResult r = classifyHeuristically(list, kNow);
        QCOMPARE(toString(r.usageType), toString(UsageType::Audiobook));
        QStringList expected;
        for (int i = 11; i >= 2; --i) {
            expected.append(QStringLiteral("ch%1").arg(i));
        }
        QCOMPARE(evidenceIds(r), expected);
        QCOMPARE(r.evidence.first().title, QStringLiteral("Chapter 12"));
        QVERIFY2(r.evidence.first().reason.contains(QStringLiteral("Chapter 12")),
                 qPrintable(r.evidence.first().reason));
    }

    void isDeterministicWhateverTheOrder() {
        QList<Conversation> list =
            make(QStringLiteral("a"), numbered(QStringLiteral("Chapter %1"), 5), {70, 80}, QStringLiteral("other"));
        list += make(QStringLiteral("b"), {QStringLiteral("Weekly sync"), QStringLiteral("Podcast ep 4")}, {60},
                     QStringLiteral("work"), 30);
        const ClassifierResult first = classifyHeuristically(list, kNow);
        std::reverse(list.begin(), list.end());
        const ClassifierResult second = classifyHeuristically(list, kNow);
        QCOMPARE(second.misuseScore, first.misuseScore);
        QCOMPARE(toString(second.usageType), toString(first.usageType));
        QCOMPARE(second.confidence, first.confidence);
        QCOMPARE(second.evidence, first.evidence);
        QCOMPARE(second.reasoning, first.reasoning);
    }

    void meetingsDiluteMisuse() {
        // The same four chapters score lower once a week of meetings surrounds them.
        const auto chapters =
            make(QStringLiteral("c"), numbered(QStringLiteral("Chapter %1"), 4), {75}, QStringLiteral("other"));
        QList<Conversation> busy = chapters;
        busy += make(QStringLiteral("m"), numbered(QStringLiteral("Team meeting %1"), 10), {60}, QStringLiteral("work"),
                     15);
        const double alone = classifyHeuristically(chapters, kNow).misuseScore;
        const double diluted = classifyHeuristically(busy, kNow).misuseScore;
        QVERIFY2(diluted < alone, qPrintable(QStringLiteral("%1 vs %2").arg(diluted).arg(alone)));
        QVERIFY(diluted < 0.3);
    }

    void onlyTheInputWindowCounts() {
        // 30 newest are judged: meetings now, chapters from yesterday beyond the 30 newest do not count.
        QList<Conversation> list =
            make(QStringLiteral("m"), numbered(QStringLiteral("Meeting %1"), 30), {60}, QStringLiteral("work"));
        list += make(QStringLiteral("c"), numbered(QStringLiteral("Chapter %1"), 10), {80}, QStringLiteral("other"),
                     30 * 120 + 10);
        const ClassifierResult r = classifyHeuristically(list, kNow);
        QCOMPARE(r.misuseScore, 0.0);
        QVERIFY(r.reasoning.contains(QStringLiteral("over 30 conversations")));
    }
};

QTEST_GUILESS_MAIN(ClassifierHeuristicTest)
#include "ClassifierHeuristicTest.moc"
