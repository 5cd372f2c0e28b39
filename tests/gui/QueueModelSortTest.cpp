// QueueModel's sorting: every column in typed order, user ids as strings, the selection and current row following
// their users, later pages merged in order, and a filter answered at once from the loaded rows, then by the store.

#include "QueueTestStores.h"
#include "QueueView.h"
#include "ShellTestStore.h"

#include <QItemSelectionModel>
#include <QSortFilterProxyModel>

using namespace fairuse;
using namespace fairuse::testing;
using fairuse::models::QueueModel;

class QueueModelSortTest : public QObject {
    Q_OBJECT

private:
    ShellTestStore m_store;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed(ShellTestStore::smallOptions())); }

    void sortsEveryColumnInTypedOrder_data() {
        QTest::addColumn<int>("column");
        QTest::addColumn<Qt::SortOrder>("order");
        for (int c = 0; c < QueueModel::ColumnCount; ++c) {
            const QByteArray name = QueueModel(m_store.backend).headerData(c, Qt::Horizontal).toString().toUtf8();
            QTest::newRow(QByteArray(name + " ascending").constData()) << c << Qt::AscendingOrder;
            QTest::newRow(QByteArray(name + " descending").constData()) << c << Qt::DescendingOrder;
        }
    }

    void sortsEveryColumnInTypedOrder() {
        QFETCH(int, column);
        QFETCH(Qt::SortOrder, order);
        QueueModel model(m_store.backend);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        const QList<services::QueueRow> rows = shownRows(model);
        model.sort(column, order);
        QCOMPARE(model.sortColumn(), column);
        QCOMPARE(shownUids(model), expectedOrder(rows, column, order));
        // Numbers sort as numbers ("10.0h" after "9.0h"), so SortRole is monotone along the rows.
        if (column != QueueModel::UserColumn && column != QueueModel::UsageTypeColumn &&
            column != QueueModel::LastActionColumn) {
            for (int r = 1; r < model.rowCount(); ++r) {
                const double prev = model.index(r - 1, column).data(QueueModel::SortRole).toDouble();
                const double here = model.index(r, column).data(QueueModel::SortRole).toDouble();
                QVERIFY2(order == Qt::AscendingOrder ? prev <= here : prev >= here, qPrintable(QString::number(r)));
            }
        }
        // Back to the store's order.
        model.sort(-1);
        QCOMPARE(shownUids(model), [&] {
            QStringList l;
            for (const auto& r : rows) {
                l.append(r.state.uid);
            }
            return l;
        }());
    }

    void userIdsSortLikeStrings() {
        // Ties and the user column compare packed prefixes of the ids; the order must be QString's.
        const QStringList ids = {QStringLiteral("abcdefghijklmnopq"),
                                 QStringLiteral("abcdefghijklmnop"),
                                 QStringLiteral("b"),
                                 QStringLiteral("abcdefghijklmnopr"),
                                 QStringLiteral("a"),
                                 QStringLiteral("abcdefghijklmnop0"),
                                 QStringLiteral("ab"),
                                 QStringLiteral("B"),
                                 QStringLiteral("\u00e9-user"),
                                 QStringLiteral("zz"),
                                 QStringLiteral("abcdefghijklmnoq"),
                                 QStringLiteral("abcdefghijklmnopqrstuvwxyz0123"),
                                 QStringLiteral("a b")};
        models::Backend backend = m_store.backend;
        backend.cases = std::make_shared<SpeechlessCaseStore>(ids);
        backend.usage.reset();
        QueueModel model(backend);
        QVERIFY(load(model, {}));
        QStringList expected = ids;
        std::sort(expected.begin(), expected.end());
        model.sort(QueueModel::UserColumn, Qt::AscendingOrder);
        QCOMPARE(shownUids(model), expected);
        std::reverse(expected.begin(), expected.end());
        model.sort(QueueModel::UserColumn, Qt::DescendingOrder);
        QCOMPARE(shownUids(model), expected);
        // Equal keys elsewhere (every row is a warning) fall back to the ids, ascending in both directions.
        std::reverse(expected.begin(), expected.end());
        model.sort(QueueModel::StageColumn, Qt::DescendingOrder);
        QCOMPARE(shownUids(model), expected);
    }

    void selectionAndCurrentRowFollowTheirUsersAcrossSort() {
        ui::QueueView view(m_store.backend);
        QueueModel* model = view.model();
        QSignalSpy done(model, &QueueModel::loadingFinished);
        view.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QTableView* table = view.table();
        QItemSelectionModel* selection = table->selectionModel();
        const QStringList picked = {model->rowAt(2).state.uid, model->rowAt(5).state.uid,
                                    model->rowAt(model->rowCount() - 1).state.uid};
        const QString current = model->rowAt(9).state.uid;
        for (const QString& uid : picked) {
            const QModelIndex i = view.proxy()->mapFromSource(model->index(model->rowOfUid(uid), 0));
            selection->select(i, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        selection->setCurrentIndex(view.proxy()->mapFromSource(model->index(model->rowOfUid(current), 0)),
                                   QItemSelectionModel::NoUpdate);
        for (int column : {int(QueueModel::ScoreColumn), int(QueueModel::UserColumn), int(QueueModel::WeeklyColumn)}) {
            table->sortByColumn(column, Qt::DescendingOrder); // the header's way: through the proxy to the model
            QCOMPARE(model->sortColumn(), column);
            QCOMPARE(view.currentUid(), current);
            QStringList selected;
            for (const services::QueueRow& r : view.selectedRows()) {
                selected.append(r.state.uid);
            }
            QStringList expected = picked;
            std::sort(expected.begin(), expected.end(),
                      [&](const QString& a, const QString& b) { return model->rowOfUid(a) < model->rowOfUid(b); });
            QCOMPARE(selected, expected); // the same users, in the new display order
            QVERIFY(model->rowOfUid(picked.at(0)) != -1);
        }
    }

    void laterPagesMergeInSortedOrder() {
        QueueModel model(m_store.backend);
        model.setPageSize(9);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.sort(QueueModel::ScoreColumn, Qt::DescendingOrder); // sorted before any row arrived
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        int checkedPages = 0;
        connect(&model, &QueueModel::pageLoaded, this, [&](int loaded, bool) {
            QCOMPARE(model.rowCount(), loaded);
            QCOMPARE(shownUids(model), expectedOrder(shownRows(model), QueueModel::ScoreColumn, Qt::DescendingOrder));
            ++checkedPages;
        });
        model.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QVERIFY(checkedPages > 3);
        QCOMPARE(model.rowCount(), int(m_store.flagged().size()));

        // Sorting half way through a load: pages after the sort land in place too.
        QueueModel second(m_store.backend);
        second.setPageSize(9);
        QAbstractItemModelTester tester2(&second, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy firstPage(&second, &QueueModel::pageLoaded);
        QSignalSpy done2(&second, &QueueModel::loadingFinished);
        second.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !firstPage.isEmpty(); }, 60000));
        QVERIFY(second.isLoading());
        second.sort(QueueModel::UpdatedColumn, Qt::AscendingOrder);
        QVERIFY(QTest::qWaitFor([&] { return !done2.isEmpty(); }, 60000));
        QCOMPARE(second.rowCount(), int(m_store.flagged().size()));
        QCOMPARE(shownUids(second), expectedOrder(shownRows(second), QueueModel::UpdatedColumn, Qt::AscendingOrder));
    }

    void filterAnswersFromLoadedRowsThenFromTheStore() {
        QueueModel model(m_store.backend);
        model.setPageSize(20);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(load(model, {}));
        model.sort(QueueModel::ScoreColumn, Qt::DescendingOrder);
        const int all = model.rowCount();
        QSet<QString> restricted;
        for (const FairUseState& s : m_store.flagged()) {
            if (s.stage == Stage::Restrict) {
                restricted.insert(s.uid);
            }
        }
        QVERIFY(!restricted.isEmpty() && restricted.size() < all);
        QItemSelectionModel selection(&model);
        const QString keep = *restricted.cbegin();
        selection.setCurrentIndex(model.index(model.rowOfUid(keep), 0), QItemSelectionModel::SelectCurrent);

        services::QueueFilter f;
        f.stage = Stage::Restrict;
        // What the model shows when the store query starts: no page of it has arrived yet (a fast store may even
        // answer before setFilter returns, so this is looked at from the signal).
        QSet<QString> atOnce;
        bool atOnceSorted = false;
        QString atOnceCurrent;
        connect(&model, &QueueModel::loadingStarted, this, [&] {
            atOnce = shownUidSet(model);
            atOnceSorted =
                shownUids(model) == expectedOrder(shownRows(model), QueueModel::ScoreColumn, Qt::DescendingOrder);
            atOnceCurrent = selection.currentIndex().data(QueueModel::UidRole).toString();
        });
        QSignalSpy done(&model, &QueueModel::loadingFinished);
        model.setFilter(f);
        QCOMPARE(atOnce, restricted);
        QVERIFY(atOnceSorted);
        QCOMPARE(atOnceCurrent, keep);
        // Then the store's answer: the same users, and only those are kept.
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QCOMPARE(shownUidSet(model), restricted);
        QCOMPARE(model.loadedRowCount(), int(restricted.size()));
        QCOMPARE(selection.currentIndex().data(QueueModel::UidRole).toString(), keep);

        // Widening: what is loaded shows at once, the store brings the rest, in sort order.
        done.clear();
        model.setFilter({});
        QCOMPARE(atOnce, restricted);
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QCOMPARE(model.rowCount(), all);
        QCOMPARE(shownUids(model), expectedOrder(shownRows(model), QueueModel::ScoreColumn, Qt::DescendingOrder));
        QCOMPARE(selection.currentIndex().data(QueueModel::UidRole).toString(), keep);
        disconnect(&model, &QueueModel::loadingStarted, this, nullptr);

        // Unsorted, a re-query ends in the store's order (most recently updated first).
        model.sort(-1);
        QueueModel fresh(m_store.backend);
        QVERIFY(load(fresh, {}));
        QVERIFY(load(model, f));
        QVERIFY(load(model, {}));
        QCOMPARE(shownUids(model), shownUids(fresh));
    }
};

QTEST_MAIN(QueueModelSortTest)
#include "QueueModelSortTest.moc"
