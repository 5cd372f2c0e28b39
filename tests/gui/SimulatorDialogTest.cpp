// The policy simulator on a seeded embedded store: the counts it shows are the core's for the same users, a stricter
// policy reaches at least as many users, Cancel stops a run, and only admins adopt (to the policy file).

#include "SimulatorDialog.h"
#include "MainWindow.h"
#include "PeakSpeechChart.h"
#include "PolicyFile.h"
#include "SeededTestStore.h"
#include "SimulationRunner.h"
#include "common/Await.h"
#include "enforcement/PolicySimulation.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QChart>
#include <QDoubleSpinBox>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

using namespace fairuse;
using namespace fairuse::ui;

class SimulatorDialogTest : public QObject {
    Q_OBJECT
private:
    testing::SeededTestStore m_store;

    /** The core's comparison for every flagged user of the store, read here page by page without the runner. */
    enforcement::SimulationComparison expected(const enforcement::Policy& current, const enforcement::Policy& edited,
                                               int days) {
        const TimePoint now = m_store.backend.now();
        const enforcement::SimulationPeriod period{now, days};
        QList<enforcement::SimulationUser> users;
        QString cursor;
        do {
            const auto page =
                services::awaitResult(m_store.backend.cases->fetchQueuePage(services::QueueFilter{}, cursor, 50));
            if (!page.ok()) {
                qWarning() << page.error().message;
                return {};
            }
            for (const services::QueueRow& row : page->rows) {
                const auto events = services::awaitResult(m_store.backend.cases->listEvents(row.state.uid));
                const auto minutes =
                    services::awaitResult(m_store.backend.usage->readMinutes(row.state.uid, period.from(), now));
                if (!events.ok() || !minutes.ok()) {
                    return {};
                }
                users.append(models::SimulationRunner::toSimulationUser(row, *events, *minutes, now));
            }
            cursor = page->nextCursor;
        } while (!cursor.isEmpty());
        return enforcement::compare(current, edited, users, period);
    }

    static enforcement::Policy stricter(enforcement::Policy p) {
        p.basicCaps.dailyMs = 3'600'000;
        p.unlimitedCaps.dailyMs = 2 * 3'600'000;
        p.scoreThreshold = 0.5;
        p.throttleViolations = 1;
        p.restrictViolations = 2;
        return p;
    }

    template <typename T>
    static T* child(QWidget& w, const char* name) {
        T* c = w.findChild<T*>(QString::fromLatin1(name));
        if (c == nullptr) {
            qFatal("no child %s", name);
        }
        return c;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_store.seedInto(
            QStringLiteral("simulator.sqlite"), testing::SeededTestStore::optionsAtReferenceTime(80, 4),
            {QStringLiteral("ada.admin@fairuse.example"), Role::Admin}, QStringLiteral("sim-test")));
    }

    void countsShownAreTheCores() {
        QTemporaryDir dir;
        SimulatorDialog dialog(m_store.backend, models::PolicyFile(dir.filePath(QStringLiteral("policy.json"))));
        QAbstractItemModelTester tester(child<QTableWidget>(dialog, "resultsTable")->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Small pages and few users in flight, so the run pages and bounds its reads.
        dialog.runner()->setOptions({7, 9, 3});
        const enforcement::Policy current = m_store.backend.policy;
        dialog.setEditedPolicy(stricter(current));
        QCOMPARE(dialog.editedPolicy().basicCaps.dailyMs, std::int64_t(3'600'000));
        QCOMPARE(dialog.editedPolicy().scoreThreshold, 0.5);

        QSignalSpy finished(dialog.runner(), &models::SimulationRunner::finished);
        QSignalSpy progress(dialog.runner(), &models::SimulationRunner::progress);
        QTest::mouseClick(child<QPushButton>(dialog, "runButton"), Qt::LeftButton);
        QVERIFY(!child<QPushButton>(dialog, "runButton")->isEnabled());
        QVERIFY(child<QPushButton>(dialog, "cancelButton")->isEnabled());
        QVERIFY(finished.wait(60000));
        QVERIFY(progress.count() > 2); // more than one page

        const enforcement::SimulationComparison want = expected(current, dialog.editedPolicy(), 7);
        QVERIFY(want.current.users > 9);
        QCOMPARE(dialog.runner()->result().current, want.current);
        QCOMPARE(dialog.runner()->result().edited, want.edited);
        const QLocale locale;
        const auto shown = [&dialog](SimulatorDialog::ResultRow row, SimulatorDialog::ResultColumn column) {
            return dialog.resultText(row, column);
        };
        QCOMPARE(shown(SimulatorDialog::UsersRow, SimulatorDialog::CurrentColumn), locale.toString(want.current.users));
        QCOMPARE(shown(SimulatorDialog::WarnRow, SimulatorDialog::CurrentColumn), locale.toString(want.current.warned));
        QCOMPARE(shown(SimulatorDialog::ThrottleRow, SimulatorDialog::CurrentColumn),
                 locale.toString(want.current.throttled));
        QCOMPARE(shown(SimulatorDialog::RestrictRow, SimulatorDialog::CurrentColumn),
                 locale.toString(want.current.restricted));
        QCOMPARE(shown(SimulatorDialog::WarnRow, SimulatorDialog::EditedColumn), locale.toString(want.edited.warned));
        QCOMPARE(shown(SimulatorDialog::ThrottleRow, SimulatorDialog::EditedColumn),
                 locale.toString(want.edited.throttled));
        QCOMPARE(shown(SimulatorDialog::RestrictRow, SimulatorDialog::EditedColumn),
                 locale.toString(want.edited.restricted));
        QCOMPARE(shown(SimulatorDialog::CapHitRow, SimulatorDialog::EditedColumn),
                 locale.toString(want.edited.capHitUsers));

        // The seeded abusers are over the caps with high scores: the current policy warns some, the stricter one
        // reaches at least as many at every stage.
        QVERIFY(want.current.warned > 0);
        QVERIFY(want.edited.restricted > 0);
        QVERIFY(want.edited.warned >= want.current.warned);
        QVERIFY(want.edited.throttled >= want.current.throttled);
        QVERIFY(want.edited.restricted >= want.current.restricted);
        QCOMPARE(dialog.runner()->result().peakDailyMs.size(), want.current.users);
        // The histogram and the four daily cap lines (both policies, both plans).
        auto* chart = child<PeakSpeechChart>(dialog, "distributionChart");
        QVERIFY(chart->binCount() > 0);
        QCOMPARE(chart->chart()->series().size(), 5);
        QVERIFY(child<QPushButton>(dialog, "runButton")->isEnabled());
        QVERIFY(!child<QPushButton>(dialog, "cancelButton")->isEnabled());
    }

    void cancelStopsTheRun() {
        QTemporaryDir dir;
        SimulatorDialog dialog(m_store.backend, models::PolicyFile(dir.filePath(QStringLiteral("policy.json"))));
        dialog.runner()->setOptions({7, 2, 1});
        QSignalSpy finished(dialog.runner(), &models::SimulationRunner::finished);
        QSignalSpy cancelled(dialog.runner(), &models::SimulationRunner::cancelled);
        QSignalSpy progress(dialog.runner(), &models::SimulationRunner::progress);
        QTest::mouseClick(child<QPushButton>(dialog, "runButton"), Qt::LeftButton);
        QVERIFY(progress.wait(10000)); // the first page is read
        QTest::mouseClick(child<QPushButton>(dialog, "cancelButton"), Qt::LeftButton);
        QCOMPARE(cancelled.count(), 1);
        QVERIFY(!dialog.runner()->isRunning());
        QVERIFY(child<QPushButton>(dialog, "runButton")->isEnabled());
        QVERIFY(!child<QPushButton>(dialog, "cancelButton")->isEnabled());
        QVERIFY(dialog.statusText().contains(QStringLiteral("Cancelled")));
        const int replayed = dialog.runner()->result().current.users;
        // Nothing of that run arrives afterwards.
        QTest::qWait(1500);
        QCOMPARE(finished.count(), 0);
        QCOMPARE(dialog.runner()->result().current.users, replayed);
        QVERIFY(replayed < expected(m_store.backend.policy, m_store.backend.policy, 7).current.users);
    }

    void invalidEditIsRefusedBeforeARun() {
        QTemporaryDir dir;
        SimulatorDialog dialog(m_store.backend, models::PolicyFile(dir.filePath(QStringLiteral("policy.json"))));
        child<QSpinBox>(dialog, "throttleViolationsSpin")->setValue(5);
        child<QSpinBox>(dialog, "restrictViolationsSpin")->setValue(3);
        QSignalSpy progress(dialog.runner(), &models::SimulationRunner::progress);
        QTest::mouseClick(child<QPushButton>(dialog, "runButton"), Qt::LeftButton);
        QCOMPARE(progress.count(), 0);
        QVERIFY(dialog.statusText().contains(QStringLiteral("throttle_violations")));
    }

    void onlyAdminsAdopt() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("policy.json"));
        models::Backend backend = m_store.backend;
        backend.reviewer.role = Role::SeniorReviewer;
        {
            SimulatorDialog dialog(backend, models::PolicyFile(path));
            QVERIFY(!child<QPushButton>(dialog, "adoptButton")->isEnabled());
            dialog.adopt();
            QVERIFY(!QFile::exists(path));
        }
        backend.reviewer.role = Role::Admin;
        SimulatorDialog dialog(backend, models::PolicyFile(path));
        QVERIFY(child<QPushButton>(dialog, "adoptButton")->isEnabled());
        child<QDoubleSpinBox>(dialog, "basicDailySpin")->setValue(1.5);
        QString suggested;
        dialog.setLabelPrompt([&suggested](const QString& suggestion) -> std::optional<QString> {
            suggested = suggestion;
            return QStringLiteral("  tighter daily  ");
        });
        QSignalSpy adopted(&dialog, &SimulatorDialog::policyAdopted);
        QTest::mouseClick(child<QPushButton>(dialog, "adoptButton"), Qt::LeftButton);
        QCOMPARE(adopted.count(), 1);
        QCOMPARE(suggested, backend.policy.name);
        const auto saved = models::PolicyFile(path).load();
        QVERIFY2(saved.ok(), saved.ok() ? "" : qPrintable(saved.error().message));
        QCOMPARE(saved->label(), QStringLiteral("tighter daily v1"));
        QCOMPARE(saved->basicCaps.dailyMs, std::int64_t(5'400'000));
        QVERIFY(saved->enabled);

        // Adopting under the name in force makes a new version of it: the label always changes.
        backend.policy = *saved;
        SimulatorDialog again(backend, models::PolicyFile(path));
        again.setLabelPrompt([](const QString& suggestion) { return std::optional<QString>(suggestion); });
        again.adopt();
        QCOMPARE(models::PolicyFile(path).load()->label(), QStringLiteral("tighter daily v2"));

        // Cancelling the question saves nothing.
        again.setLabelPrompt([](const QString&) { return std::optional<QString>(); });
        again.adopt();
        QCOMPARE(models::PolicyFile(path).load()->label(), QStringLiteral("tighter daily v2"));
    }

    void toolsMenuOpensItAndAdoptionReachesTheConsole() {
        models::Backend backend = m_store.backend; // the window's own copy: adoption changes its policy
        ui::MainWindow window(backend);
        QAction* action = nullptr;
        for (QAction* a : window.allActions()) {
            if (a->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P))) {
                action = a;
            }
        }
        QVERIFY(action != nullptr);
        action->trigger();
        auto* dialog = window.findChild<SimulatorDialog*>();
        QVERIFY(dialog != nullptr);
        action->trigger(); // one at a time
        QCOMPARE(window.findChildren<SimulatorDialog*>().size(), 1);

        child<QSpinBox>(*dialog, "restrictViolationsSpin")->setValue(4);
        dialog->setLabelPrompt([](const QString&) { return std::optional<QString>(QStringLiteral("patient")); });
        dialog->adopt();
        // The console decides with it from now on (the file is the test-mode configuration folder's).
        QCOMPARE(backend.policy.label(), QStringLiteral("patient v1"));
        QCOMPARE(backend.policy.restrictViolations, 4);
        const auto saved = models::PolicyFile().load();
        QVERIFY(saved.ok());
        QCOMPARE(saved->label(), QStringLiteral("patient v1"));
        QVERIFY(QFile::remove(models::PolicyFile().path()));
        dialog->reject();
    }

    void malformedPolicyFileIsAnError() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("policy.json"));
        QCOMPARE(models::PolicyFile(path).load()->label(), enforcement::Policy::forReview().label());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"score_threshold": 7})");
        f.close();
        const auto loaded = models::PolicyFile(path).load();
        QVERIFY(!loaded.ok());
        QVERIFY(loaded.error().message.contains(QStringLiteral("score_threshold")));
        QVERIFY(loaded.error().message.contains(path));
    }
};

QTEST_MAIN(SimulatorDialogTest)
#include "SimulatorDialogTest.moc"
