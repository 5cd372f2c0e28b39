// MainWindow's menus: every command is a QAction with a shortcut and a status tip (the shortcuts dialog lists them).
#include "MainWindow.h"

#include "Export.h"
#include "QueueModel.h"
#include "QueueView.h"
#include "SavedViewsControl.h"
#include "UserView.h"

#include <QAction>
#include <QMenuBar>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>

#include <tuple>

namespace fairuse::ui {

QAction* MainWindow::addCommand(const QString& text, const QList<QKeySequence>& keys, const QString& tip) {
    auto* action = new QAction(text, this);
    action->setShortcuts(keys);
    action->setStatusTip(tip);
    action->setToolTip(tip);
    addAction(action); // window-wide shortcuts even when the menu bar is hidden
    m_actions.append(action);
    return action;
}

void MainWindow::buildActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* profiles = addCommand(tr("Connection &profiles…"), {},
                                   tr("Choose or edit the connection profile (demo, emulator, production)"));
    connect(profiles, &QAction::triggered, this, &MainWindow::profilesRequested);
    file->addAction(profiles);
    QAction* exportQueue = addCommand(tr("&Export queue…"), {QKeySequence(Qt::CTRL | Qt::Key_E)},
                                      tr("Save the visible queue, as filtered and sorted, to CSV or JSON"));
    connect(exportQueue, &QAction::triggered, this, [this] {
        readQueueForExport([this](bool complete) {
            if (!complete) {
                statusBar()->showMessage(tr("Export cancelled; nothing was written."), 8000);
                return;
            }
            const QString path = exportModelInteractive(*m_queue->proxy(), this, QStringLiteral("queue"),
                                                        models::QueueModel::RawValueRole);
            if (path.isEmpty()) {
                return;
            }
            const int failed = m_queue->model()->failedShownRows();
            const QString exported = tr("Exported %n row(s) to %1.", nullptr, m_queue->proxy()->rowCount()).arg(path);
            statusBar()->showMessage(failed == 0 ? exported
                                                 : exported + QLatin1Char(' ') +
                                                       tr("%n row(s) could not be read in full and have empty "
                                                          "values; refresh (F5) and export again.",
                                                          nullptr, failed),
                                     failed == 0 ? 8000 : 0);
        });
    });
    file->addAction(exportQueue);
    QAction* print = addCommand(tr("&Print case report…"), {QKeySequence::Print},
                                tr("Print or save as PDF a report of the selected user's cases"));
    connect(print, &QAction::triggered, this, &MainWindow::printReport);
    file->addAction(print);
    file->addSeparator();
    QAction* signOut = addCommand(
        tr("Sign &out"), {},
        tr("Sign out of %1 and forget the sign-in kept in the system keychain").arg(m_backend.reviewer.email));
    signOut->setObjectName(QStringLiteral("signOutAction"));
    // The demo store's own identity (no sign-in method) has nothing to sign out of.
    signOut->setEnabled(!m_backend.signInMethod.isEmpty());
    connect(signOut, &QAction::triggered, this, &MainWindow::signOutRequested);
    file->addAction(signOut);
    QAction* quit = addCommand(tr("&Quit"), {QKeySequence(Qt::CTRL | Qt::Key_Q)}, tr("Close the console"));
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    file->addAction(quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* queue =
        addCommand(tr("&Queue"), {QKeySequence(Qt::CTRL | Qt::Key_1)}, tr("Show the selected user next to the queue"));
    connect(queue, &QAction::triggered, this, &MainWindow::showQueuePage);
    view->addAction(queue);
    QAction* audit = addCommand(tr("&Audit log"), {QKeySequence(Qt::CTRL | Qt::Key_L)},
                                tr("Show the audit log with its hash-chain verification"));
    connect(audit, &QAction::triggered, this, &MainWindow::showAuditLog);
    view->addAction(audit);
    QAction* spend = addCommand(tr("&Spend report"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)},
                                tr("Show LLM spend of users who bring their own speech-to-text"));
    connect(spend, &QAction::triggered, this, &MainWindow::showSpendReport);
    view->addAction(spend);
    QAction* inbox = addCommand(tr("Manual &review inbox"), {QKeySequence(Qt::CTRL | Qt::Key_I)},
                                tr("Restricted users waiting for manual review, oldest first, with their SLA"));
    inbox->setObjectName(QStringLiteral("manualReviewAction"));
    connect(inbox, &QAction::triggered, this, &MainWindow::showManualReview);
    view->addAction(inbox);
    QAction* dashboard = addCommand(tr("Team &dashboard"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D)},
                                    tr("Show decisions, queue age, SLA breaches, appeals and overturn rates"));
    dashboard->setObjectName(QStringLiteral("dashboardAction"));
    connect(dashboard, &QAction::triggered, this, &MainWindow::showDashboard);
    view->addAction(dashboard);
    QAction* appeals = addCommand(tr("A&ppeals inbox"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I)},
                                  tr("Show open appeals, oldest first"));
    connect(appeals, &QAction::triggered, this, &MainWindow::showAppealsInbox);
    view->addAction(appeals);
    QAction* spendCases = addCommand(tr("&LLM-spend cases"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L)},
                                     tr("Show users whose LLM spend passed their plan's cap, oldest case first"));
    spendCases->setObjectName(QStringLiteral("spendCasesAction"));
    connect(spendCases, &QAction::triggered, this, &MainWindow::showSpendCases);
    view->addAction(spendCases);
    QAction* shadow = addCommand(tr("S&hadow comparison"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H)},
                                 tr("Show where the enforcement service in shadow mode and the backend disagree"));
    shadow->setObjectName(QStringLiteral("shadowComparisonAction"));
    connect(shadow, &QAction::triggered, this, &MainWindow::showShadowComparison);
    view->addAction(shadow);
    view->addSeparator();
    const QList<std::tuple<QString, QKeySequence, QString>> claimViews = {
        {tr("&All cases"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), tr("Show every case in the queue")},
        {tr("&My cases"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M), tr("Show only the cases you are reviewing")},
        {tr("U&nclaimed cases"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U),
         tr("Show only the cases nobody is reviewing")},
    };
    for (int i = 0; i < claimViews.size(); ++i) {
        const auto& [text, key, tip] = claimViews.at(i);
        QAction* a = addCommand(text, {key}, tip);
        connect(a, &QAction::triggered, this, [this, i] { m_queue->setClaimView(i); });
        view->addAction(a);
    }
    // The seniors' inbox of escalated cases, and back to the default (every case but the snoozed ones).
    QAction* escalated = addCommand(tr("E&scalated cases"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X)},
                                    tr("Show only the cases escalated to a senior reviewer"));
    connect(escalated, &QAction::triggered, this, [this] { m_queue->setCaseworkView(1); });
    view->addAction(escalated);
    QAction* active = addCommand(tr("Cases &not snoozed"), {}, tr("Show every case but the snoozed ones"));
    connect(active, &QAction::triggered, this, [this] { m_queue->setCaseworkView(0); });
    view->addAction(active);
    view->addSeparator();
    // Saved views: the box in the filter bar, saving the filter as one, deleting one.
    for (QAction* a : m_views->actions()) {
        view->addAction(a);
        m_actions.append(a);
    }
    view->addSeparator();
    QAction* refresh = addCommand(tr("&Refresh"), {QKeySequence(Qt::Key_F5)}, tr("Reload the queue from the store"));
    connect(refresh, &QAction::triggered, m_queue, &QueueView::refresh);
    view->addAction(refresh);

    QMenu* actions = menuBar()->addMenu(tr("&Actions"));
    QAction* next = addCommand(tr("&Next case"), {QKeySequence(Qt::Key_J), QKeySequence(Qt::CTRL | Qt::Key_Down)},
                               tr("Move to the next user in the queue"));
    connect(next, &QAction::triggered, this, [this] { m_queue->step(1); });
    actions->addAction(next);
    QAction* prev = addCommand(tr("&Previous case"), {QKeySequence(Qt::Key_K), QKeySequence(Qt::CTRL | Qt::Key_Up)},
                               tr("Move to the previous user in the queue"));
    connect(prev, &QAction::triggered, this, [this] { m_queue->step(-1); });
    actions->addAction(prev);
    QAction* unclaimed = addCommand(tr("Next &unclaimed case"), {QKeySequence(Qt::SHIFT | Qt::Key_J)},
                                    tr("Open the unclaimed case that has waited longest"));
    unclaimed->setObjectName(QStringLiteral("nextUnclaimedAction"));
    connect(unclaimed, &QAction::triggered, this, [this] { m_queue->nextUnclaimed(); });
    actions->addAction(unclaimed);
    QAction* open = addCommand(tr("&Open user"), {QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)},
                               tr("Open the selected user (in the queue)"));
    // Only on the queue table, so Enter still confirms dialogs and starts a search in the search box.
    removeAction(open);
    open->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_queue->table()->addAction(open);
    connect(open, &QAction::triggered, this, [this] {
        const QString uid = m_queue->currentUid();
        if (!uid.isEmpty()) {
            Q_EMIT m_queue->userActivated(uid);
        }
    });
    actions->addAction(open);
    QAction* find = addCommand(tr("&Search…"), {QKeySequence::Find},
                               tr("Search by user id or case reference; Enter jumps to the user"));
    connect(find, &QAction::triggered, m_queue, &QueueView::focusSearch);
    actions->addAction(find);
    actions->addSeparator();
    QAction* resolve = addCommand(tr("&Resolve case…"), {QKeySequence(Qt::CTRL | Qt::Key_R)},
                                  tr("Resolve the selected user's open case with an outcome and notes"));
    connect(resolve, &QAction::triggered, this, &MainWindow::resolveCurrent);
    actions->addAction(resolve);
    QAction* override = addCommand(tr("&Override stage…"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O)},
                                   tr("Set the selected user's stage by hand (reason required, role checked)"));
    connect(override, &QAction::triggered, this, &MainWindow::overrideCurrent);
    actions->addAction(override);
    QAction* bulk = addCommand(tr("&Bulk resolve…"), {QKeySequence(Qt::CTRL | Qt::Key_B)},
                               tr("Resolve the open cases of every selected user with one outcome and note"));
    connect(bulk, &QAction::triggered, this, &MainWindow::bulkResolve);
    actions->addAction(bulk);
    actions->addSeparator();
    // Escalate, snooze, pin: the user view's own actions, listed here with their keys.
    for (QAction* a : m_userView->caseworkActions()) {
        actions->addAction(a);
        m_actions.append(a);
    }

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    QAction* simulator = addCommand(tr("Policy &simulator…"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P)},
                                    tr("Replay the last days under an edited policy and compare what each would do"));
    connect(simulator, &QAction::triggered, this, &MainWindow::showSimulator);
    tools->addAction(simulator);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts =
        addCommand(tr("&Keyboard shortcuts"), {QKeySequence(Qt::Key_F1), QKeySequence(Qt::CTRL | Qt::Key_Question)},
                   tr("List every keyboard shortcut"));
    connect(shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);
    help->addAction(shortcuts);
    QAction* about = addCommand(tr("&About"), {}, tr("Version and connection details"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    help->addAction(about);
}

} // namespace fairuse::ui
