#include "MainWindow.h"

#include "AppealsInboxView.h"
#include "AuditLogView.h"
#include "BulkResolveDialog.h"
#include "CaseClaims.h"
#include "ConnectionBanner.h"
#include "DashboardView.h"
#include "EnforcerStatus.h"
#include "Export.h"
#include "FilterBar.h"
#include "ManualReviewView.h"
#include "QueueCasework.h"
#include "QueueModel.h"
#include "QueueView.h"
#include "SavedViewsControl.h"
#include "ShadowComparisonView.h"
#include "ShortcutsDialog.h"
#include "SimulatorDialog.h"
#include "SpendCasesView.h"
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
    case Role::Service:
        return MainWindow::tr("enforcement service");
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
    m_views = new SavedViewsControl(backend, m_queue->filterBar(), this);
    connect(m_views, &SavedViewsControl::message, this,
            [this](const QString& text) { statusBar()->showMessage(text, 8000); });
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
    m_enforcer = new QLabel(this);
    m_enforcer->setObjectName(QStringLiteral("enforcerStatus"));
    m_enforcer->setAccessibleName(tr("Enforcement service"));
    m_enforcer->hide();
    m_enforcerStatus = new models::EnforcerStatus(m_backend, this);
    connect(m_enforcerStatus, &models::EnforcerStatus::changed, this, [this] {
        const models::EnforcerStatus::Display& d = m_enforcerStatus->display();
        m_enforcer->setText(d.text);
        m_enforcer->setToolTip(d.toolTip);
        // A stale service is the one thing here a reviewer must notice: its decisions are not being made.
        m_enforcer->setStyleSheet(d.stale ? QStringLiteral("QLabel { color: #b00020; font-weight: bold; }")
                                          : QString());
        m_enforcer->setVisible(!d.text.isEmpty());
    });
    m_enforcerStatus->start();
    statusBar()->addWidget(m_progress);
    statusBar()->addWidget(m_busy);
    statusBar()->addPermanentWidget(m_enforcer);
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

QString MainWindow::enforcerText() const {
    return m_enforcer ? m_enforcer->text() : QString();
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

void MainWindow::showSpendCases() {
    if (!m_spendCasesView) {
        m_spendCasesView = new SpendCasesView(m_backend, m_right);
        m_right->addWidget(m_spendCasesView);
        connect(m_spendCasesView, &SpendCasesView::userRequested, this, [this](const QString& uid) {
            showUser(uid);
            m_userView->setFocus(Qt::OtherFocusReason);
        });
        connect(m_userView, &UserView::stateChanged, m_spendCasesView, &SpendCasesView::refresh);
    }
    m_right->setCurrentWidget(m_spendCasesView);
    m_spendCasesView->refresh();
    m_spendCasesView->table()->setFocus(Qt::OtherFocusReason);
}

void MainWindow::showShadowComparison() {
    // Built on first use, as the appeals inbox: only operators comparing the service with the backend pay for it.
    if (!m_shadowView) {
        m_shadowView = new ShadowComparisonView(m_backend, m_right);
        m_right->addWidget(m_shadowView);
        connect(m_shadowView, &ShadowComparisonView::userRequested, this, [this](const QString& uid) {
            showUser(uid);
            m_userView->setFocus(Qt::OtherFocusReason);
        });
    }
    m_right->setCurrentWidget(m_shadowView);
    m_shadowView->refresh();
    m_shadowView->table()->setFocus(Qt::OtherFocusReason);
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
