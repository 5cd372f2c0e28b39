// Audit log view: filters, and the hash-chain verification before and after tampering with the SQLite file.

#include "AuditLogView.h"
#include "AuditModel.h"
#include "DetailTestStore.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;

class AuditLogViewTest : public QObject {
    Q_OBJECT
private:
    testing::DetailTestStore m_store;

    static bool refresh(AuditLogView& view) {
        QSignalSpy spy(&view, &AuditLogView::refreshed);
        QTest::mouseClick(view.findChild<QPushButton*>(QStringLiteral("refreshButton")), Qt::LeftButton);
        return QTest::qWaitFor([&spy] { return !spy.isEmpty(); }, 30000);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_store.seed()); }

    void modelIsSound() {
        AuditLogView view(m_store.backend, nullptr);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(refresh(view));
        QVERIFY(view.model()->rowCount() > 0);
    }

    void filtersByUserAndAction() {
        const QList<AuditRecord> all = m_store.audit();
        QVERIFY(all.size() >= 2);
        const AuditRecord pick = all.at(all.size() / 2);
        AuditLogView view(m_store.backend, nullptr);
        view.show();
        QTest::keyClicks(view.findChild<QLineEdit*>(QStringLiteral("userEdit")), pick.uid);
        auto* action = view.findChild<QComboBox*>(QStringLiteral("actionCombo"));
        action->setCurrentIndex(action->findData(static_cast<int>(pick.action)));
        QVERIFY(refresh(view));
        int expected = 0;
        for (const AuditRecord& r : all) {
            expected += r.uid == pick.uid && r.action == pick.action ? 1 : 0;
        }
        QCOMPARE(view.model()->rowCount(), expected);
        for (int i = 0; i < view.model()->rowCount(); ++i) {
            QCOMPARE(view.model()->rowAt(i).uid, pick.uid);
        }
    }

    void chainIntactThenBrokenAfterTampering() {
        AuditLogView view(m_store.backend, nullptr);
        QVERIFY(refresh(view));
        const int count = static_cast<int>(m_store.audit().size());
        QVERIFY(count >= 3);
        QCOMPARE(view.chainStatus(), QStringLiteral("Chain intact: %1 records").arg(count));

        // Edit one record's reason directly in the file, as someone with database access might.
        const qint64 victim = 2;
        QVERIFY(m_store.execSql(
            QStringLiteral("UPDATE audit SET reason = 'nothing to see here' WHERE sequence = %1").arg(victim)));
        QVERIFY(refresh(view));
        QVERIFY2(view.chainStatus().startsWith(QStringLiteral("Chain broken at record #%1:").arg(victim)),
                 qPrintable(view.chainStatus()));
    }
};

QTEST_MAIN(AuditLogViewTest)
#include "tst_AuditLogView.moc"
