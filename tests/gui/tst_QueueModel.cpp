// QueueModel over a seeded embedded store: model consistency, paging, store-side filters, proxy sorting, search.

#include "QueueModel.h"
#include "ShellTestStore.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <cmath>

using namespace fairuse;
using fairuse::models::QueueModel;

class tst_QueueModel : public QObject {
    Q_OBJECT

private:
    testing::ShellTestStore m_store;

    /** Loads with `filter` and waits for the last page. */
    bool load(QueueModel& model, const services::QueueFilter& filter) {
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        QSignalSpy failed(&model, &QueueModel::loadFailed);
        model.setFilter(filter);
        return QTest::qWaitFor([&] { return !done.isEmpty() || !failed.isEmpty(); }, 60000) && failed.isEmpty();
    }

    QSet<QString> uids(const QueueModel& model) const {
        QSet<QString> out;
        for (int r = 0; r < model.rowCount(); ++r) {
            out.insert(model.rowAt(r).state.uid);
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed(testing::ShellTestStore::smallOptions())); }

    void passesModelTesterWhileLoading() {
        QueueModel model(m_store.backend);
        model.setPageSize(13);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        QVERIFY(model.rowCount() > 13);
        // A reload (reset) and a filtered reload under the tester too.
        services::QueueFilter f;
        f.stage = Stage::Restrict;
        QVERIFY(load(model, f));
    }

    void pagesArriveOneInsertEachWithoutDuplicates() {
        QueueModel model(m_store.backend);
        model.setPageSize(7);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy pages(&model, &QueueModel::pageLoaded);
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !pages.isEmpty(); }, 60000));
        QCOMPARE(pages.first().at(0).toInt(), 7); // the first page arrives on its own
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));

        const int expected = static_cast<int>(m_store.flagged().size());
        QCOMPARE(model.rowCount(), expected);
        QCOMPARE(uids(model).size(), expected); // no duplicates
        QCOMPARE(model.pagesLoaded(), pages.size());
        QVERIFY(model.pagesLoaded() >= (expected + 6) / 7);
        // One insertion per non-empty page, never row by row.
        int nonEmpty = 0;
        int previous = 0;
        for (const QList<QVariant>& p : pages) {
            nonEmpty += p.at(0).toInt() > previous ? 1 : 0;
            previous = p.at(0).toInt();
        }
        QCOMPARE(inserted.size(), nonEmpty);
        QVERIFY(model.isComplete());
    }

    void filtersRequeryTheStore_data() {
        QTest::addColumn<int>("which");
        QTest::newRow("stage warning") << 0;
        QTest::newRow("stage restrict") << 1;
        QTest::newRow("type audiobook") << 2;
        QTest::newRow("score from the median") << 3;
        QTest::newRow("open only") << 4;
        QTest::newRow("resolved only") << 5;
    }

    void filtersRequeryTheStore() {
        QFETCH(int, which);
        services::QueueFilter f;
        std::function<bool(const FairUseState&)> matches;
        QSet<QString> open;
        QSet<QString> resolved;
        for (const FairUseEvent& e : m_store.population.events) {
            (e.resolved ? resolved : open).insert(e.uid);
        }
        switch (which) {
        case 0:
            f.stage = Stage::Warning;
            matches = [](const FairUseState& s) { return s.stage == Stage::Warning; };
            break;
        case 1:
            f.stage = Stage::Restrict;
            matches = [](const FairUseState& s) { return s.stage == Stage::Restrict; };
            break;
        case 2:
            f.usageType = UsageType::Audiobook;
            matches = [](const FairUseState& s) { return s.lastClassifierType == UsageType::Audiobook; };
            break;
        case 3: {
            // The median score of the flagged users: some are above it, some below.
            QList<double> scores;
            for (const FairUseState& s : m_store.flagged()) {
                scores.append(s.lastClassifierScore.value_or(0.0));
            }
            std::sort(scores.begin(), scores.end());
            const double threshold = scores.at(scores.size() / 2);
            f.minScore = threshold;
            matches = [threshold](const FairUseState& s) { return s.lastClassifierScore.value_or(0.0) >= threshold; };
            break;
        }
        case 4:
            f.resolution = services::QueueFilter::Resolution::OpenOnly;
            matches = [&open](const FairUseState& s) { return open.contains(s.uid); };
            break;
        case 5:
            f.resolution = services::QueueFilter::Resolution::ResolvedOnly;
            matches = [&](const FairUseState& s) { return resolved.contains(s.uid) && !open.contains(s.uid); };
            break;
        }
        QSet<QString> expected;
        for (const FairUseState& s : m_store.flagged()) {
            if (matches(s)) {
                expected.insert(s.uid);
            }
        }
        QVERIFY2(!expected.isEmpty(), "the seeded population should contain matching users");
        QVERIFY2(expected.size() < m_store.flagged().size(), "the filter should exclude someone");

        QueueModel model(m_store.backend);
        model.setPageSize(50);
        QVERIFY(load(model, f));
        QCOMPARE(uids(model), expected);
        for (int r = 0; r < model.rowCount(); ++r) {
            QVERIFY(matches(model.rowAt(r).state));
        }
    }

    void sortsByScoreNumerically() {
        QueueModel model(m_store.backend);
        QVERIFY(load(model, {}));
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(QueueModel::SortRole);
        proxy.sort(QueueModel::ScoreColumn, Qt::DescendingOrder);
        double previous = 2.0;
        int distinct = 0;
        for (int r = 0; r < proxy.rowCount(); ++r) {
            const int source = proxy.mapToSource(proxy.index(r, 0)).row();
            const double score = model.rowAt(source).state.lastClassifierScore.value_or(-1.0);
            QVERIFY2(score <= previous,
                     qPrintable(QStringLiteral("row %1: %2 after %3").arg(r).arg(score).arg(previous)));
            distinct += score < previous ? 1 : 0;
            previous = score;
        }
        QVERIFY(distinct > 3);
        // Daily speech sorts by milliseconds, not by the "2.4 h (120%)" text.
        proxy.sort(QueueModel::DailyColumn, Qt::AscendingOrder);
        qint64 last = -2;
        for (int r = 0; r < proxy.rowCount(); ++r) {
            const int source = proxy.mapToSource(proxy.index(r, 0)).row();
            const auto& speech = model.rowAt(source).speech;
            const qint64 ms = speech ? speech->dailyMs : -1;
            QVERIFY(ms >= last);
            last = ms;
        }
    }

    void speechCellsShowHoursAndShareOfCap() {
        QueueModel model(m_store.backend);
        QVERIFY(load(model, {}));
        static const QRegularExpression cell(QStringLiteral("^(\\d+)[.,](\\d) h \\((\\d+)%\\)$"));
        int checked = 0;
        for (int r = 0; r < model.rowCount(); ++r) {
            const services::QueueRow& row = model.rowAt(r);
            if (!row.speech) {
                continue;
            }
            const QString text = model.index(r, QueueModel::WeeklyColumn).data().toString();
            const QRegularExpressionMatch m = cell.match(text);
            QVERIFY2(m.hasMatch(), qPrintable(text));
            const double hours = static_cast<double>(row.speech->weeklyMs) / 3'600'000.0;
            QCOMPARE(m.captured(1).toInt() * 10 + m.captured(2).toInt(), static_cast<int>(std::lround(hours * 10)));
            const Caps caps = Caps::forPlan(row.state.plan);
            const auto percent =
                std::lround(100.0 * static_cast<double>(row.speech->weeklyMs) / static_cast<double>(caps.weeklyMs));
            QCOMPARE(m.captured(3).toLong(), percent);
            ++checked;
        }
        QVERIFY(checked > 10);
    }

    void searchByUidAndCaseRef() {
        const FairUseState target = m_store.flagged().at(5);
        QueueModel model(m_store.backend);
        services::QueueFilter byUid;
        byUid.search = target.uid;
        QVERIFY(load(model, byUid));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, QueueModel::UserColumn).data().toString(), target.uid);
        QCOMPARE(model.rowOfUid(target.uid), 0);

        QSet<QString> flaggedUids;
        for (const FairUseState& s : m_store.flagged()) {
            flaggedUids.insert(s.uid);
        }
        FairUseEvent event;
        for (const FairUseEvent& e : m_store.population.events) {
            if (flaggedUids.contains(e.uid) && e.uid != target.uid) {
                event = e;
            }
        }
        QVERIFY(!event.caseRef.isEmpty());
        services::QueueFilter byRef;
        byRef.search = event.caseRef.toLower(); // references are accepted in any case
        QVERIFY(load(model, byRef));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, 0).data(QueueModel::UidRole).toString(), event.uid);

        services::QueueFilter none;
        none.search = QStringLiteral("no-such-user");
        QVERIFY(load(model, none));
        QCOMPARE(model.rowCount(), 0);
    }

    void staleParallelLoadsAreDropped() {
        // Changing the filter while pages are in flight must not mix rows of the old filter into the new one.
        QueueModel model(m_store.backend);
        model.setPageSize(5);
        services::QueueFilter all;
        model.setFilter(all);
        services::QueueFilter restrict;
        restrict.stage = Stage::Restrict;
        QVERIFY(load(model, restrict));
        for (int r = 0; r < model.rowCount(); ++r) {
            QVERIFY(model.rowAt(r).state.stage == Stage::Restrict);
        }
        QTest::qWait(200); // any late page of the first load would arrive now
        for (int r = 0; r < model.rowCount(); ++r) {
            QVERIFY(model.rowAt(r).state.stage == Stage::Restrict);
        }
    }

    void unreachableStoreReportsUnavailable() {
        // A store whose file cannot be opened: the model reports the failure instead of hanging or crashing.
        QTemporaryDir dir;
        const QString bogus = dir.filePath(QStringLiteral("not-a-db.sqlite"));
        QFile f(bogus);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not sqlite at all, just text long enough to not be an empty file\n");
        f.close();
        services::EmbeddedStores broken = services::makeEmbeddedStores(bogus);
        models::Backend backend = m_store.backend;
        backend.cases = broken.cases;
        QueueModel model(backend);
        QSignalSpy failed(&model, &QueueModel::loadFailed);
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty(); }, 30000));
        QVERIFY(!failed.first().at(1).toString().isEmpty());
        QVERIFY(!model.isComplete());
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(tst_QueueModel)
#include "tst_QueueModel.moc"
