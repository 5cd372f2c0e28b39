// The console's main window on a demo store built by the composition root (offscreen): identity in the status
// bar, paged queue, keyboard navigation, search, filters, shortcuts dialog, export.

#include "MainWindow.h"
#include "Composition.h"
#include "ConnectionBanner.h"
#include "FilterBar.h"
#include "QueueModel.h"
#include "QueueView.h"
#include "ShortcutsDialog.h"
#include "common/Await.h"
#include "secrets/SessionSecretStore.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace fairuse;
using fairuse::models::QueueModel;

class MainWindowTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_dbPath;
    std::unique_ptr<console::Connection> m_connection;
    std::unique_ptr<ui::MainWindow> m_window;

    QueueModel* model() const { return m_window->queueView()->model(); }
    QTableView* table() const { return m_window->queueView()->table(); }

    bool waitLoaded() {
        return QTest::qWaitFor([this] { return model()->isComplete(); }, 60000);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        models::ConnectionProfile profile = models::ProfileSettings::builtIns().at(0);
        QVERIFY(profile.kind == models::ProfileKind::Demo);
        profile.dbPath = m_dir.filePath(QStringLiteral("demo.sqlite"));
        m_dbPath = profile.dbPath;
        console::Composer composer(profile, std::make_shared<services::SessionSecretStore>(), {});
        composer.setPinnedNow(parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value());
        QSignalSpy ready(&composer, &console::Composer::ready);
        QSignalSpy failed(&composer, &console::Composer::failed);
        composer.start(); // the file does not exist: the composer seeds it with the demo generator
        QVERIFY(QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 280000));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(0).toString()));
        m_connection = composer.take();
        QVERIFY(QFile::exists(profile.dbPath));

        m_window = std::make_unique<ui::MainWindow>(m_connection->backend);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QVERIFY(waitLoaded());
    }

    void statusBarShowsReviewerRoleProfileAndClassifier() {
        const services::CaseStore& cases = *m_connection->backend.cases;
        const Result<Role> role = services::awaitResult(
            m_connection->backend.cases->reviewerRole(QStringLiteral("demo.reviewer@fairuse.example")));
        QVERIFY(role.ok());
        QStringList texts;
        for (const QLabel* label : m_window->statusBar()->findChildren<QLabel*>()) {
            texts.append(label->text());
        }
        const QString all = texts.join(QLatin1Char('|'));
        QVERIFY2(all.contains(QStringLiteral("demo.reviewer@fairuse.example")), qPrintable(all));
        QVERIFY2(all.contains(ui::roleLabel(*role)), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("Embedded demo")), qPrintable(all));
        QVERIFY2(all.contains(m_connection->backend.classifier->describe()), qPrintable(all));
        QVERIFY(m_connection->backend.classifier->isHeuristic());
        QVERIFY(!cases.describe().isEmpty());
    }

    void queueIsLoadedAndCounted() {
        QVERIFY(model()->rowCount() > 50);
        QVERIFY2(m_window->progressText().contains(QLocale().toString(model()->rowCount())),
                 qPrintable(m_window->progressText()));
        QVERIFY(!m_window->banner()->isVisible());
        // The first user is opened on start.
        QVERIFY(!m_window->queueView()->currentUid().isEmpty());
    }

    void keyboardMovesThroughTheQueue() {
        table()->setFocus();
        table()->setCurrentIndex(m_window->queueView()->proxy()->index(0, 0));
        const QString first = m_window->queueView()->currentUid();
        QSignalSpy shown(m_window.get(), &ui::MainWindow::userShown);
        QTest::keyClick(table(), Qt::Key_J);
        QCOMPARE(table()->currentIndex().row(), 1);
        QVERIFY(!shown.isEmpty());
        QCOMPARE(shown.last().at(0).toString(), m_window->queueView()->currentUid());
        QTest::keyClick(table(), Qt::Key_Down, Qt::ControlModifier);
        QCOMPARE(table()->currentIndex().row(), 2);
        QTest::keyClick(table(), Qt::Key_K);
        QTest::keyClick(table(), Qt::Key_Up, Qt::ControlModifier);
        QCOMPARE(table()->currentIndex().row(), 0);
        QCOMPARE(m_window->queueView()->currentUid(), first);
    }

    void searchJumpsToUserAndCaseReference() {
        QLineEdit* search = m_window->queueView()->filterBar()->searchEdit();
        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        QVERIFY(search->hasFocus());

        const int targetRow = model()->rowCount() - 3;
        const QString uid = model()->rowAt(targetRow).state.uid;
        QSignalSpy activated(m_window->queueView(), &ui::QueueView::userActivated);
        QTest::keyClicks(search, uid);
        QTest::keyClick(search, Qt::Key_Return);
        QVERIFY(QTest::qWaitFor([&] { return !activated.isEmpty(); }, 10000));
        QCOMPARE(m_window->queueView()->currentUid(), uid);

        // A case reference of another queued user opens that user.
        const Result<QList<FairUseEvent>> events =
            services::awaitResult(m_connection->backend.cases->listEvents(model()->rowAt(1).state.uid));
        QVERIFY(events.ok() && !events->isEmpty());
        const FairUseEvent event = events->first();
        activated.clear();
        search->clear();
        QTest::keyClicks(search, event.caseRef);
        QTest::keyClick(search, Qt::Key_Return);
        QVERIFY(QTest::qWaitFor([&] { return !activated.isEmpty(); }, 10000));
        QCOMPARE(activated.last().at(0).toString(), event.uid);
        QCOMPARE(m_window->queueView()->currentUid(), event.uid);

        // Unknown text is reported, not a crash or a jump.
        QSignalSpy message(m_window->queueView(), &ui::QueueView::message);
        activated.clear();
        search->clear();
        QTest::keyClicks(search, QStringLiteral("nobody-like-this"));
        QTest::keyClick(search, Qt::Key_Return);
        QVERIFY(QTest::qWaitFor([&] { return !message.isEmpty(); }, 10000));
        QVERIFY(activated.isEmpty());
        QVERIFY(message.last().at(0).toString().contains(QStringLiteral("nobody-like-this")));
    }

    void stageFilterRequeries() {
        QComboBox* stage = m_window->queueView()->filterBar()->stageBox();
        const int restrict = stage->findText(toString(Stage::Restrict));
        QVERIFY(restrict > 0);
        const int before = model()->rowCount();
        stage->setCurrentIndex(restrict);
        QVERIFY(model()->isLoading());
        QVERIFY(waitLoaded());
        QVERIFY(model()->rowCount() > 0);
        QVERIFY(model()->rowCount() < before);
        for (int r = 0; r < model()->rowCount(); ++r) {
            QVERIFY(model()->rowAt(r).state.stage == Stage::Restrict);
        }
        stage->setCurrentIndex(0);
        QVERIFY(waitLoaded());
        QCOMPARE(model()->rowCount(), before);
    }

    void exportWritesTheVisibleRows() {
        table()->sortByColumn(QueueModel::ScoreColumn, Qt::DescendingOrder);
        const QString path = m_dir.filePath(QStringLiteral("queue.csv"));
        QVERIFY(m_window->exportQueueTo(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.size(), model()->rowCount() + 2); // header + rows + the empty tail after the last CRLF
        const QSortFilterProxyModel* proxy = m_window->queueView()->proxy();
        QVERIFY(lines.at(1).startsWith(QByteArray(proxy->index(0, 0).data().toString().toUtf8() + ',')));
    }

    void shortcutsDialogListsEveryShortcut() {
        const QList<QAction*> actions = m_window->allActions();
        ui::ShortcutsDialog dialog(actions, m_window.get());
        QStringList listed;
        for (int r = 0; r < dialog.table()->rowCount(); ++r) {
            listed.append(dialog.table()->item(r, 0)->text());
        }
        int withShortcut = 0;
        for (const QAction* a : actions) {
            if (a->shortcuts().isEmpty()) {
                continue;
            }
            ++withShortcut;
            QVERIFY2(listed.contains(ui::ShortcutsDialog::plainText(a)), qPrintable(a->text()));
        }
        QCOMPARE(dialog.table()->rowCount(), withShortcut);
        // The brief's keys are all bound.
        QStringList keys;
        for (const QAction* a : actions) {
            for (const QKeySequence& k : a->shortcuts()) {
                keys.append(k.toString(QKeySequence::PortableText));
            }
        }
        for (const char* k : {"J", "K", "Ctrl+Down", "Ctrl+Up", "Return", "Ctrl+F", "Ctrl+R", "Ctrl+Shift+O", "Ctrl+B",
                              "Ctrl+L", "F5", "Ctrl+E", "F1", "Ctrl+?"}) {
            QVERIFY2(keys.contains(QString::fromLatin1(k)), k);
        }
        // F1 opens it.
        QTest::keyClick(m_window.get(), Qt::Key_F1);
        QVERIFY(QTest::qWaitFor([&] { return m_window->findChild<ui::ShortcutsDialog*>() != nullptr; }, 5000));
        m_window->findChild<ui::ShortcutsDialog*>()->close();
    }

    void bannerBacksOff() {
        QCOMPARE(ui::ConnectionBanner::backoffMs(1), 1000);
        QCOMPARE(ui::ConnectionBanner::backoffMs(2), 2000);
        QCOMPARE(ui::ConnectionBanner::backoffMs(4), 8000);
        QCOMPARE(ui::ConnectionBanner::backoffMs(30), 60000);
    }

    void cleanupTestCase() {
        // Teardown with work in flight: a queue reload and more store reads are queued on the embedded store's
        // worker when the window (whose models hold the Backend by reference) and then the store go.
        model()->refresh();
        QVERIFY(model()->isLoading());
        for (int i = 0; i < 20; ++i) {
            (void)m_connection->backend.cases->fetchQueuePage({}, {}, 200);
            (void)m_connection->backend.cases->listSpend(TimePoint{}, m_connection->backend.now());
        }
        m_window.reset();
        m_connection.reset();
        // The store closed its connection before its destructor returned: SQLite checkpoints and removes the WAL
        // file when the last connection closes.
        QVERIFY(QFile::exists(m_dbPath));
        QVERIFY(!QFile::exists(m_dbPath + QStringLiteral("-wal")));
    }
};

QTEST_MAIN(MainWindowTest)
#include "MainWindowTest.moc"
