#include "UserView.h"

#include "BulkResolver.h"
#include "CaseReport.h"
#include "ConversationsModel.h"
#include "DetailFormat.h"
#include "EventsModel.h"
#include "EvidenceModel.h"
#include "FutureWatch.h"
#include "SpeechChart.h"
#include "UserSummary.h"
#include "common/Subscription.h"

#include <QAction>
#include <QFileDialog>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QScrollArea>
#include <QSet>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <chrono>

namespace fairuse::ui {

namespace {
using namespace std::chrono_literals;

/** Visible chart range, and how far back minutes are read so the weekly line is complete from its first point. */
constexpr auto kChartRange = 7 * 24h;
constexpr auto kConversationsSince = 30 * 24h;
constexpr int kConversationLimit = 500;

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

UserView::UserView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_policy(enforcement::Policy::forReview()) {
    buildUi();
    buildActions();
    clearAll();
}

UserView::~UserView() = default;

void UserView::buildUi() {
    setAccessibleName(tr("User details"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

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
    m_eventsView = makeTable(m_tabs, m_eventsModel, tr("Case timeline"));
    m_tabs->addTab(m_eventsView, tr("&Timeline"));

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
    m_printAct = make(tr("Case re&port (PDF)…"), QKeySequence(Qt::CTRL | Qt::Key_P),
                      tr("Save the user's case report as PDF"), &UserView::printReport);

    auto* toolbar = new QToolBar(tr("User actions"), this);
    toolbar->setAccessibleName(tr("User actions"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addActions(actions());
    static_cast<QVBoxLayout*>(layout())->insertWidget(0, toolbar);
}

QList<QAction*> UserView::actions() const {
    return {m_resolveAct, m_overrideAct, m_resetAct, m_exemptAct, m_unexemptAct, m_rerunAct, m_noteAct, m_printAct};
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
}

void UserView::clearAll() {
    m_state.reset();
    m_events.clear();
    m_conversations.clear();
    m_chartMinutes.clear();
    m_haveMinutes = false;
    m_rerunResult.reset();
    m_sttUsedMs.reset();
    m_spend.clear();
    m_errors.clear();
    m_eventsModel->clear();
    m_evidenceModel->clear();
    m_conversationsModel->clear();
    m_header->setText(m_uid.isEmpty() ? tr("No user selected") : tr("User %1").arg(m_uid));
    m_stateLabel->clear();
    m_budgetLabel->clear();
    m_spendLabel->clear();
    m_classifierLabel->clear();
    setStatus({});
    updateActions();
}

void UserView::setStatus(const QString& text) {
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
}

QString UserView::classifierText() const {
    return m_classifierLabel->text();
}

QString UserView::stateText() const {
    return m_stateLabel->text() + QLatin1Char('\n') + m_budgetLabel->text() + QLatin1Char('\n') + m_spendLabel->text();
}

QString UserView::statusText() const {
    return m_status->isHidden() ? QString() : m_status->text();
}

void UserView::reload() {
    if (!m_uid.isEmpty()) {
        showUser(m_uid);
    }
}

void UserView::showUser(const QString& uid) {
    m_uid = uid;
    const quint64 generation = ++m_generation;
    clearAll();
    if (uid.isEmpty() || !m_backend.cases) {
        return;
    }
    setStatus(tr("Loading %1…").arg(uid));
    m_chart->showMessage(tr("Loading speech…"));
    const TimePoint now = models::backendNow(m_backend);
    auto stale = [this, generation] { return generation != m_generation; };
    auto fail = [this](const QString& what, const Error& e) {
        m_errors << tr("Could not load %1: %2").arg(what, e.message);
    };

    m_pending = 4 + (m_backend.usage ? 2 : 0);
    updateActions();

    models::whenFinished(this, m_backend.cases->getState(uid), [this, stale, fail](const Result<FairUseState>& r) {
        if (stale()) {
            return;
        }
        if (r) {
            m_state = r.value();
        } else if (r.error().kind == ErrorKind::NotFound) {
            // No state document: a user who was never flagged; actions may still create one.
            FairUseState fresh;
            fresh.uid = m_uid;
            m_state = fresh;
        } else {
            fail(tr("the fair-use state"), r.error());
        }
        arrived();
    });
    models::whenFinished(this, m_backend.cases->listEvents(uid),
                         [this, stale, fail](const Result<QList<FairUseEvent>>& r) {
                             if (stale()) {
                                 return;
                             }
                             if (r) {
                                 m_events = r.value();
                                 m_eventsModel->appendRows(m_events);
                             } else {
                                 fail(tr("the cases"), r.error());
                             }
                             arrived();
                         });
    models::whenFinished(this, m_backend.cases->listConversations(uid, now - kConversationsSince, kConversationLimit),
                         [this, stale, fail](const Result<QList<Conversation>>& r) {
                             if (stale()) {
                                 return;
                             }
                             if (r) {
                                 m_conversations = r.value();
                                 m_conversationsModel->appendRows(m_conversations);
                             } else {
                                 fail(tr("the conversations"), r.error());
                             }
                             arrived();
                         });
    models::whenFinished(this, m_backend.cases->listUserSpend(uid, now - std::chrono::hours(24 * 30), now + 1ms),
                         [this, stale, fail](const Result<QList<LlmSpendRecord>>& r) {
                             if (stale()) {
                                 return;
                             }
                             if (r) {
                                 m_spend = r.value();
                             } else {
                                 fail(tr("the LLM spend"), r.error());
                             }
                             arrived();
                         });
    if (m_backend.usage) {
        const TimePoint from = now - kChartRange;
        // A week before the visible range too, so the trailing lines are complete from the first point.
        models::whenFinished(this, m_backend.usage->readMinutes(uid, from - kChartRange, now),
                             [this, stale, fail, from, now](const Result<QList<services::MinuteSample>>& r) {
                                 if (stale()) {
                                     return;
                                 }
                                 if (r) {
                                     // The caps need the plan, which arrives with the state: drawn in arrived() when
                                     // both are here.
                                     m_chartMinutes = r.value();
                                     m_chartFrom = from;
                                     m_chartTo = now;
                                     m_haveMinutes = true;
                                 } else {
                                     fail(tr("the speech minutes"), r.error());
                                     m_chart->showMessage(
                                         tr("Speech could not be loaded from %1.").arg(m_backend.usage->describe()));
                                 }
                                 arrived();
                             });
        models::whenFinished(this, m_backend.usage->readSttBudgetUsedMs(uid, now),
                             [this, stale, fail](const Result<std::int64_t>& r) {
                                 if (stale()) {
                                     return;
                                 }
                                 if (r) {
                                     m_sttUsedMs = r.value();
                                 } else {
                                     fail(tr("the STT budget"), r.error());
                                 }
                                 arrived();
                             });
    } else {
        m_chart->showMessage(tr("No usage store is connected."));
    }
}

void UserView::arrived() {
    if (--m_pending > 0) {
        return;
    }
    showState();
    if (m_haveMinutes && m_state) {
        const Plan plan = effectivePlan(m_state->subscription, models::backendNow(m_backend));
        m_chart->setData(m_chartMinutes, m_chartFrom, m_chartTo, m_policy.capsFor(plan));
    }
    QSet<QString> known;
    for (const Conversation& c : std::as_const(m_conversations)) {
        known.insert(c.id);
    }
    m_evidenceModel->setKnownConversations(known);
    // Select the newest open case with a verdict (what the reviewer works on), else the newest case with one; the
    // timeline selection then switches between cases.
    int row = -1;
    for (int pass = 0; pass < 2 && row < 0; ++pass) {
        for (int i = 0; i < m_events.size(); ++i) {
            if (m_events.at(i).classifier && (pass == 1 || !m_events.at(i).resolved)) {
                row = i;
                break;
            }
        }
    }
    if (row >= 0) {
        m_eventsView->selectRow(row);
    }
    showEvidenceForSelection();
    if (m_errors.isEmpty()) {
        setStatus({});
    } else {
        setStatus(m_errors.join(QLatin1Char('\n')) + QLatin1Char('\n') +
                  tr("Check the connection (File > Connection profiles) and reload (F5)."));
    }
    updateActions();
    Q_EMIT loaded(m_uid);
}

void UserView::showState() {
    if (!m_state) {
        m_header->setText(tr("User %1: state not available").arg(m_uid));
        return;
    }
    const FairUseState& s = *m_state;
    const TimePoint now = models::backendNow(m_backend);
    m_header->setText(
        tr("User %1: %2%3").arg(s.uid, models::stageLabel(s.stage), s.exempt ? tr(" (exempt)") : QString()));
    m_stateLabel->setText(UserSummary::stateText(s, m_events, m_policy, now));
    m_budgetLabel->setText(UserSummary::sttBudgetText(s, m_sttUsedMs, m_policy, now));
    m_spendLabel->setText(UserSummary::spendText(m_spend, effectivePlan(s.subscription, now), now));
}

std::optional<FairUseEvent> UserView::selectedOrOpenEvent() const {
    const QModelIndex current = m_eventsView->currentIndex();
    if (current.isValid() && current.row() < m_events.size()) {
        return m_events.at(current.row());
    }
    for (const FairUseEvent& e : m_events) {
        if (!e.resolved) {
            return e;
        }
    }
    return std::nullopt;
}

void UserView::showEvidenceForSelection() {
    const QModelIndex current = m_eventsView->currentIndex();
    if (current.isValid() && current.row() < m_events.size()) {
        const FairUseEvent& e = m_events.at(current.row());
        m_rerunResult.reset();
        showClassifier(e.classifier, tr("case %1").arg(e.caseRef));
        return;
    }
    if (m_rerunResult) {
        showClassifier(m_rerunResult, tr("re-run (not saved to a case)"));
        return;
    }
    showClassifier(std::nullopt, {});
}

void UserView::showClassifier(const std::optional<ClassifierResult>& result, const QString& origin) {
    if (!result) {
        m_classifierLabel->setText(tr("No classifier verdict for this selection."));
        m_evidenceModel->clear();
        m_conversationsModel->setCited({});
        return;
    }
    const ClassifierResult& r = *result;
    m_classifierLabel->setText(UserSummary::classifierText(r, origin));
    m_evidenceModel->setRows(r.evidence);
    QSet<QString> cited;
    for (const Evidence& e : r.evidence) {
        cited.insert(e.conversationId);
    }
    m_conversationsModel->setCited(cited);
}

void UserView::highlightConversation(const QModelIndex& evidenceIndex) {
    if (!evidenceIndex.isValid()) {
        return;
    }
    const QString id = evidenceIndex.data(models::EvidenceModel::ConversationIdRole).toString();
    const int row = m_conversationsModel->rowOfConversation(id);
    if (row < 0) {
        m_conversationsView->clearSelection();
        setStatus(tr("Conversation %1 is not among the %2 loaded conversations (older than 30 days or deleted).")
                      .arg(id)
                      .arg(m_conversations.size()));
        return;
    }
    setStatus({});
    m_conversationsView->selectRow(row);
    m_conversationsView->scrollTo(m_conversationsModel->index(row, 0), QAbstractItemView::PositionAtCenter);
}

ActionDialog* UserView::openAction(ActionKind kind) {
    if (!m_state || m_pending > 0) {
        setStatus(tr("Wait until the user has loaded."));
        return nullptr;
    }
    std::optional<FairUseEvent> event;
    if (kind == ActionKind::Resolve || kind == ActionKind::AddNote) {
        event = selectedOrOpenEvent();
        if (kind == ActionKind::Resolve && !event) {
            setStatus(tr("%1 has no open case to resolve.").arg(m_uid));
            return nullptr;
        }
    }
    auto* dialog = new ActionDialog(m_backend, m_policy, kind, *m_state, event, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString uid = m_uid;
    connect(dialog, &ActionDialog::applied, this, [this, kind, uid](const CommitResult& result, const ChangeSet&) {
        setStatus(result.alreadyApplied ? tr("This change had already been applied.")
                                        : tr("Applied; audit record #%1.").arg(result.audit.sequence));
        if (m_backend.usage) {
            // The backend caches the stage; make it re-read after a change (best effort, the cache expires anyway).
            (void)m_backend.usage->invalidateStageCache(uid);
        }
        Q_EMIT stateChanged(uid);
        if (kind == ActionKind::RerunClassifier) {
            runClassifier();
        } else {
            reload();
        }
    });
    connect(dialog, &ActionDialog::reloadRequested, this, &UserView::reload);
    dialog->open();
    return dialog;
}

void UserView::resolve() {
    openAction(ActionKind::Resolve);
}
void UserView::overrideStage() {
    openAction(ActionKind::OverrideStage);
}
void UserView::reset() {
    openAction(ActionKind::Reset);
}
void UserView::exempt() {
    openAction(ActionKind::Exempt);
}
void UserView::unexempt() {
    openAction(ActionKind::Unexempt);
}
void UserView::rerunClassifier() {
    openAction(ActionKind::RerunClassifier);
}
void UserView::addNote() {
    openAction(ActionKind::AddNote);
}

void UserView::runClassifier() {
    if (!m_backend.classifier) {
        return;
    }
    const QString uid = m_uid;
    const quint64 generation = m_generation;
    setStatus(tr("Running the classifier (%1)…").arg(m_backend.classifier->describe()));
    models::whenFinished(
        this, m_backend.classifier->classify(uid, m_conversations, models::backendNow(m_backend)),
        [this, uid, generation](const Result<ClassifierResult>& r) {
            if (generation != m_generation) {
                return;
            }
            if (!r) {
                setStatus(tr("The classifier failed: %1 The previous verdicts are unchanged.").arg(r.error().message));
                return;
            }
            setStatus({});
            m_rerunResult = r.value();
            m_eventsView->setCurrentIndex({});
            m_eventsView->clearSelection();
            showClassifier(m_rerunResult, tr("re-run (not saved to a case)"));
            m_tabs->setCurrentIndex(2);
            Q_EMIT classifierRerun(uid);
        });
}

void UserView::printReport() {
    if (!m_state) {
        setStatus(tr("Open a user first."));
        return;
    }
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save case report"), QStringLiteral("case-report-%1.pdf").arg(m_uid), tr("PDF files (*.pdf)"));
    if (!path.isEmpty()) {
        saveReport(path);
    }
}

void UserView::saveReport(const QString& path) {
    if (!m_state || !m_backend.cases) {
        Q_EMIT reportWritten(path, tr("No user is loaded."));
        return;
    }
    CaseReportData data;
    data.state = *m_state;
    data.events = m_events;
    data.conversations = m_conversations;
    const QModelIndex current = m_eventsView->currentIndex();
    if (m_rerunResult) {
        data.classifier = m_rerunResult;
    } else if (current.isValid() && current.row() < m_events.size()) {
        data.classifier = m_events.at(current.row()).classifier;
    } else {
        for (const FairUseEvent& e : std::as_const(m_events)) {
            if (e.classifier) {
                data.classifier = e.classifier;
                break;
            }
        }
    }
    data.chart = m_chart->renderImage(QSize(900, 420));
    data.generatedBy = m_backend.reviewer.email;
    data.generatedAt = models::backendNow(m_backend);
    data.policyLabel = m_policy.label();
    data.stateText =
        m_stateLabel->text() + QLatin1Char('\n') + m_budgetLabel->text() + QLatin1Char('\n') + m_spendLabel->text();
    services::AuditFilter filter;
    filter.uid = m_uid;
    models::whenFinished(this, m_backend.cases->listAudit(filter),
                         [this, data, path](const Result<QList<AuditRecord>>& audit) mutable {
                             QString error;
                             if (audit) {
                                 data.audit = audit.value();
                             } else {
                                 data.auditError = audit.error().message;
                             }
                             const Status written = writeCaseReportPdf(data, path);
                             if (!written) {
                                 error = written.error().message;
                                 setStatus(tr("Could not write the case report: %1").arg(error));
                             } else {
                                 setStatus(tr("Case report saved to %1").arg(path));
                             }
                             Q_EMIT reportWritten(path, error);
                         });
}

} // namespace fairuse::ui
