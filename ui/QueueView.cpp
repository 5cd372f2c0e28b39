#include "QueueView.h"

#include "CaseClaims.h"
#include "FilterBar.h"
#include "FutureWatch.h"
#include "QueueCasework.h"
#include "QueueModel.h"
#include "QueueProxy.h"

#include "audit/CaseRef.h"

#include <QComboBox>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace fairuse::ui {

namespace {

/** Enter on the table activates the current row instead of starting an edit. */
class QueueTable : public QTableView {
public:
    using QTableView::QTableView;
    std::function<void()> onActivate;

protected:
    void keyPressEvent(QKeyEvent* event) override {
        if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && onActivate) {
            onActivate();
            return;
        }
        QTableView::keyPressEvent(event);
    }
};

} // namespace

QSortFilterProxyModel* QueueView::proxy() const {
    return m_proxy;
}

bool looksLikeCaseRef(const QString& text) {
    return !normaliseCaseRef(text).isEmpty();
}

QueueView::QueueView(models::Backend& backend, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_model(new models::QueueModel(backend, this))
    , m_proxy(new QueueProxy(this))
    , m_filterBar(new FilterBar(this))
    , m_table(new QueueTable(this)) {
    m_proxy->setDynamicSortFilter(false);
    m_proxy->setSourceModel(m_model);

    m_table->setModel(m_proxy);
    m_table->setAccessibleName(tr("Queue of flagged users"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSortingEnabled(true);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    // Fixed row heights keep scrolling through 100,000 rows cheap (no per-row size hints).
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->setTextElideMode(Qt::ElideMiddle);    // user ids differ at both ends
    m_table->sortByColumn(-1, Qt::AscendingOrder); // store order (most recently updated first) until a click
    fitColumns();
    static_cast<QueueTable*>(m_table)->onActivate = [this] {
        const QString uid = currentUid();
        if (!uid.isEmpty()) {
            Q_EMIT userActivated(uid);
        }
    };

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_table, 1);

    connect(m_filterBar, &FilterBar::filterChanged, this, [this] { m_model->setFilter(m_filterBar->filter()); });
    connect(m_filterBar, &FilterBar::searchRequested, this, &QueueView::search);
    connect(m_filterBar, &FilterBar::claimViewChanged, this,
            [this](int view) { m_proxy->setClaimView(static_cast<QueueProxy::ClaimView>(view)); });
    connect(m_filterBar, &FilterBar::caseworkViewChanged, this,
            [this](int view) { m_proxy->setCaseworkView(static_cast<QueueProxy::CaseworkView>(view)); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid()) {
                    Q_EMIT currentUserChanged(current.data(models::QueueModel::UidRole).toString());
                }
            });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        Q_EMIT userActivated(index.data(models::QueueModel::UidRole).toString());
    });
}

void QueueView::fitColumns() {
    using M = models::QueueModel;
    QHeaderView* header = m_table->horizontalHeader();
    const QFontMetrics cells = m_table->fontMetrics();
    const QFontMetrics heads = header->fontMetrics();
    // Cell margins on both sides; a header needs its margins and room for the sort arrow.
    const int padding = 2 * (m_table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_table) + 1) + 4;
    const int arrow = 2 * m_table->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header) +
                      m_table->style()->pixelMetric(QStyle::PM_HeaderMarkSize, nullptr, header) + 2;
    const QLocale locale;
    const QString hours = M::tr("%1h").arg(locale.toString(88.8, 'f', 1));
    const QString speech = M::tr("%1 %2%").arg(hours).arg(888);
    const QList<QPair<int, QStringList>> samples = {
        {M::StageColumn, {M::tr("warning"), M::tr("throttle"), M::tr("restrict")}},
        {M::ScoreColumn, {locale.toString(0.88, 'f', 2)}},
        {M::UsageTypeColumn, {toString(UsageType::Prerecorded), toString(UsageType::Commercial)}},
        {M::DailyColumn, {speech}},
        {M::ThreeDayColumn, {speech}},
        {M::WeeklyColumn, {speech}},
        {M::OpenCasesColumn, {QStringLiteral("88")}},
        {M::OldestOpenColumn, {M::tr("%1d %2h").arg(28).arg(23)}},
        // Longer actions ("rerun classifier") are elided; the tooltip has them in full.
        {M::LastActionColumn, {toString(AuditAction::OverrideStage).replace(QLatin1Char('_'), QLatin1Char(' '))}},
        {M::UpdatedColumn, {QStringLiteral("08-28 08:08"), QStringLiteral("2088-08-28")}},
    };
    for (const auto& [column, texts] : samples) {
        int width = heads.horizontalAdvance(m_model->headerData(column, Qt::Horizontal).toString()) + arrow;
        for (const QString& text : texts) {
            width = std::max(width, cells.horizontalAdvance(text) + padding);
        }
        header->setSectionResizeMode(column, QHeaderView::Interactive);
        m_table->setColumnWidth(column, width);
    }
    // The user id takes what is left (elided in the middle, full id in the tooltip), but never less than enough to
    // tell users apart: in a narrow pane the rarer columns on the right scroll instead.
    header->setStretchLastSection(false);
    header->setSectionResizeMode(M::UserColumn, QHeaderView::Interactive);
    m_table->viewport()->installEventFilter(this);
    fitUserColumn();
}

void QueueView::fitUserColumn() {
    using M = models::QueueModel;
    int others = 0;
    for (int c = 0; c < M::ColumnCount; ++c) {
        if (c != M::UserColumn && !m_table->isColumnHidden(c)) {
            others += m_table->columnWidth(c);
        }
    }
    const int minimum = m_table->fontMetrics().horizontalAdvance(QStringLiteral("RT9HbGB\u2026PacARF")) + 12;
    m_table->setColumnWidth(M::UserColumn, std::max(minimum, m_table->viewport()->width() - others));
}

bool QueueView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_table->viewport() && event->type() == QEvent::Resize) {
        fitUserColumn();
    }
    return QWidget::eventFilter(watched, event);
}

QString QueueView::currentUid() const {
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.data(models::QueueModel::UidRole).toString() : QString();
}

QList<services::QueueRow> QueueView::selectedRows() const {
    QModelIndexList rows = m_table->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    QList<services::QueueRow> out;
    out.reserve(rows.size());
    for (const QModelIndex& index : rows) {
        out.append(m_model->rowAt(m_proxy->mapToSource(index).row()));
    }
    return out;
}

bool QueueView::selectUid(const QString& uid) {
    const int sourceRow = m_model->rowOfUid(uid);
    if (sourceRow < 0) {
        return false;
    }
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(sourceRow, 0));
    if (!index.isValid()) {
        return false;
    }
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

void QueueView::step(int delta) {
    const int rows = m_proxy->rowCount();
    if (rows == 0) {
        return;
    }
    const QModelIndex current = m_table->currentIndex();
    const int row = current.isValid() ? std::clamp(current.row() + delta, 0, rows - 1) : 0;
    const QModelIndex next = m_proxy->index(row, current.isValid() ? current.column() : 0);
    m_table->selectionModel()->setCurrentIndex(next, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(next);
}

void QueueView::openFound(const QString& uid, const QString& what) {
    if (selectUid(uid)) {
        Q_EMIT message(tr("Found %1.").arg(what));
    } else {
        Q_EMIT message(tr("Found %1; the user is not in the queue with the current filters.").arg(what));
    }
    Q_EMIT userActivated(uid);
}

void QueueView::search(const QString& rawText) {
    const QString text = rawText.trimmed();
    if (text.isEmpty()) {
        return;
    }
    if (looksLikeCaseRef(text)) {
        if (!m_backend.cases) {
            return;
        }
        models::whenFinished(
            this, m_backend.cases->findByCaseRef(text), [this, text](const Result<FairUseEvent>& event) {
                if (!event.ok()) {
                    Q_EMIT message(event.error().kind == ErrorKind::NotFound
                                       ? tr("No case %1. Check the reference (FU- and 12 hex digits).").arg(text)
                                       : tr("Could not look up case %1: %2").arg(text, event.error().message));
                    return;
                }
                openFound(event->uid, tr("case %1 of user %2").arg(event->caseRef, event->uid));
            });
        return;
    }
    if (selectUid(text)) {
        Q_EMIT message(tr("Found user %1.").arg(text));
        Q_EMIT userActivated(text);
        return;
    }
    if (!m_backend.cases) {
        return;
    }
    // Not loaded (filtered out, or still loading): ask the store whether the user exists at all.
    models::whenFinished(this, m_backend.cases->getState(text), [this, text](const Result<FairUseState>& state) {
        if (!state.ok()) {
            Q_EMIT message(state.error().kind == ErrorKind::NotFound
                               ? tr("No flagged user or case matches \"%1\".").arg(text)
                               : tr("Could not look up user %1: %2").arg(text, state.error().message));
            return;
        }
        openFound(state->uid, tr("user %1").arg(state->uid));
    });
}

void QueueView::focusSearch() {
    m_filterBar->searchEdit()->setFocus(Qt::ShortcutFocusReason);
    m_filterBar->searchEdit()->selectAll();
}

void QueueView::setClaims(models::CaseClaims* claims) {
    m_claims = claims;
    m_proxy->setClaims(claims);
    m_filterBar->claimBox()->setVisible(claims != nullptr);
}

void QueueView::setClaimView(int view) {
    m_proxy->setClaimView(static_cast<QueueProxy::ClaimView>(view));
    const QSignalBlocker quiet(m_filterBar->claimBox());
    m_filterBar->claimBox()->setCurrentIndex(view);
}

void QueueView::setCasework(models::QueueCasework* casework) {
    m_casework = casework;
    m_proxy->setCasework(casework);
    m_filterBar->caseworkBox()->setVisible(casework != nullptr);
}

void QueueView::setCaseworkView(int view) {
    m_proxy->setCaseworkView(static_cast<QueueProxy::CaseworkView>(view));
    const QSignalBlocker quiet(m_filterBar->caseworkBox());
    m_filterBar->caseworkBox()->setCurrentIndex(view);
}

bool QueueView::nextUnclaimed() {
    if (!m_claims || !m_claims->supported()) {
        Q_EMIT message(tr("This store keeps no claims; every case is unclaimed."));
        return false;
    }
    // Oldest open case first; rows whose cases are not read yet (Firestore reads them for painted rows) come after.
    int best = -1;
    std::optional<TimePoint> bestAt;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const services::QueueRow& r = m_model->rowAt(m_proxy->mapToSource(m_proxy->index(row, 0)).row());
        if (m_claims->holderOf(r.state.uid) != casework::ClaimHolder::Nobody) {
            continue;
        }
        if (r.detailsKnown && r.openCases == 0) {
            continue;
        }
        const std::optional<TimePoint> at = r.detailsKnown ? r.oldestOpenCaseAt : std::nullopt;
        if (best < 0 || (at && (!bestAt || *at < *bestAt))) {
            best = row;
            bestAt = at;
        }
    }
    if (best < 0) {
        Q_EMIT message(tr("No unclaimed open case in the queue as filtered."));
        return false;
    }
    const QModelIndex index = m_proxy->index(best, 0);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    Q_EMIT userActivated(index.data(models::QueueModel::UidRole).toString());
    return true;
}

void QueueView::refresh() {
    m_model->refresh();
    if (m_casework) {
        m_casework->refresh();
    }
}

} // namespace fairuse::ui
