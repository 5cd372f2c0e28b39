#include "MainWindow.h"

#include "AppealsInboxView.h"
#include "AuditLogView.h"
#include "BulkResolveDialog.h"
#include "CaseClaims.h"
#include "ConnectionBanner.h"
#include "DashboardView.h"
#include "Export.h"
#include "FilterBar.h"
#include "ManualReviewView.h"
#include "QueueCasework.h"
#include "QueueModel.h"
#include "QueueView.h"
#include "ShortcutsDialog.h"
#include "SimulatorDialog.h"
#include "SpendReportView.h"
#include "UserView.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QProgressDialog>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>

namespace fairuse::ui {

QString roleLabel(Role role) {
    switch (role) {
    case Role::Reviewer:
        return MainWindow::tr("reviewer");
    case Role::SeniorReviewer:
        return MainWindow::tr("senior reviewer");
    case Role::Admin:
        return MainWindow::tr("admin");
    }
    return {};
}

void MainWindow::showEvent(QShowEvent* event) {
    if (!m_splitSet) {
        // Half of the real width each on the first show (the stretch factors only share what the size hints
        // leave), unless a saved layout set it: the case page needs about 750 px of a 1500 px window for its text
        // to wrap rather than be cut; the queue's rarer columns (last action, updated) scroll. Layouts are active by
        // now and nothing is painted yet.
        m_splitSet = true;
        const int width = m_splitter->width() - m_splitter->handleWidth();
        m_splitter->setSizes({width / 2, width - width / 2});
    }
    QMainWindow::showEvent(event);
}

MainWindow::MainWindow(models::Backend& backend, QWidget* parent)
    : QMainWindow(parent)
    , m_backend(backend)
    , m_queue(new QueueView(backend, this))
    , m_right(new QStackedWidget(this))
    , m_placeholder(new QLabel(tr("Select a user in the queue (J/K to move, Enter to open)."), this))
    , m_banner(new ConnectionBanner(this)) {
    setWindowTitle(tr("Fair-use reviewer console — %1").arg(backend.profileName));
    static_cast<QLabel*>(m_placeholder)->setAlignment(Qt::AlignCenter);
    static_cast<QLabel*>(m_placeholder)->setWordWrap(true);
    m_right->addWidget(m_placeholder);
    m_right->setAccessibleName(tr("Details"));
    m_userView = new UserView(backend, m_right);
    m_right->addWidget(m_userView);
    m_claims = new models::CaseClaims(backend, this);
    m_userView->setClaims(m_claims);
    m_queue->setClaims(m_claims);
    m_claims->start();
    m_casework = new models::QueueCasework(backend, this);
    m_queue->setCasework(m_casework);
    m_casework->start();
    // After an action the row's stage, open cases and last action changed: reload the queue and keep the user.
    connect(m_userView, &UserView::stateChanged, this, [this](const QString& uid) {
        m_reselectUid = uid;
        m_queue->refresh();
    });
    m_auditView = new AuditLogView(backend, m_right);
    m_right->addWidget(m_auditView);
    m_spendView = new SpendReportView(backend, m_right);
    m_right->addWidget(m_spendView);
    m_reviewView = new ManualReviewView(backend, m_userView->policy(), m_right);
    m_right->addWidget(m_reviewView);
    connect(m_reviewView, &ManualReviewView::userActivated, this, &MainWindow::showUser);
    connect(m_reviewView, &ManualReviewView::decided, m_queue, &QueueView::refresh);
    m_dashboardView = new DashboardView(backend, m_right);
    m_right->addWidget(m_dashboardView);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter = splitter;
    splitter->addWidget(m_queue);
    splitter->addWidget(m_right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_banner);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    buildActions();
    buildStatusBar();

    models::QueueModel* model = m_queue->model();
    connect(model, &models::QueueModel::loadingStarted, this, [this] { updateProgress(0, true); });
    connect(model, &models::QueueModel::pageLoaded, this, [this](int loaded, bool more) {
        m_banner->clear();
        updateProgress(loaded, more);
        if (!m_reselectUid.isEmpty()) {
            // Reloading after an action: put the reviewer back on the user they were working on.
            if (m_queue->selectUid(m_reselectUid) || !more) {
                m_reselectUid.clear();
            }
            return;
        }
        // Open the first user as soon as there is one, so the right side is never empty on start.
        if (m_queue->currentUid().isEmpty() && loaded > 0) {
            m_queue->step(0);
        }
    });
    connect(model, &models::QueueModel::loadFailed, this, [this](ErrorKind kind, const QString& message) {
        updateProgress(m_queue->model()->rowCount(), false);
        const QString where = m_backend.cases ? m_backend.cases->describe() : tr("the case store");
        if (kind == ErrorKind::Unavailable) {
            m_banner->showFailure(tr("Could not load the queue from %1: %2").arg(where, message),
                                  tr("Check the network connection and that the server is running."));
        } else {
            statusBar()->showMessage(tr("Could not load the queue from %1: %2 Check the profile under File > "
                                        "Connection profiles.")
                                         .arg(where, message));
        }
    });
    connect(m_banner, &ConnectionBanner::retryRequested, model, &models::QueueModel::retry);
    connect(m_queue, &QueueView::currentUserChanged, this, &MainWindow::showUser);
    connect(m_queue, &QueueView::userActivated, this, [this](const QString& uid) {
        showUser(uid);
        m_right->currentWidget()->setFocus(Qt::OtherFocusReason);
    });
    connect(m_queue, &QueueView::message, this, [this](const QString& text) { statusBar()->showMessage(text, 8000); });

    resize(1500, 900);
    m_queue->table()->setFocus();
    m_queue->refresh();
}

MainWindow::~MainWindow() = default;

void MainWindow::saveLayout(QSettings& settings) const {
    settings.beginGroup(QStringLiteral("window"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("split"), m_splitter->saveState());
    settings.endGroup();
    settings.beginGroup(QStringLiteral("casePage"));
    m_userView->saveLayout(settings);
    settings.endGroup();
}

void MainWindow::restoreLayout(QSettings& settings) {
    settings.beginGroup(QStringLiteral("window"));
    const QByteArray geometry = settings.value(QStringLiteral("geometry")).toByteArray();
    if (!geometry.isEmpty()) {
        restoreGeometry(geometry);
    }
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    if (m_splitter->restoreState(settings.value(QStringLiteral("split")).toByteArray())) {
        m_splitSet = true; // the reviewer's own split, not the first-show default
    }
    settings.endGroup();
    settings.beginGroup(QStringLiteral("casePage"));
    m_userView->restoreLayout(settings);
    settings.endGroup();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    // Closing the console releases its claim (a release_claim record); were the commit lost, the lease runs out.
    m_claims->release();
    QMainWindow::closeEvent(event);
}

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

void MainWindow::buildStatusBar() {
    m_progress = new QLabel(this);
    m_progress->setAccessibleName(tr("Queue loading progress"));
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0); // indeterminate: the store does not say how many rows there are
    m_busy->setMaximumWidth(120);
    m_busy->setAccessibleName(tr("Loading"));
    m_busy->hide();
    m_classifier = new QLabel(
        tr("Classifier: %1").arg(m_backend.classifier ? m_backend.classifier->describe() : tr("none")), this);
    m_classifier->setAccessibleName(tr("Classifier"));
    m_profile = new QLabel(tr("Profile: %1").arg(m_backend.profileName), this);
    m_profile->setAccessibleName(tr("Connection profile"));
    if (m_backend.cases) {
        m_profile->setToolTip(m_backend.cases->describe());
    }
    m_identity = new QLabel(identityText(), this);
    m_identity->setAccessibleName(tr("Signed-in reviewer"));
    statusBar()->addWidget(m_progress);
    statusBar()->addWidget(m_busy);
    statusBar()->addPermanentWidget(m_classifier);
    statusBar()->addPermanentWidget(m_profile);
    statusBar()->addPermanentWidget(m_identity);
}

QString MainWindow::identityText() const {
    if (m_backend.signInMethod.isEmpty()) {
        return tr("%1 — %2").arg(m_backend.reviewer.email, roleLabel(m_backend.reviewer.role));
    }
    return tr("%1 — %2 (%3)").arg(m_backend.reviewer.email, roleLabel(m_backend.reviewer.role), m_backend.signInMethod);
}

QString MainWindow::progressText() const {
    return m_progress ? m_progress->text() : QString();
}

void MainWindow::updateProgress(int loaded, bool loading) {
    const QString count = QLocale().toString(loaded);
    if (loading) {
        m_progress->setText(loaded == 0 ? tr("Loading the queue…") : tr("Loaded %1 users, loading…").arg(count));
    } else {
        m_progress->setText(tr("%n user(s) in the queue", nullptr, loaded).replace(QString::number(loaded), count));
    }
    m_busy->setVisible(loading);
}

void MainWindow::readQueueForExport(std::function<void(bool)> done) {
    models::QueueModel* model = m_queue->model();
    const int total = model->unreadShownRows();
    if (total == 0) {
        done(true);
        return;
    }
    auto* progress =
        new QProgressDialog(tr("Reading speech and open cases of %n user(s) before the export…", nullptr, total),
                            tr("Cancel"), 0, total, this);
    progress->setWindowTitle(tr("Export queue"));
    progress->setAttribute(Qt::WA_DeleteOnClose);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(0);
    progress->setValue(0);
    auto* poll = new QTimer(progress);
    poll->setInterval(100);
    // Shared by the timer and the cancel button: whichever comes first answers, once.
    auto answer = std::make_shared<std::function<void(bool)>>(std::move(done));
    connect(poll, &QTimer::timeout, progress, [model, progress, total, answer] {
        const int left = model->unreadShownRows();
        progress->setValue(std::clamp(total - left, 0, total));
        if (left == 0 && *answer) {
            auto finish = std::exchange(*answer, nullptr);
            progress->close();
            finish(true);
        }
    });
    connect(progress, &QProgressDialog::canceled, this, [model, progress, answer] {
        model->cancelReadAll();
        if (*answer) {
            auto finish = std::exchange(*answer, nullptr);
            progress->close();
            finish(false);
        }
    });
    model->readAllShown();
    poll->start();
    progress->show();
}

bool MainWindow::exportQueueTo(const QString& path) {
    const Status written = exportModel(*m_queue->proxy(), path, formatForPath(path), models::QueueModel::RawValueRole);
    if (!written.ok()) {
        statusBar()->showMessage(written.error().message);
    }
    return written.ok();
}

void MainWindow::showShortcuts() {
    auto* dialog = new ShortcutsDialog(m_actions, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showUser(const QString& uid) {
    m_currentUid = uid;
    m_userView->showUser(uid);
    m_right->setCurrentWidget(m_userView);
    Q_EMIT userShown(uid);
}

void MainWindow::showQueuePage() {
    m_right->setCurrentWidget(m_currentUid.isEmpty() ? m_placeholder : static_cast<QWidget*>(m_userView));
    m_queue->table()->setFocus();
}

void MainWindow::showAuditLog() {
    m_right->setCurrentWidget(m_auditView);
}

void MainWindow::showSpendReport() {
    m_right->setCurrentWidget(m_spendView);
}

void MainWindow::showManualReview() {
    m_right->setCurrentWidget(m_reviewView);
    m_reviewView->refresh();
    m_reviewView->table()->setFocus(Qt::OtherFocusReason);
}

void MainWindow::showDashboard() {
    m_right->setCurrentWidget(m_dashboardView);
}

void MainWindow::showAppealsInbox() {
    // Built on first use: its page, and its store read, cost nothing to reviewers who never open it.
    if (!m_appealsView) {
        m_appealsView = new AppealsInboxView(m_backend, m_right);
        m_right->addWidget(m_appealsView);
        connect(m_appealsView, &AppealsInboxView::userRequested, this, [this](const QString& uid) {
            showUser(uid);
            m_userView->setFocus(Qt::OtherFocusReason);
        });
        connect(m_userView, &UserView::stateChanged, m_appealsView, &AppealsInboxView::refresh);
    }
    m_right->setCurrentWidget(m_appealsView);
    m_appealsView->refresh();
    m_appealsView->table()->setFocus(Qt::OtherFocusReason);
}

bool MainWindow::showCurrentUser() {
    if (m_currentUid.isEmpty()) {
        statusBar()->showMessage(tr("Select a user in the queue first."), 5000);
        return false;
    }
    showUser(m_currentUid);
    return true;
}

void MainWindow::resolveCurrent() {
    if (showCurrentUser()) {
        m_userView->resolve();
    }
}

void MainWindow::overrideCurrent() {
    if (showCurrentUser()) {
        m_userView->overrideStage();
    }
}

void MainWindow::bulkResolve() {
    const QList<services::QueueRow> rows = m_queue->selectedRows();
    if (rows.isEmpty()) {
        statusBar()->showMessage(tr("Select users in the queue first (Shift or Ctrl + click)."), 5000);
        return;
    }
    auto* dialog = new BulkResolveDialog(m_backend, rows, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::finished, m_queue, &QueueView::refresh);
    dialog->open();
}

void MainWindow::showSimulator() {
    if (auto* open = findChild<SimulatorDialog*>()) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto* dialog = new SimulatorDialog(m_backend, models::PolicyFile(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SimulatorDialog::policyAdopted, this, [this](const enforcement::Policy& policy) {
        m_backend.policy = policy;
        m_userView->setPolicy(policy);
        statusBar()->showMessage(tr("Policy %1 adopted: the console decides with it from now on.").arg(policy.label()),
                                 8000);
    });
    dialog->open();
}

void MainWindow::printReport() {
    if (!m_currentUid.isEmpty()) {
        m_userView->printReport();
        return;
    }
    statusBar()->showMessage(tr("Open a user, then print the case report from the user view."), 5000);
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About the fair-use console"),
                       tr("<b>Fair-use reviewer console</b> %1<br>Profile: %2<br>Case store: %3<br>Usage store: "
                          "%4<br>Classifier: %5<br>Signed in as %6")
                           .arg(m_backend.clientVersion.toHtmlEscaped(), m_backend.profileName.toHtmlEscaped(),
                                m_backend.cases ? m_backend.cases->describe().toHtmlEscaped() : QString(),
                                m_backend.usage ? m_backend.usage->describe().toHtmlEscaped() : QString(),
                                m_backend.classifier ? m_backend.classifier->describe().toHtmlEscaped() : QString(),
                                identityText().toHtmlEscaped()));
}

} // namespace fairuse::ui
