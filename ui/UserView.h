#pragma once

#include "ActionDialog.h"
#include "Backend.h"
#include "CaseworkDialog.h"
#include "common/Domain.h"
#include "enforcement/Policy.h"

#include <QList>
#include <QWidget>

#include <optional>

class QAction;
class QVBoxLayout;
class QLabel;
class QSettings;
class QSplitter;
class QTabWidget;
class QTableView;
class QTextBrowser;

namespace fairuse::models {
class CaseClaims;
class ConversationsModel;
class EventsModel;
class EvidenceModel;
} // namespace fairuse::models

namespace fairuse::ui {

class CaseHeader;
class ClaimBanner;
class SpeechChart;

/**
 * The case page: everything about one flagged user, built around the decision. A header with the stage, the plan,
 * each cap as a bar of the share used and the latest verdict; the cases, with the selected one (by default the newest
 * open case with a verdict) summed up in full below them; the classifier's evidence beside the conversations, with
 * the selected conversation in full (title, time, duration, category, source, overview); a vertical timeline of
 * cases, decisions, notes, appeals and claims; the speech chart against the caps, the STT budget and the LLM spend;
 * the state in detail; and the reviewer actions (resolve, override, reset, exempt, re-run the classifier, add a note,
 * decide an appeal, case report).
 *
 * Everything loads asynchronously; a user shown while another is still loading wins (late replies are dropped).
 */
class UserView : public QWidget {
    Q_OBJECT
public:
    explicit UserView(models::Backend& backend, QWidget* parent = nullptr);
    ~UserView() override;

    /** Loads and shows a user. */
    void showUser(const QString& uid);
    QString uid() const { return m_uid; }

    /** The actions (resolve Ctrl+R, override Ctrl+Shift+O, reset, exempt, un-exempt, re-run classifier, add note
     *  Ctrl+N, decide appeal Ctrl+Shift+D, case report Ctrl+P), enabled when a user is loaded. Deciding an appeal
     *  needs an open appeal and a senior reviewer (disabled with a tooltip saying why otherwise). */
    QList<QAction*> actions() const;

    /**
     * Claims (casework/Claims.h): with them, showing a user with an open case claims it when nobody holds it, the claim
     * line shows who reviews it, an action warns about someone else's claim, and a decision releases this console's
     * claim. Without (the default), nothing is claimed.
     */
    void setClaims(models::CaseClaims* claims);
    ClaimBanner* claimBanner() const { return m_claimBanner; }

    /** Policy the actions are built with (default: the backend's policy, Backend::policy). */
    void setPolicy(const enforcement::Policy& policy) { m_policy = policy; }
    const enforcement::Policy& policy() const { return m_policy; }

    /** Opens the dialog of an action (non-modal, so tests and the window stay responsive); nullptr and a message
     *  when the action is not possible now (nothing loaded, no open case to resolve, no open appeal). Resolving a case
     *  that an open appeal contests (casework::openAppeal) asks what happens to the appeal. */
    ActionDialog* openAction(ActionKind kind);

    /**
     * Casework (casework/Casework.h): the actions Escalate… (Ctrl+Shift+E), Withdraw escalation…, Snooze…
     * (Ctrl+Shift+Z), End snooze, Pin note… (Ctrl+Shift+N) and Unpin note…, enabled when they apply to the loaded
     * user. The window lists them with its shortcuts.
     */
    QList<QAction*> caseworkActions() const;
    /** Opens the dialog of a casework action (non-modal); nullptr and a message when it is not possible now. */
    CaseworkDialog* openCasework(CaseworkKind kind);
    /** The user's notes (pinned and unpinned), newest first, and the casework document, loaded with the user. */
    const QList<UserNote>& notes() const { return m_notes; }
    const std::optional<Casework>& casework() const { return m_casework; }
    /** The pinned notes, the escalation and the snooze of the shown user, below the header. */
    QLabel* caseworkLabel() const { return m_caseworkLabel; }
    /** Splitter positions and the open section, kept between sessions by the window (MainWindow::saveLayout). */
    void saveLayout(QSettings& settings) const;
    void restoreLayout(const QSettings& settings);

    /** Writes the PDF case report of the shown user; emits reportWritten when done. */
    void saveReport(const QString& path);

    // For tests and the report.
    bool isLoading() const { return m_pending > 0; }
    const std::optional<FairUseState>& state() const { return m_state; }
    const QList<FairUseEvent>& events() const { return m_events; }
    /** The user's appeals, newest first. */
    const QList<Appeal>& appeals() const { return m_appeals; }
    /** The timeline (cases, decisions, notes, appeals with every field and message in full, claims), newest first. */
    QTextBrowser* timelineView() const { return m_timelineView; }
    QTextBrowser* appealsView() const { return m_timelineView; }
    /** The user's audit records as read for the timeline (chain order, the newest kAuditForTimeline). */
    const QList<AuditRecord>& audit() const { return m_audit; }
    CaseHeader* caseHeader() const { return m_caseHeader; }
    /** The selected case in full (caseSummary). */
    QLabel* caseStrip() const { return m_caseStrip; }
    /** The selected conversation in full. */
    QTextBrowser* conversationDetail() const { return m_conversationDetail; }
    QTabWidget* sections() const { return m_tabs; }
    QAction* decideAppealAction() const { return m_decideAppealAct; }
    models::EventsModel* eventsModel() const { return m_eventsModel; }
    models::EvidenceModel* evidenceModel() const { return m_evidenceModel; }
    models::ConversationsModel* conversationsModel() const { return m_conversationsModel; }
    QTableView* eventsView() const { return m_eventsView; }
    QTableView* evidenceView() const { return m_evidenceView; }
    QTableView* conversationsView() const { return m_conversationsView; }
    SpeechChart* chart() const { return m_chart; }
    /** The classifier panel's text (score, type, heuristic/LLM label, model, reasoning). */
    QString classifierText() const;
    QString stateText() const;
    QString statusText() const;

public Q_SLOTS:
    void reload();
    void resolve();
    void overrideStage();
    void reset();
    void exempt();
    void unexempt();
    void rerunClassifier();
    void addNote();
    void decideAppeal();
    /** Asks where to save the PDF case report and writes it. */
    void printReport();

Q_SIGNALS:
    /** A reviewer action changed this user (the queue refreshes the row). */
    void stateChanged(const QString& uid);
    /** Everything of `uid` has arrived (with or without errors). */
    void loaded(const QString& uid);
    /** The classifier re-run finished (its result is shown, labelled heuristic or LLM). */
    void classifierRerun(const QString& uid);
    void reportWritten(const QString& path, const QString& error);

private:
    void buildUi();
    void buildActions();
    void clearAll();
    void arrived();
    void showState();
    void showClassifier(const std::optional<ClassifierResult>& result, const QString& origin);
    void showEvidenceForSelection();
    void highlightConversation(const QModelIndex& evidenceIndex);
    void setStatus(const QString& text);
    void updateActions();
    std::optional<FairUseEvent> selectedOrOpenEvent() const;
    void runClassifier();
    void claimShownCase();
    void showTimeline();
    void showHeader();
    void showConversationDetail(const QModelIndex& current);
    // UserViewCasework.cpp
    void buildCasework();
    void loadCasework(const QString& uid, quint64 generation);
    void showCasework();
    void updateCaseworkActions();

    models::Backend& m_backend;
    enforcement::Policy m_policy;
    QString m_uid;
    quint64 m_generation = 0;
    int m_pending = 0;

    std::optional<FairUseState> m_state;
    QList<FairUseEvent> m_events;
    QList<Appeal> m_appeals;
    QList<UserNote> m_notes;
    std::optional<Casework> m_casework;
    QList<AuditRecord> m_audit;
    QList<Conversation> m_conversations;
    std::optional<SpeechTotals> m_speech;
    /** The classifier verdict the evidence tab shows (a case's or a re-run's). */
    std::optional<ClassifierResult> m_shownVerdict;
    std::optional<ClassifierResult> m_rerunResult;
    std::optional<std::int64_t> m_sttUsedMs;
    QList<LlmSpendRecord> m_spend;
    /** Speech minutes read for the chart and the range they cover, kept until the state (the plan's caps) is here. */
    struct ChartMinutes {
        QList<services::MinuteSample> minutes;
        TimePoint from;
        TimePoint to;
    };
    std::optional<ChartMinutes> m_chartMinutes;
    QStringList m_errors;

    CaseHeader* m_caseHeader = nullptr;
    QLabel* m_caseStrip = nullptr;
    QLabel* m_status = nullptr;
    QSplitter* m_mainSplit = nullptr;
    QSplitter* m_evidenceSplit = nullptr;
    QSplitter* m_tablesSplit = nullptr;
    QTextBrowser* m_conversationDetail = nullptr;
    QTabWidget* m_tabs = nullptr;
    QLabel* m_stateLabel = nullptr;
    QLabel* m_budgetLabel = nullptr;
    QLabel* m_spendLabel = nullptr;
    QTableView* m_eventsView = nullptr;
    models::EventsModel* m_eventsModel = nullptr;
    QTextBrowser* m_timelineView = nullptr;
    QLabel* m_classifierLabel = nullptr;
    QTableView* m_evidenceView = nullptr;
    models::EvidenceModel* m_evidenceModel = nullptr;
    QTableView* m_conversationsView = nullptr;
    models::ConversationsModel* m_conversationsModel = nullptr;
    SpeechChart* m_chart = nullptr;
    models::CaseClaims* m_claims = nullptr;
    ClaimBanner* m_claimBanner = nullptr;
    QVBoxLayout* m_layout = nullptr;

    QAction* m_resolveAct = nullptr;
    QAction* m_overrideAct = nullptr;
    QAction* m_resetAct = nullptr;
    QAction* m_exemptAct = nullptr;
    QAction* m_unexemptAct = nullptr;
    QAction* m_rerunAct = nullptr;
    QAction* m_noteAct = nullptr;
    QAction* m_decideAppealAct = nullptr;
    QAction* m_printAct = nullptr;
    QLabel* m_caseworkLabel = nullptr;
    QAction* m_escalateAct = nullptr;
    QAction* m_deEscalateAct = nullptr;
    QAction* m_snoozeAct = nullptr;
    QAction* m_unsnoozeAct = nullptr;
    QAction* m_pinNoteAct = nullptr;
    QAction* m_unpinNoteAct = nullptr;
};

} // namespace fairuse::ui
