#include "UserView.h"

#include "CaseClaims.h"
#include "ClaimBanner.h"
#include "casework/Appeals.h"
#include "casework/Claims.h"

#include "BulkResolver.h"
#include "CaseHeader.h"
#include "CasePage.h"
#include "CaseReport.h"
#include "ConversationsModel.h"
#include "DetailFormat.h"
#include "EventsModel.h"
#include "EvidenceModel.h"
#include "FutureWatch.h"
#include "SpeechChart.h"
#include "UserSummary.h"
#include "common/Subscription.h"

#include <QFileDialog>
#include <QLabel>
#include <QSet>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <chrono>
#include <functional>

namespace fairuse::ui {

namespace {
using namespace std::chrono_literals;

/** Visible chart range, and how far back minutes are read so the weekly line is complete from its first point. */
constexpr auto kChartRange = 7 * 24h;
constexpr auto kConversationsSince = 30 * 24h;
constexpr int kConversationLimit = 500;
/** Audit records of the user read for the timeline: the newest this many. */
constexpr int kAuditForTimeline = 200;

} // namespace

UserView::UserView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_policy(backend.policy) {
    buildUi();
    buildActions();
    buildCasework();
    clearAll();
}

UserView::~UserView() = default;

void UserView::clearAll() {
    m_state.reset();
    m_events.clear();
    m_appeals.clear();
    m_audit.clear();
    m_timelineView->clear();
    m_notes.clear();
    m_casework.reset();
    m_conversations.clear();
    m_speech.reset();
    m_shownVerdict.reset();
    m_conversationDetail->clear();
    m_caseStrip->clear();
    m_chartMinutes.reset();
    m_rerunResult.reset();
    m_sttUsedMs.reset();
    m_spend.clear();
    m_errors.clear();
    m_eventsModel->clear();
    m_evidenceModel->clear();
    m_conversationsModel->clear();
    m_caseHeader->showTitle(m_uid.isEmpty() ? tr("No user selected") : tr("User %1").arg(m_uid));
    m_stateLabel->clear();
    m_budgetLabel->clear();
    m_spendLabel->clear();
    m_classifierLabel->clear();
    setStatus({});
    updateActions();
    showCasework();
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

    m_pending = 8 + (m_backend.usage ? 3 : 0);
    updateActions();

    models::whenFinished(this, m_backend.cases->getState(uid), [this, stale](const Result<FairUseState>& r) {
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
            m_errors << tr("Could not load %1: %2").arg(tr("the fair-use state"), r.error().message);
        }
        arrived();
    });
    // Every answer but the state's: dropped when another user was shown since, listed in the status when it failed.
    const auto load = [this, stale](auto future, const QString& what, auto onValue,
                                    std::function<void()> onFailure = {}) {
        models::whenFinished(this, std::move(future), [this, stale, what, onValue, onFailure](const auto& r) {
            if (stale()) {
                return;
            }
            if (r) {
                onValue(r.value());
            } else {
                m_errors << tr("Could not load %1: %2").arg(what, r.error().message);
                if (onFailure) {
                    onFailure();
                }
            }
            arrived();
        });
    };
    load(m_backend.cases->listEvents(uid), tr("the cases"), [this](const QList<FairUseEvent>& events) {
        m_events = events;
        m_eventsModel->appendRows(m_events);
        m_eventsView->resizeColumnsToContents(); // the resolution, last, takes the rest
    });
    models::whenFinished(this, m_backend.cases->listAppeals(uid), [this, stale](const Result<QList<Appeal>>& r) {
        if (stale()) {
            return;
        }
        if (r) {
            m_appeals = r.value();
        } else if (r.error().kind != ErrorKind::Unavailable) {
            // A store that keeps no appeals has none to show; any other failure is reported.
            m_errors << tr("Could not load %1: %2").arg(tr("the appeals"), r.error().message);
        }
        arrived();
    });
    loadCasework(uid, generation);
    services::AuditFilter auditFilter;
    auditFilter.uid = uid;
    auditFilter.limit = kAuditForTimeline;
    models::whenFinished(this, m_backend.cases->listAudit(auditFilter),
                         [this, stale](const Result<QList<AuditRecord>>& r) {
                             if (stale()) {
                                 return;
                             }
                             if (r) {
                                 m_audit = r.value();
                             } else if (r.error().kind != ErrorKind::Unavailable) {
                                 m_errors << tr("Could not load %1: %2").arg(tr("the audit trail"), r.error().message);
                             }
                             arrived();
                         });
    load(m_backend.cases->listConversations(uid, now - kConversationsSince, kConversationLimit),
         tr("the conversations"), [this](const QList<Conversation>& conversations) {
             m_conversations = conversations;
             m_conversationsModel->appendRows(m_conversations);
         });
    load(m_backend.cases->listUserSpend(uid, now - std::chrono::hours(24 * 30), now + 1ms), tr("the LLM spend"),
         [this](const QList<LlmSpendRecord>& spend) { m_spend = spend; });
    if (m_backend.usage) {
        const TimePoint from = now - kChartRange;
        // A week before the visible range too, so the trailing lines are complete from the first point. The caps
        // need the plan, which arrives with the state: the chart is drawn in arrived() when both are here.
        load(
            m_backend.usage->readMinutes(uid, from - kChartRange, now), tr("the speech minutes"),
            [this, from, now](const QList<services::MinuteSample>& minutes) {
                m_chartMinutes = ChartMinutes{minutes, from, now};
            },
            [this] {
                m_chart->showMessage(tr("Speech could not be loaded from %1.").arg(m_backend.usage->describe()));
            });
        load(m_backend.usage->readSttBudgetUsedMs(uid, now), tr("the STT budget"),
             [this](std::int64_t usedMs) { m_sttUsedMs = usedMs; });
        load(m_backend.usage->readSpeech(uid, now), tr("the speech totals"),
             [this](const services::SpeechReading& reading) { m_speech = reading.totals; });
    } else {
        m_chart->showMessage(tr("No usage store is connected."));
    }
}

void UserView::arrived() {
    if (--m_pending > 0) {
        return;
    }
    showState();
    showTimeline();
    showCasework();
    if (m_chartMinutes && m_state) {
        const Plan plan = effectivePlan(m_state->subscription, models::backendNow(m_backend));
        m_chart->setData(m_chartMinutes->minutes, m_chartMinutes->from, m_chartMinutes->to, m_policy.capsFor(plan));
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
    claimShownCase();
    if (m_errors.isEmpty()) {
        setStatus({});
    } else {
        setStatus(m_errors.join(QLatin1Char('\n')) + QLatin1Char('\n') +
                  tr("Check the connection (File > Connection profiles) and reload (F5)."));
    }
    updateActions();
    updateCaseworkActions();
    Q_EMIT loaded(m_uid);
}

void UserView::showState() {
    if (!m_state) {
        m_caseHeader->showTitle(tr("User %1: state not available").arg(m_uid));
        return;
    }
    const FairUseState& s = *m_state;
    const TimePoint now = models::backendNow(m_backend);
    showHeader();
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
        m_caseStrip->setText(models::caseSummary(e));
        showClassifier(e.classifier, tr("case %1").arg(e.caseRef));
        return;
    }
    m_caseStrip->setText(m_events.isEmpty() ? tr("No cases.") : tr("No case selected."));
    if (m_rerunResult) {
        showClassifier(m_rerunResult, tr("re-run (not saved to a case)"));
        return;
    }
    showClassifier(std::nullopt, {});
}

void UserView::showClassifier(const std::optional<ClassifierResult>& result, const QString& origin) {
    m_shownVerdict = result;
    m_conversationDetail->clear();
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
    showConversationDetail(m_conversationsModel->index(row, 0));
}

ActionDialog* UserView::openAction(ActionKind kind) {
    if (!m_state || m_pending > 0) {
        setStatus(tr("Wait until the user has loaded."));
        return nullptr;
    }
    std::optional<FairUseEvent> event;
    std::optional<Appeal> appeal;
    if (kind == ActionKind::Resolve || kind == ActionKind::AddNote) {
        event = selectedOrOpenEvent();
        if (kind == ActionKind::Resolve && !event) {
            setStatus(tr("%1 has no open case to resolve.").arg(m_uid));
            return nullptr;
        }
        if (kind == ActionKind::Resolve) {
            appeal = casework::openAppeal(m_appeals, event->caseRef);
        }
    }
    if (kind == ActionKind::DecideAppeal) {
        appeal = casework::openAppeal(m_appeals);
        if (!appeal) {
            setStatus(tr("%1 has no open appeal.").arg(m_uid));
            return nullptr;
        }
        for (const FairUseEvent& e : std::as_const(m_events)) {
            if (!appeal->caseRef.isEmpty() && e.caseRef == appeal->caseRef) {
                event = e;
            }
        }
    }
    auto* dialog = new ActionDialog(m_backend, m_policy, kind, *m_state, event, this);
    if (appeal) {
        dialog->setAppeal(*appeal);
    }
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_claims) {
        dialog->setClaim(m_claims->claimOf(m_uid));
    }
    dialog->setCasework(m_casework);
    const QString uid = m_uid;
    connect(dialog, &ActionDialog::applied, this,
            [this, kind, uid](const CommitResult& result, const ChangeSet& change) {
                if (m_claims && change.claimChange && change.claimChange->release) {
                    m_claims->forget(uid);
                }
                setStatus(result.alreadyApplied ? tr("This change had already been applied.")
                                                : tr("Applied; audit record #%1.").arg(result.audit.sequence));
                if (m_backend.usage) {
                    // The backend caches the stage; make it re-read after a change (best effort, the cache expires
                    // anyway).
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
void UserView::decideAppeal() {
    openAction(ActionKind::DecideAppeal);
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
            m_tabs->setCurrentIndex(0);
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
    data.stateText = stateText();
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

void UserView::setClaims(models::CaseClaims* claims) {
    m_claims = claims;
    delete m_claimBanner;
    m_claimBanner = nullptr;
    if (!m_claims) {
        return;
    }
    m_claimBanner = new ClaimBanner(*m_claims, m_backend.reviewer.role, this);
    m_layout->insertWidget(1, m_claimBanner);
    m_claimBanner->setUser(m_state);
    connect(m_claims, &models::CaseClaims::refused, this, [this](const QString& uid, const QString& message) {
        if (uid == m_uid) {
            setStatus(tr("Claim: %1").arg(message));
        }
    });
}

void UserView::claimShownCase() {
    if (!m_claims) {
        return;
    }
    m_claimBanner->setUser(m_state);
    if (!m_state) {
        return;
    }
    const TimePoint now = models::backendNow(m_backend);
    const auto open =
        std::find_if(m_events.cbegin(), m_events.cend(), [](const FairUseEvent& e) { return !e.resolved; });
    // Only an open case is worked: once it is decided, showing the user again claims nothing.
    const bool flagged = open != m_events.cend();
    const casework::ClaimHolder holder = casework::holderOf(m_claims->claimOf(m_uid), m_backend.reviewer, now);
    if (!flagged || holder == casework::ClaimHolder::SomeoneElse) {
        // Not a case to work, or a colleague's: claim nothing, and release ours on the user shown before, or on this
        // user once their case is decided (a claim that landed after the decision must not sit on a closed case).
        if (m_claims->mine() && (m_claims->mine()->uid != m_uid || !flagged)) {
            m_claims->release();
        }
        return;
    }
    m_claims->claim(*m_state, open != m_events.cend() ? open->caseRef : QString());
}

} // namespace fairuse::ui
