// UserView's widgets: the header and status lines, the four tabs (state, timeline of cases and appeals, evidence
// beside conversations, speech) and the reviewer actions with their toolbar.
#include "UserView.h"

#include "ConversationsModel.h"
#include "DetailFormat.h"
#include "EventsModel.h"
#include "EvidenceModel.h"
#include "SpeechChart.h"
#include "casework/Appeals.h"

#include <QAction>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollArea>
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

} // namespace

void UserView::buildUi() {
    setAccessibleName(tr("User details"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_layout = layout;

    m_header = new QLabel(this);
    m_header->setAccessibleName(tr("User"));
    QFont bold = m_header->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_header->setFont(bold);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_header);

    m_status = makeText(this, tr("Status"));
    layout->addWidget(m_status);

    m_tabs = new QTabWidget(this);
    m_tabs->setAccessibleName(tr("User details sections"));
    layout->addWidget(m_tabs, 1);

    // State: current stage and what produced it, STT budget, LLM spend.
    auto* stateScroll = new QScrollArea(m_tabs);
    stateScroll->setWidgetResizable(true);
    auto* statePage = new QWidget(stateScroll);
    auto* stateLayout = new QVBoxLayout(statePage);
    m_stateLabel = makeText(statePage, tr("Fair-use state"));
    m_budgetLabel = makeText(statePage, tr("Speech-to-text budget"));
    m_spendLabel = makeText(statePage, tr("LLM spend"));
    stateLayout->addWidget(m_stateLabel);
    stateLayout->addWidget(m_budgetLabel);
    stateLayout->addWidget(m_spendLabel);
    stateLayout->addStretch(1);
    stateScroll->setWidget(statePage);
    m_tabs->addTab(stateScroll, tr("&State"));

    m_eventsModel = new models::EventsModel(this);
    // The timeline: cases above, the user's appeals (with what they contest) below.
    auto* timeline = new QSplitter(Qt::Vertical, m_tabs);
    m_eventsView = makeTable(timeline, m_eventsModel, tr("Case timeline"));
    m_appealsView = new QTextBrowser(timeline);
    m_appealsView->setObjectName(QStringLiteral("appealsView"));
    m_appealsView->setAccessibleName(tr("Appeals"));
    m_appealsView->setOpenLinks(false);
    m_appealsView->setLineWrapMode(QTextEdit::WidgetWidth);
    timeline->addWidget(m_eventsView);
    timeline->addWidget(m_appealsView);
    timeline->setStretchFactor(0, 3);
    timeline->setStretchFactor(1, 2);
    m_tabs->addTab(timeline, tr("&Timeline"));

    // Evidence beside the conversations it cites.
    auto* evidencePage = new QWidget(m_tabs);
    auto* evidenceLayout = new QVBoxLayout(evidencePage);
    m_classifierLabel = makeText(evidencePage, tr("Classifier result"));
    evidenceLayout->addWidget(m_classifierLabel);
    auto* split = new QSplitter(Qt::Horizontal, evidencePage);
    m_evidenceModel = new models::EvidenceModel(this);
    m_evidenceView = makeTable(split, m_evidenceModel, tr("Evidence"));
    m_conversationsModel = new models::ConversationsModel(this);
    m_conversationsView = makeTable(split, m_conversationsModel, tr("Conversations"));
    split->addWidget(m_evidenceView);
    split->addWidget(m_conversationsView);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    evidenceLayout->addWidget(split, 1);
    m_tabs->addTab(evidencePage, tr("&Evidence"));

    m_chart = new SpeechChart(m_tabs);
    m_tabs->addTab(m_chart, tr("S&peech"));

    connect(m_eventsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showEvidenceForSelection(); });
    connect(m_evidenceView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { highlightConversation(current); });
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

    auto* toolbar = new QToolBar(tr("User actions"), this);
    toolbar->setAccessibleName(tr("User actions"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addActions(actions());
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
