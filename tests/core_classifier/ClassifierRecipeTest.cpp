#include "ClassifierTestData.h"
#include "classifier/Recipe.h"

#include <QStringList>
#include <QTest>

#include <cmath>

using namespace fairuse;
using namespace fairuse::classifier;
using namespace classifier_test;

namespace {

QStringList names(const QList<Recipe>& recipes) {
    QStringList out;
    for (Recipe r : recipes) {
        out.append(recipeName(r));
    }
    return out;
}

/** Five durations around `mean` whose population coefficient of variation is exactly `cv`. */
QList<double> durationsWithCv(double mean, double cv) {
    // Values mean-a, mean+a, mean-a, mean+a, mean have a population stddev of 2a/sqrt(5).
    const double a = cv * mean * std::sqrt(5.0) / 2.0;
    return {mean - a, mean + a, mean - a, mean + a, mean};
}

/** `count` conversations of 1, 2, ... minutes (too varied for prerecorded, too short for the others). */
QList<Conversation> manyShort(int count, int categories) {
    QList<Conversation> list;
    for (int i = 0; i < count; ++i) {
        list.append(conversation(QStringLiteral("c%1").arg(i), QStringLiteral("t"), 1.0 + i,
                                 QStringLiteral("category %1").arg(i % categories), 10.0 * i));
    }
    return list;
}

} // namespace

class ClassifierRecipeTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void selectsRecipesByShape_data() {
        QTest::addColumn<QList<Conversation>>("conversations");
        QTest::addColumn<QStringList>("expected");

        const QStringList none;
        QTest::newRow("empty") << QList<Conversation>{} << none;
        QTest::newRow("audiobook: 2 sessions over an hour") << withDurations({61, 61}) << none;
        QTest::newRow("audiobook: 3 sessions over an hour")
            << withDurations({61, 61, 61}) << QStringList{QStringLiteral("audiobook")};
        QTest::newRow("audiobook: 60 minutes is not over an hour") << withDurations({60, 60, 60}) << none;
        QTest::newRow("audiobook: two of 61 and one of 60") << withDurations({61, 60, 61}) << none;
        QTest::newRow("audiobook: 60 minutes and one second counts")
            << withDurations({60.0 + 1.0 / 60.0, 61, 180}) << QStringList{QStringLiteral("audiobook")};

        QTest::newRow("prerecorded: cv 0.29")
            << withDurations(durationsWithCv(20, 0.29)) << QStringList{QStringLiteral("prerecorded")};
        QTest::newRow("prerecorded: cv 0.31") << withDurations(durationsWithCv(20, 0.31)) << none;
        QTest::newRow("prerecorded: identical durations")
            << withDurations({12, 12, 12, 12, 12}) << QStringList{QStringLiteral("prerecorded")};
        QTest::newRow("prerecorded: only four sessions") << withDurations({12, 12, 12, 12}) << none;
        QTest::newRow("prerecorded: a zero-length conversation is not a session")
            << withDurations({12, 12, 12, 12, 0}) << none;
        QTest::newRow("prerecorded: an inverted time span is not a session")
            << withDurations({12, 12, 12, 12, -12}) << none;

        QTest::newRow("commercial: 19 conversations in 1 category") << manyShort(19, 1) << none;
        QTest::newRow("commercial: 20 conversations in 1 category")
            << manyShort(20, 1) << QStringList{QStringLiteral("commercial")};
        QTest::newRow("commercial: 20 conversations in 3 categories")
            << manyShort(20, 3) << QStringList{QStringLiteral("commercial")};
        QTest::newRow("commercial: 20 conversations in 4 categories") << manyShort(20, 4) << none;
        {
            // "Work", " work" and "WORK" are one category; four spellings must not defeat the recipe.
            QList<Conversation> list = manyShort(20, 1);
            const QStringList spellings{QStringLiteral("Work"), QStringLiteral(" work "), QStringLiteral("WORK"),
                                        QStringLiteral("work")};
            for (qsizetype i = 0; i < list.size(); ++i) {
                list[i].category = spellings.at(i % spellings.size());
            }
            QTest::newRow("commercial: categories compared case-insensitively")
                << list << QStringList{QStringLiteral("commercial")};
        }

        QTest::newRow("podcast: five sessions from 25 to 90 minutes")
            << withDurations({25, 40, 90, 30, 60}) << QStringList{QStringLiteral("podcast")};
        QTest::newRow("podcast: 24.9 minutes is too short") << withDurations({24.9, 40, 90, 30, 60}) << none;
        QTest::newRow("podcast: 90.1 minutes is too long") << withDurations({25, 40, 90.1, 30, 60}) << none;
        QTest::newRow("podcast: only four sessions in range") << withDurations({25, 40, 90, 30}) << none;

        QTest::newRow("several: uniform hour-long episodes")
            << withDurations({65, 66, 64, 65, 65})
            << QStringList{QStringLiteral("audiobook"), QStringLiteral("prerecorded"), QStringLiteral("podcast")};
    }
    void selectsRecipesByShape() {
        QFETCH(QList<Conversation>, conversations);
        QFETCH(QStringList, expected);
        QCOMPARE(names(selectRecipes(conversations)), expected);
    }

    void computesCoefficientOfVariation_data() {
        QTest::addColumn<QList<double>>("values");
        QTest::addColumn<double>("expected");
        QTest::newRow("empty") << QList<double>{} << 0.0;
        QTest::newRow("one value") << QList<double>{5} << 0.0;
        QTest::newRow("identical") << QList<double>{7, 7, 7} << 0.0;
        QTest::newRow("2 and 4") << QList<double>{2, 4} << 1.0 / 3.0;
        QTest::newRow("zero mean") << QList<double>{0, 0} << 0.0;
        QTest::newRow("constructed 0.29") << durationsWithCv(20, 0.29) << 0.29;
    }
    void computesCoefficientOfVariation() {
        QFETCH(QList<double>, values);
        QFETCH(double, expected);
        QVERIFY2(std::abs(coefficientOfVariation(values) - expected) < 1e-9,
                 qPrintable(QString::number(coefficientOfVariation(values))));
    }

    void everyRecipeHasNameAndFocus() {
        QStringList seen;
        for (Recipe r : {Recipe::Audiobook, Recipe::Prerecorded, Recipe::Commercial, Recipe::Podcast}) {
            QVERIFY(!recipeName(r).isEmpty());
            QVERIFY(!seen.contains(recipeName(r)));
            seen.append(recipeName(r));
            // The focus must say what legitimate use looks like too, or the model will read shape as guilt.
            QVERIFY2(recipeFocus(r).contains(QStringLiteral("rather than")), qPrintable(recipeName(r)));
        }
    }
};

QTEST_GUILESS_MAIN(ClassifierRecipeTest)
#include "ClassifierRecipeTest.moc"
