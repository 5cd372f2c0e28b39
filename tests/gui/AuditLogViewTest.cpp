// Audit log view: filters, the chain summary before and after tampering with the SQLite file (one row broken, the
// rest verified), the next page read when the table is scrolled to its end with a busy bar meanwhile, and the first
// load when the view is shown.

#include "AuditLogView.h"
#include "AuditModel.h"
#include "DetailTestStore.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;
using models::AuditModel;

class AuditLogViewTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;

    static bool settle(AuditLogView& view) {
        return QTest::qWaitFor([&view] { return !view.isLoading(); }, 30000);
    }

    static bool refresh(AuditLogView& view) {
        QTest::mouseClick(view.findChild<QPushButton*>(QStringLiteral("refreshButton")), Qt::LeftButton);
        return settle(view);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed()); }

    void modelIsSound() {
        AuditLogView view(m_store.backend, nullptr);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy refreshed(&view, &AuditLogView::refreshed);
        QVERIFY(refresh(view));
        QVERIFY(!refreshed.isEmpty());
        QVERIFY(view.model()->rowCount() > 0);
    }

    void filtersByUserAndAction() {
        const QList<AuditRecord> all = m_store.audit();
        QVERIFY(all.size() >= 2);
        const AuditRecord pick = all.at(all.size() / 2);
        AuditLogView view(m_store.backend, nullptr);
        view.show();
        QVERIFY(settle(view));
        QTest::keyClicks(view.findChild<QLineEdit*>(QStringLiteral("userEdit")), pick.uid);
        auto* action = view.findChild<QComboBox*>(QStringLiteral("actionCombo"));
        action->setCurrentIndex(action->findData(static_cast<int>(pick.action)));
        QVERIFY(refresh(view));
        QList<std::int64_t> expected;
        for (auto it = all.crbegin(); it != all.crend(); ++it) {
            if (it->uid == pick.uid && it->action == pick.action) {
                expected.append(it->sequence);
            }
        }
        QList<std::int64_t> shown;
        for (int i = 0; i < view.model()->rowCount(); ++i) {
            shown.append(view.model()->rowAt(i).sequence);
            QCOMPARE(view.model()->verdictAt(i).state, RecordVerdict::State::HashOnly);
        }
        QCOMPARE(shown, expected); // newest first
        QVERIFY2(view.chainStatus().contains(QStringLiteral("match their hashes")), qPrintable(view.chainStatus()));
    }

    void chainVerifiedThenOneRowBroken() {
        const QList<AuditRecord> all = m_store.audit();
        const int count = static_cast<int>(all.size());
        QVERIFY(count >= 3);
        AuditLogView view(m_store.backend, nullptr);
        view.model()->setPageSize(1000); // the whole demo chain in one page
        QVERIFY(refresh(view));
        QCOMPARE(view.chainStatus(), QStringLiteral("Chain verified: all %1 records up to the head (#%1).").arg(count));
        QCOMPARE(view.findChild<QLabel*>(QStringLiteral("chainLabel"))->text(), view.chainStatus());

        // Edit one record's reason directly in the file, as someone with database access might.
        const qint64 victim = 2;
        const auto setReason = [this, victim](QString reason) {
            return m_store.execSql(QStringLiteral("UPDATE audit SET reason = '%1' WHERE sequence = %2")
                                       .arg(reason.replace(QLatin1Char('\''), QStringLiteral("''")))
                                       .arg(victim));
        };
        QVERIFY(setReason(QStringLiteral("nothing to see here")));
        QVERIFY(refresh(view));
        QVERIFY2(view.chainStatus().startsWith(
                     QStringLiteral("Record #%1 is broken: hash does not match its content").arg(victim)),
                 qPrintable(view.chainStatus()));
        QVERIFY(
            view.chainStatus().endsWith(QStringLiteral("%1 of %2 records shown verify.").arg(count - 1).arg(count)));
        AuditModel* model = view.model();
        QCOMPARE(model->rowCount(), count);
        for (int row = 0; row < model->rowCount(); ++row) {
            const bool isVictim = model->rowAt(row).sequence == victim;
            QCOMPARE(model->verdictAt(row).isBroken(), isVictim);
            QCOMPARE(model->index(row, AuditModel::VerificationColumn).data().toString(),
                     isVictim ? QStringLiteral("BROKEN") : QStringLiteral("verified"));
        }
        QVERIFY(setReason(all.at(victim - 1).reason)); // the next tests see an intact chain again
        QVERIFY(refresh(view));
        QVERIFY(view.chainStatus().startsWith(QStringLiteral("Chain verified")));
    }

    void scrollingToTheEndReadsTheNextPage() {
        // Notes on one user lengthen the demo chain to a log worth scrolling.
        QList<ChangeSet> notes;
        for (int i = 0; i < 30; ++i) {
            ChangeSet c;
            c.uid = m_store.population.states.first().uid;
            c.audit.at = m_store.backend.now() + std::chrono::seconds{i};
            c.audit.reviewer = m_store.backend.reviewer.email;
            c.audit.role = m_store.backend.reviewer.role;
            c.audit.action = AuditAction::AddNote;
            c.audit.reason = QStringLiteral("note %1").arg(i);
            notes.append(c);
        }
        QVERIFY(services::awaitResult(m_store.backend.cases->applyBatch(notes)).ok());
        const int count = static_cast<int>(m_store.audit().size());
        AuditLogView view(m_store.backend, nullptr);
        view.model()->setPageSize(1);
        auto* table = view.findChild<QTableView*>(QStringLiteral("auditTable"));
        // Room for two rows: the view reads pages until a row lies beyond the viewport, then waits for the scroll.
        table->setFixedHeight(table->horizontalHeader()->height() + 2 * table->verticalHeader()->defaultSectionSize() +
                              2 * table->frameWidth());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowCount() >= 3 && !view.isLoading(), 30000);
        QTest::qWait(100);
        const int before = view.model()->rowCount();
        QVERIFY2(before < count, "the view stops reading once the viewport is full");
        QVERIFY(view.model()->canFetchMore({}));
        auto* busy = view.findChild<QProgressBar*>(QStringLiteral("loadingBar"));
        QVERIFY(!busy->isVisible());
        table->verticalScrollBar()->setValue(table->verticalScrollBar()->maximum());
        QVERIFY(busy->isVisible()); // the next page is being read
        QVERIFY(settle(view));
        QVERIFY(view.model()->rowCount() > before);
        QVERIFY(!busy->isVisible());
        QCOMPARE(view.model()->rowAt(0).sequence, std::int64_t{count});
        QCOMPARE(view.model()->rowAt(1).sequence, std::int64_t{count - 1});
    }

    void showingTheViewLoadsIt() {
        AuditLogView view(m_store.backend, nullptr);
        QCOMPARE(view.model()->rowCount(), 0);
        QCOMPARE(view.chainStatus(), QStringLiteral("Chain not verified yet."));
        view.show();
        QVERIFY(settle(view));
        QVERIFY(view.model()->rowCount() > 0);
        QVERIFY(view.chainStatus().startsWith(QStringLiteral("Chain verified")));
    }
};

QTEST_MAIN(AuditLogViewTest)
#include "AuditLogViewTest.moc"
