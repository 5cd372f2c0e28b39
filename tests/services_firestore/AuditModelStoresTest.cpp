// The audit log model (models::AuditModel) on the embedded store and on Firestore on the emulator, one body for
// both: it loads a page at a time, newest first, only when asked (fetchMore), verifies every page off the GUI thread,
// and a record edited behind the store's back shows as that row alone, broken with its reason, while every other row
// verifies, including an edit found only when the next page arrives.
#include "AuditLogSubjects.h"

#include "AuditModel.h"
#include "Backend.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace fairuse;
using namespace fairuse::models;
using fairuse::testing::AuditSubject;

namespace {

using State = RecordVerdict::State;

constexpr int kRecords = 250;
constexpr int kPage = 100;

/** Waits until the model has nothing in flight (or the time runs out). */
bool settle(AuditModel& model) {
    return QTest::qWaitFor([&model] { return !model.isLoading() && !model.isVerifying(); }, 120000);
}

QList<std::int64_t> brokenRows(const AuditModel& model) {
    QList<std::int64_t> out;
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.verdictAt(row).isBroken()) {
            out.append(model.rowAt(row).sequence);
        }
    }
    return out;
}

int rowsIn(const AuditModel& model, State state) {
    int n = 0;
    for (int row = 0; row < model.rowCount(); ++row) {
        n += model.index(row, AuditModel::VerificationColumn).data(AuditModel::VerdictStateRole).toInt() == int(state)
                 ? 1
                 : 0;
    }
    return n;
}

/** The audit model on one store, a page of kPage records at a time. */
struct PagedModel {
    Backend backend;
    AuditModel model;

    explicit PagedModel(std::shared_ptr<services::CaseStore> store)
        : backend(on(std::move(store)))
        , model(backend) {
        model.setPageSize(kPage);
    }

    static Backend on(std::shared_ptr<services::CaseStore> store) {
        Backend b;
        b.cases = std::move(store);
        return b;
    }
};

} // namespace

class AuditModelStoresTest : public QObject {
    Q_OBJECT
private:
    QString m_host;

    AuditSubject subject(const QString& store, const char* name) {
        return store == QLatin1String("embedded") ? testing::embeddedSubject()
                                                  : testing::firestoreSubject(m_host, QString::fromLatin1(name));
    }

    static void addStores() {
        QTest::addColumn<QString>("store");
        QTest::newRow("embedded") << QStringLiteral("embedded");
        QTest::newRow("firestore") << QStringLiteral("firestore");
    }

private Q_SLOTS:
    void initTestCase() { m_host = testing::emulatorHost(); }

    void init() {
        if (QTest::currentDataTag() != nullptr &&
            QLatin1String(QTest::currentDataTag()).startsWith(QLatin1String("firestore"))) {
            REQUIRE_FIRESTORE_EMULATOR(m_host);
        }
    }

    void pagesOnlyWhenAsked_data() { addStores(); }
    void pagesOnlyWhenAsked() {
        QFETCH(QString, store);
        AuditSubject s = subject(store, "auditmodelpages");
        QVERIFY(s.store);
        VERIFY_OK(s.seed(testing::makeAuditChain(kRecords)));
        PagedModel paged(s.store);
        AuditModel& model = paged.model;

        // Rows arrive unverified: their verdicts come later, from the worker.
        QList<int> pendingAtInsert;
        connect(&model, &QAbstractItemModel::rowsInserted, this, [&](const QModelIndex&, int first, int last) {
            int pending = 0;
            for (int row = first; row <= last; ++row) {
                pending += model.verdictAt(row).state == State::Pending ? 1 : 0;
            }
            pendingAtInsert.append(pending);
        });

        model.load(services::AuditFilter{});
        QVERIFY(settle(model));
        QCOMPARE(model.rowCount(), kPage);
        QCOMPARE(model.rowAt(0).sequence, std::int64_t{kRecords});
        QCOMPARE(model.rowAt(kPage - 1).sequence, std::int64_t{kRecords - kPage + 1});
        QCOMPARE(rowsIn(model, State::Verified), kPage);
        QVERIFY(model.canFetchMore({}));
        QVERIFY2(model.chainSummary().startsWith(QStringLiteral("Chain verified from the head (#250) down to #151")),
                 qPrintable(model.chainSummary()));
        QCOMPARE(pendingAtInsert, QList<int>{kPage});

        // Nothing more is read until the view asks.
        QTest::qWait(200);
        QCOMPARE(model.rowCount(), kPage);

        model.fetchMore({});
        QVERIFY(model.isLoading());
        QVERIFY(!model.canFetchMore({})); // one page in flight at a time
        QVERIFY(settle(model));
        QCOMPARE(model.rowCount(), 2 * kPage);
        model.fetchMore({});
        QVERIFY(settle(model));
        QCOMPARE(model.rowCount(), kRecords);
        QVERIFY(!model.canFetchMore({}));
        QCOMPARE(rowsIn(model, State::Verified), kRecords);
        QCOMPARE(model.rowAt(kRecords - 1).sequence, std::int64_t{1});
        QCOMPARE(model.chainSummary(), QStringLiteral("Chain verified: all 250 records up to the head (#250)."));
        QCOMPARE(pendingAtInsert, (QList<int>{kPage, kPage, kRecords - 2 * kPage}));
    }

    void soundUnderTheModelTester_data() { addStores(); }
    void soundUnderTheModelTester() {
        QFETCH(QString, store);
        AuditSubject s = subject(store, "auditmodeltester");
        QVERIFY(s.store);
        VERIFY_OK(s.seed(testing::makeAuditChain(kRecords)));
        PagedModel paged(s.store);
        AuditModel& model = paged.model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.load(services::AuditFilter{});
        // The tester asks for more after every change, so it walks every page.
        QVERIFY(QTest::qWaitFor([&model] { return model.rowCount() == kRecords && !model.isVerifying(); }, 120000));
        QCOMPARE(rowsIn(model, State::Verified), kRecords);
        services::AuditFilter byUser;
        byUser.uid = QStringLiteral("u2");
        model.load(byUser);
        QVERIFY(QTest::qWaitFor([&model] { return !model.canFetchMore({}) && settle(model); }, 120000));
        QCOMPARE(model.rowCount(), 36); // u2: records #3, #10, ... #248
        QCOMPARE(rowsIn(model, State::HashOnly), 36);
    }

    void editedRecordsAreTheOnlyBrokenRows_data() { addStores(); }
    void editedRecordsAreTheOnlyBrokenRows() {
        QFETCH(QString, store);
        AuditSubject s = subject(store, "auditmodeltamper");
        QVERIFY(s.store);
        VERIFY_OK(s.seed(testing::makeAuditChain(kRecords)));
        // #180 edited in place (its hash no longer matches); #150, the first record of the second page, edited and
        // re-hashed by a forger: only #151's link, on the first page, gives it away.
        VERIFY_OK(s.tamper(180, QStringLiteral("nothing to see here"), false));
        VERIFY_OK(s.tamper(150, QStringLiteral("rewritten"), true));
        PagedModel paged(s.store);
        AuditModel& model = paged.model;
        model.load(services::AuditFilter{});
        QVERIFY(settle(model));
        QCOMPARE(model.rowCount(), kPage);
        QCOMPARE(brokenRows(model), QList<std::int64_t>{180});
        QCOMPARE(rowsIn(model, State::Verified), kPage - 1);
        const int row180 = kRecords - 180;
        QCOMPARE(model.verdictAt(row180).fault, RecordVerdict::Fault::HashMismatch);
        QCOMPARE(model.index(row180, AuditModel::VerificationColumn).data().toString(), QStringLiteral("BROKEN"));
        QCOMPARE(model.index(row180, AuditModel::ReasonColumn).data().toString(),
                 QStringLiteral("nothing to see here")); // the row is still shown as stored
        QVERIFY2(model.chainSummary().startsWith(
                     QStringLiteral("Record #180 is broken: hash does not match its content (a field was edited).")),
                 qPrintable(model.chainSummary()));
        QVERIFY(model.chainSummary().endsWith(QStringLiteral(" 99 of 100 records shown verify.")));

        model.fetchMore({});
        QVERIFY(settle(model));
        QCOMPARE(model.rowCount(), 2 * kPage);
        QCOMPARE(brokenRows(model), (QList<std::int64_t>{180, 150}));
        QCOMPARE(model.verdictAt(kRecords - 150).fault, RecordVerdict::Fault::NotNamed);
        QCOMPARE(model.verdictAt(kRecords - 150).namedBy, 151);
        QCOMPARE(rowsIn(model, State::Verified), 2 * kPage - 2);
        QVERIFY2(
            model.chainSummary().contains(QStringLiteral("Broken records shown: 2. 198 of 200 records shown verify.")),
            qPrintable(model.chainSummary()));
    }
};

QTEST_MAIN(AuditModelStoresTest)
#include "AuditModelStoresTest.moc"
