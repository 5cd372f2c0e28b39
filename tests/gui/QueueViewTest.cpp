// QueueView over a seeded embedded store: the columns fit the queue pane without horizontal scrolling, and the speech
// cells show hours and the share of the plan's cap.

#include "QueueView.h"
#include "BulkResolver.h"
#include "QueueTestStores.h"
#include "ShellTestStore.h"

#include <QHeaderView>
#include <QRegularExpression>
#include <QScrollBar>

#include <cmath>

using namespace fairuse;
using namespace fairuse::testing;
using fairuse::models::QueueModel;

class QueueViewTest : public QObject {
    Q_OBJECT

private:
    ShellTestStore m_store;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed(ShellTestStore::smallOptions())); }

    void columnsFitTheQueuePaneWithoutScrolling() {
        // At 1500 px the main window gives the queue about 900 px (splitter 3:2); the columns must fit in it.
        ui::QueueView view(m_store.backend);
        view.resize(880, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy done(view.model(), &QueueModel::loadingFinished);
        view.refresh();
        QVERIFY(QTest::qWaitFor([&] { return !done.isEmpty(); }, 60000));
        QTest::qWait(50);
        QCOMPARE(view.table()->horizontalScrollBar()->maximum(), 0);
        // Every header has a tooltip with its long name, and no speech or date cell is cut.
        QHeaderView* header = view.table()->horizontalHeader();
        for (int c = 0; c < QueueModel::ColumnCount; ++c) {
            QVERIFY(!view.model()->headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
        }
        const QFontMetrics fm = view.table()->fontMetrics();
        for (int r = 0; r < std::min(50, view.model()->rowCount()); ++r) {
            for (int c :
                 {int(QueueModel::WeeklyColumn), int(QueueModel::UpdatedColumn), int(QueueModel::OldestOpenColumn)}) {
                const QString text = view.model()->index(r, c).data().toString();
                QVERIFY2(fm.horizontalAdvance(text) < header->sectionSize(c), qPrintable(text));
            }
        }
        QVERIFY(header->sectionSize(QueueModel::UserColumn) >= fm.horizontalAdvance(QStringLiteral("0")) * 8);
    }

    void speechCellsShowHoursAndShareOfCap() {
        QueueModel model(m_store.backend);
        QVERIFY(load(model, {}));
        static const QRegularExpression cell(QStringLiteral("^(\\d+)[.,](\\d)h (\\d+)%$"));
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
            const Caps caps = Caps::forPlan(effectivePlan(row.state.subscription, models::backendNow(m_store.backend)));
            const auto percent =
                std::lround(100.0 * static_cast<double>(row.speech->weeklyMs) / static_cast<double>(caps.weeklyMs));
            QCOMPARE(m.captured(3).toLong(), percent);
            ++checked;
        }
        QVERIFY(checked > 10);
    }
};

QTEST_MAIN(QueueViewTest)
#include "QueueViewTest.moc"
