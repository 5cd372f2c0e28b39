// UserView's widgets: the case page. The header (stage, plan, caps as bars, latest verdict), the case strip (the
// selected case in full), the cases, and below them the evidence beside the conversations with the selected
// conversation in full, the timeline, the speech chart and the state in detail; the reviewer actions with their
// toolbar; what the header, the timeline and the conversation pane show. Splitter positions persist (saveLayout /
// restoreLayout).
#include "UserView.h"

#include "BulkResolver.h"
#include "CaseHeader.h"
#include "CasePage.h"
#include "ConversationsModel.h"
#include "DetailFormat.h"
#include "EventsModel.h"
#include "EvidenceModel.h"
#include "SpeechChart.h"
#include "casework/Appeals.h"
#include "common/Subscription.h"

#include <QAction>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QToolBar>
#include <QVBoxLayout>

namespace fairuse::ui {

namespace {

QTableView* makeTable(QWidget* parent, QAbstractItemModel* model, const QString& name) {
    auto* view = new QTableView(parent);
    view->setModel(model);
    view->setAccessibleName(name);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    return view;
}

QLabel* makeText(QWidget* parent, const QString& name) {
    auto* label = new QLabel(parent);
    label->setAccessibleName(name);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    return label;
}

QTextBrowser* makeBrowser(QWidget* parent, const QString& objectName, const QString& name) {
    auto* browser = new QTextBrowser(parent);
    browser->setObjectName(objectName);
    browser->setAccessibleName(name);
    browser->setOpenLinks(false);
    browser->setLineWrapMode(QTextEdit::WidgetWidth);
    return browser;
}

QScrollArea* scrolled(QWidget* parent, QWidget* inner) {
    auto* scroll = new QScrollArea(parent);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(inner);
    return scroll;
}

} // namespace

void UserView::buildUi() {
    setAccessibleName(tr("User details"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_layout = layout;

    m_caseHeader = new CaseHeader(this);
    layout->addWidget(m_caseHeader);
    m_status = makeText(this, tr("Status"));
    layout->addWidget(m_status);

    // The cases above (few columns: what each one is and where it stands), everything else below.
    m_mainSplit = new QSplitter(Qt::Vertical, this);
    m_mainSplit->setObjectName(QStringLiteral("caseSplit"));
    m_mainSplit->setChildrenCollapsible(false);
    layout->addWidget(m_mainSplit, 1);

    auto* casesPage = new QWidget(m_mainSplit);
    auto* casesLayout = new QVBoxLayout(casesPage);
    casesLayout->setContentsMargins(0, 0, 0, 0);
    m_eventsModel = new models::EventsModel(this);
    m_eventsView = makeTable(casesPage, m_eventsModel, tr("Cases"));
    for (const int hidden :
         {models::EventsModel::DailyColumn, models::EventsModel::ThreeDayColumn, models::EventsModel::WeeklyColumn,
          models::EventsModel::ActionColumn, models::EventsModel::PolicyColumn, models::EventsModel::NotesColumn}) {
        m_eventsView->setColumnHidden(hidden, true); // in the case strip and the timeline, in full
    }
    casesLayout->addWidget(m_eventsView, 1);
    m_caseStrip = makeText(casesPage, tr("Selected case"));
    m_caseStrip->setObjectName(QStringLiteral("caseStrip"));
    m_caseStrip->setFrameShape(QFrame::StyledPanel);
    m_caseStrip->setMargin(4);
    casesLayout->addWidget(m_caseStrip);
    m_mainSplit->addWidget(casesPage);

    m_tabs = new QTabWidget(m_mainSplit);
    m_tabs->setAccessibleName(tr("User details sections"));
    m_mainSplit->addWidget(m_tabs);
    m_mainSplit->setStretchFactor(0, 1);
    m_mainSplit->setStretchFactor(1, 3);

    // Evidence: the verdict in full; the evidence beside the conversation it cites, in full; every loaded
    // conversation below (the cited ones in bold), which also opens in the detail pane.
    m_evidenceSplit = new QSplitter(Qt::Vertical, m_tabs);
    m_evidenceSplit->setObjectName(QStringLiteral("evidenceSplit"));
    m_classifierLabel = makeText(m_evidenceSplit, tr("Classifier result"));
    m_evidenceSplit->addWidget(scrolled(m_evidenceSplit, m_classifierLabel));
    m_tablesSplit = new QSplitter(Qt::Horizontal, m_evidenceSplit);
    m_tablesSplit->setObjectName(QStringLiteral("evidenceTablesSplit"));
    m_evidenceModel = new models::EvidenceModel(this);
    m_evidenceView = makeTable(m_tablesSplit, m_evidenceModel, tr("Evidence"));
    m_evidenceView->setColumnHidden(models::EvidenceModel::ConversationColumn, true);
    m_evidenceView->setWordWrap(true);
    m_evidenceView->horizontalHeader()->resizeSection(models::EvidenceModel::TitleColumn, 140);
    m_evidenceView->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_conversationDetail = makeBrowser(m_tablesSplit, QStringLiteral("conversationDetail"), tr("Conversation"));
    m_tablesSplit->addWidget(m_evidenceView);
    m_tablesSplit->addWidget(m_conversationDetail);
    m_tablesSplit->setStretchFactor(0, 1);
    m_tablesSplit->setStretchFactor(1, 1);
    m_evidenceSplit->addWidget(m_tablesSplit);
    m_conversationsModel = new models::ConversationsModel(this);
    m_conversationsView = makeTable(m_evidenceSplit, m_conversationsModel, tr("Conversations"));
    m_conversationsView->setColumnHidden(models::ConversationsModel::OverviewColumn, true); // in the detail pane
    QHeaderView* convHeader = m_conversationsView->horizontalHeader();
    convHeader->setStretchLastSection(false);
    convHeader->setSectionResizeMode(QHeaderView::ResizeToContents);
    convHeader->setSectionResizeMode(models::ConversationsModel::TitleColumn, QHeaderView::Stretch);
    m_evidenceSplit->addWidget(m_conversationsView);
    m_evidenceSplit->setStretchFactor(0, 2);
    m_evidenceSplit->setStretchFactor(1, 3);
    m_evidenceSplit->setStretchFactor(2, 2);
    m_evidenceSplit->setSizes({200, 260, 180}); // shares of the first layout: the verdict's reasoning gets room
    m_tabs->addTab(m_evidenceSplit, tr("&Evidence"));

    // Timeline: cases, decisions, notes, appeals and claims, newest first, every text in full.
    m_timelineView = makeBrowser(m_tabs, QStringLiteral("timelineView"), tr("Timeline"));
    m_tabs->addTab(m_timelineView, tr("&Timeline"));

    // Speech: the chart against the caps, the STT budget and the LLM spend.
    auto* speechPage = new QWidget(m_tabs);
    auto* speechLayout = new QVBoxLayout(speechPage);
    m_chart = new SpeechChart(speechPage);
    speechLayout->addWidget(m_chart, 1);
    m_budgetLabel = makeText(speechPage, tr("Speech-to-text budget"));
    m_spendLabel = makeText(speechPage, tr("LLM spend"));
    speechLayout->addWidget(m_budgetLabel);
    speechLayout->addWidget(m_spendLabel);
    m_tabs->addTab(speechPage, tr("S&peech"));

    // State: every field of the state and what produced it.
    auto* statePage = new QWidget(m_tabs);
    auto* stateLayout = new QVBoxLayout(statePage);
    m_stateLabel = makeText(statePage, tr("Fair-use state"));
    stateLayout->addWidget(m_stateLabel);
    stateLayout->addStretch(1);
    m_tabs->addTab(scrolled(m_tabs, statePage), tr("&State"));

    connect(m_eventsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showEvidenceForSelection(); });
    connect(m_evidenceView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { highlightConversation(current); });
    connect(m_conversationsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { showConversationDetail(current); });
}

void UserView::showHeader() {
    if (!m_state) {
        return;
    }
    const TimePoint now = models::backendNow(m_backend);
    // The verdict to sum up: the open case's, else the newest case's with one.
    std::optional<ClassifierResult> latest;
    for (int pass = 0; pass < 2 && !latest; ++pass) {
        for (const FairUseEvent& e : std::as_const(m_events)) {
            if (e.classifier && (pass == 1 || !e.resolved)) {
                latest = e.classifier;
                break;
            }
        }
    }
    m_caseHeader->showUser(*m_state, models::planText(m_state->subscription, now),
                           m_policy.capsFor(effectivePlan(m_state->subscription, now)), m_speech, latest);
}

void UserView::showTimeline() {
    m_timelineView->setHtml(models::timelineHtml(models::buildTimeline(m_events, m_appeals, m_audit)));
}

void UserView::showConversationDetail(const QModelIndex& current) {
    if (!current.isValid()) {
        m_conversationDetail->clear();
        return;
    }
    const QString id = current.siblingAtColumn(0).data(models::ConversationsModel::ConversationIdRole).toString();
    for (const Conversation& c : std::as_const(m_conversations)) {
        if (c.id != id) {
            continue;
        }
        QString reason;
        if (m_shownVerdict) {
            for (const Evidence& e : m_shownVerdict->evidence) {
                if (e.conversationId == id) {
                    reason = e.reason;
                    break;
                }
            }
        }
        m_conversationDetail->setHtml(models::conversationHtml(c, reason));
        return;
    }
    m_conversationDetail->clear();
}

void UserView::saveLayout(QSettings& settings) const {
    settings.setValue(QStringLiteral("caseSplit"), m_mainSplit->saveState());
    settings.setValue(QStringLiteral("evidenceSplit"), m_evidenceSplit->saveState());
    settings.setValue(QStringLiteral("evidenceTablesSplit"), m_tablesSplit->saveState());
    settings.setValue(QStringLiteral("tab"), m_tabs->currentIndex());
}

void UserView::restoreLayout(const QSettings& settings) {
    m_mainSplit->restoreState(settings.value(QStringLiteral("caseSplit")).toByteArray());
    m_evidenceSplit->restoreState(settings.value(QStringLiteral("evidenceSplit")).toByteArray());
    m_tablesSplit->restoreState(settings.value(QStringLiteral("evidenceTablesSplit")).toByteArray());
    const int tab = settings.value(QStringLiteral("tab"), 0).toInt();
    if (tab >= 0 && tab < m_tabs->count()) {
        m_tabs->setCurrentIndex(tab);
    }
}

void UserView::buildActions() {
    auto make = [this](const QString& text, const QKeySequence& key, const QString& tip, auto slot) {
        auto* action = new QAction(text, this);
        if (!key.isEmpty()) {
            action->setShortcut(key);
            action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        action->setToolTip(tip);
        action->setStatusTip(tip);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        return action;
    };
    m_resolveAct = make(tr("&Resolve case…"), QKeySequence(Qt::CTRL | Qt::Key_R),
                        tr("Resolve the selected (or newest open) case"), &UserView::resolve);
    m_overrideAct = make(tr("&Override stage…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                         tr("Set the user's stage (reason required)"), &UserView::overrideStage);
    m_resetAct = make(tr("Rese&t user…"), {}, tr("Admin: clear stage, counters and timers"), &UserView::reset);
    m_exemptAct =
        make(tr("&Exempt user…"), {}, tr("Senior reviewer: exempt the user from enforcement"), &UserView::exempt);
    m_unexemptAct = make(tr("Remove e&xemption…"), {}, tr("Senior reviewer: enforce again"), &UserView::unexempt);
    m_rerunAct = make(tr("Re-run &classifier…"), {}, tr("Classify the user's recent conversations again"),
                      &UserView::rerunClassifier);
    m_noteAct = make(tr("Add &note…"), QKeySequence(Qt::CTRL | Qt::Key_N),
                     tr("Add a note to the selected case (or to the user)"), &UserView::addNote);
    m_decideAppealAct =
        make(tr("Decide &appeal…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G),
             tr("Senior reviewer: uphold or overturn the user's oldest open appeal"), &UserView::decideAppeal);
    m_printAct = make(tr("Case re&port (PDF)…"), QKeySequence(Qt::CTRL | Qt::Key_P),
                      tr("Save the user's case report as PDF"), &UserView::printReport);

    // The actions at hand: the decisions first, the rarer ones in the toolbar's overflow.
    auto* toolbar = new QToolBar(tr("User actions"), this);
    toolbar->setAccessibleName(tr("User actions"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addActions({m_resolveAct, m_noteAct, m_decideAppealAct, m_overrideAct, m_rerunAct, m_printAct});
    toolbar->addSeparator();
    toolbar->addActions({m_exemptAct, m_unexemptAct, m_resetAct});
    static_cast<QVBoxLayout*>(layout())->insertWidget(0, toolbar);
}

QList<QAction*> UserView::actions() const {
    return {m_resolveAct, m_overrideAct, m_resetAct,        m_exemptAct, m_unexemptAct,
            m_rerunAct,   m_noteAct,     m_decideAppealAct, m_printAct};
}

void UserView::updateActions() {
    const bool have = m_state.has_value() && m_pending == 0;
    for (QAction* a : actions()) {
        a->setEnabled(have);
    }
    if (have) {
        m_exemptAct->setEnabled(!m_state->exempt);
        m_unexemptAct->setEnabled(m_state->exempt);
        m_rerunAct->setEnabled(m_backend.classifier != nullptr);
    }
    const bool senior = m_backend.reviewer.role >= Role::SeniorReviewer;
    const bool open = casework::openAppeal(m_appeals).has_value();
    m_decideAppealAct->setEnabled(have && senior && open);
    m_decideAppealAct->setToolTip(
        !senior ? tr("Only a senior reviewer decides appeals; you are signed in as %1.")
                      .arg(models::roleName(m_backend.reviewer.role))
                : (open ? tr("Uphold or overturn the user's oldest open appeal") : tr("The user has no open appeal.")));
}

} // namespace fairuse::ui
