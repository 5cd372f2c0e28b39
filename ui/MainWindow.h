#pragma once

#include "Backend.h"

#include <QMainWindow>

#include <functional>

class QAction;
class QLabel;
class QProgressBar;
class QSettings;
class QSplitter;
class QStackedWidget;

namespace fairuse::models {
class CaseClaims;
class EnforcerStatus;
class QueueCasework;
} // namespace fairuse::models

namespace fairuse::ui {

class AppealsInboxView;
class SpendCasesView;
class AuditLogView;
class ConnectionBanner;
class ManualReviewView;
class QueueView;
class SavedViewsControl;
class ShadowComparisonView;
class SpendReportView;
class DashboardView;
class UserView;

/**
 * The console's main window: the queue with its filter bar on the left, the selected user (or the audit log, spend
 * report or appeals inbox) on the right, a connection banner on top, and a status bar with the signed-in reviewer's
 * e-mail and role, the profile, the classifier and the queue's loading progress.
 *
 * Every command is a QAction with a shortcut and a status tip; the shortcuts dialog is generated from them.
 */
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(models::Backend& backend, QWidget* parent = nullptr);
    ~MainWindow() override;

    QueueView* queueView() const { return m_queue; }
    ConnectionBanner* banner() const { return m_banner; }
    DashboardView* dashboardView() const { return m_dashboardView; }
    ManualReviewView* manualReviewView() const { return m_reviewView; }
    /** The appeals inbox page; nullptr until View > Appeals inbox first showed it. */
    AppealsInboxView* appealsInbox() const { return m_appealsView; }
    SpendCasesView* spendCases() const { return m_spendCasesView; }
    /** The shadow comparison page; nullptr until View > Shadow comparison first showed it. */
    ShadowComparisonView* shadowComparison() const { return m_shadowView; }
    /** Every action of the window (menus and keyboard), in menu order. */
    QList<QAction*> allActions() const { return m_actions; }
    /** The status bar's identity text: "e-mail — role". */
    QString identityText() const;
    /** The status bar's enforcement-service text ("Enforcer: last pass 3 min ago · 1.2 s · v0.1.0"); empty, and
     *  hidden, when no service has written a heartbeat. */
    QString enforcerText() const;
    /** The status bar's loading text ("Loaded 12,000 users…", "12,345 users"). */
    QString progressText() const;

    /** Window geometry and state, the queue/details split and the case page's splitters, kept between sessions by
     *  the application (not in tests, which start from the defaults). */
    void saveLayout(QSettings& settings) const;
    void restoreLayout(QSettings& settings);
    /** The case page. */
    UserView* userView() const { return m_userView; }
    /** The saved views (the filter bar's box and its commands). */
    SavedViewsControl* savedViews() const { return m_views; }

    /** Writes the visible queue (filtered and sorted as shown) to `path`; CSV unless it ends in ".json". */
    bool exportQueueTo(const QString& path);
    /** Before an export: reads the speech and case details the queue has not read yet for the visible rows (a
     *  Firestore queue reads them only for rows on screen), with a progress dialog the reviewer can cancel. `done`
     *  gets true when nothing is left to read (at once when nothing was missing), false when cancelled. */
    void readQueueForExport(std::function<void(bool)> done);

public Q_SLOTS:
    void showShortcuts();
    void showUser(const QString& uid);
    void showQueuePage();
    void showAuditLog();
    void showSpendReport();
    void showManualReview();
    void showDashboard();
    /** Tools > Policy simulator: the simulator dialog (one at a time); an adopted policy becomes the backend's. */
    void showSimulator();
    /** View > Appeals inbox (Ctrl+Shift+I): open appeals oldest first; Enter opens the user. */
    void showAppealsInbox();
    /** The open LLM-spend cases (Ctrl+Shift+L), built on first use. */
    void showSpendCases();
    /** View > Shadow comparison (Ctrl+Shift+H): where the shadow enforcement service and the backend disagree. */
    void showShadowComparison();

Q_SIGNALS:
    /** File > Connection profiles; the application owns profiles and reconnects. */
    void profilesRequested();
    /** File > Sign out: the app ends the session (and forgets its refresh token) and asks for a new sign-in. */
    void signOutRequested();
    /** The user view on the right was asked to show `uid`. */
    void userShown(const QString& uid);

protected:
    void showEvent(QShowEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    QAction* addCommand(const QString& text, const QList<QKeySequence>& keys, const QString& tip);
    void buildActions();
    void buildStatusBar();
    void updateProgress(int loaded, bool loading);
    void showAbout();
    /** Shows the selected user again, for an action on it; false, with a hint in the status bar, when none is. */
    bool showCurrentUser();
    void resolveCurrent();
    void overrideCurrent();
    void bulkResolve();
    void printReport();

    models::Backend& m_backend;
    QueueView* m_queue;
    QStackedWidget* m_right;
    QSplitter* m_splitter = nullptr;
    bool m_splitSet = false;
    QWidget* m_placeholder;
    UserView* m_userView = nullptr;
    models::CaseClaims* m_claims = nullptr;
    models::QueueCasework* m_casework = nullptr;
    SavedViewsControl* m_views = nullptr;
    AuditLogView* m_auditView = nullptr;
    SpendReportView* m_spendView = nullptr;
    ManualReviewView* m_reviewView = nullptr;
    DashboardView* m_dashboardView = nullptr;
    AppealsInboxView* m_appealsView = nullptr;
    SpendCasesView* m_spendCasesView = nullptr;
    ShadowComparisonView* m_shadowView = nullptr;
    ConnectionBanner* m_banner;
    QLabel* m_identity = nullptr;
    QLabel* m_enforcer = nullptr; ///< the enforcement service's heartbeat; hidden when none runs
    models::EnforcerStatus* m_enforcerStatus = nullptr;
    QLabel* m_profile = nullptr;
    QLabel* m_classifier = nullptr;
    QLabel* m_progress = nullptr;
    QProgressBar* m_busy = nullptr;
    QList<QAction*> m_actions;
    QString m_currentUid;
    QString m_reselectUid;
};

/** The translated name of a role ("reviewer", "senior reviewer", "admin"). */
QString roleLabel(Role role);

} // namespace fairuse::ui
