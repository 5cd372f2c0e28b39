#include "QueueProxy.h"

#include "CaseClaims.h"
#include "QueueCasework.h"
#include "QueueModel.h"
#include "casework/Casework.h"
#include "casework/Claims.h"

#include <QDateTime>
#include <QFont>
#include <QPainter>
#include <QPixmap>

namespace fairuse::ui {

namespace {

/** A dot before the user id. */
QPixmap dot(const QColor& color) {
    QPixmap pixmap(10, 10);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawEllipse(1, 1, 8, 8);
    return pixmap;
}

} // namespace

void QueueProxy::setClaims(models::CaseClaims* claims) {
    if (m_claims) {
        disconnect(m_claims, nullptr, this, nullptr);
    }
    m_claims = claims;
    if (m_claims && m_mineMarker.isNull()) {
        m_mineMarker = dot(QColor(0x2e, 0x7d, 0x32));  // green: this reviewer's claim
        m_otherMarker = dot(QColor(0xef, 0x8f, 0x00)); // amber: a colleague's
    }
    if (m_claims) {
        connect(m_claims, &models::CaseClaims::changed, this, &QueueProxy::claimsChanged);
    }
    claimsChanged();
}

void QueueProxy::setClaimView(ClaimView view) {
    if (view == m_view) {
        return;
    }
    m_view = view;
    invalidateFilter();
}

void QueueProxy::sort(int column, Qt::SortOrder order) {
    if (sourceModel()) {
        sourceModel()->sort(column, order);
    }
}

void QueueProxy::claimsChanged() {
    if (m_view != ClaimView::All) {
        invalidateFilter();
    }
    if (rowCount() > 0) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1),
                           {Qt::DecorationRole, Qt::ToolTipRole, Qt::FontRole});
    }
}

void QueueProxy::setCasework(models::QueueCasework* casework) {
    if (m_casework) {
        disconnect(m_casework, nullptr, this, nullptr);
    }
    m_casework = casework;
    if (m_casework) {
        connect(m_casework, &models::QueueCasework::changed, this, [this] {
            invalidateFilter();
            if (rowCount() > 0) {
                Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1),
                                   {Qt::BackgroundRole, Qt::ToolTipRole, Qt::FontRole, CaseworkMarkerRole});
            }
        });
    }
    invalidateFilter();
}

void QueueProxy::setCaseworkView(CaseworkView view) {
    if (view == m_caseworkView) {
        return;
    }
    m_caseworkView = view;
    invalidateFilter();
}

QString QueueProxy::caseworkMarker(int sourceRow) const {
    const auto* queue = qobject_cast<const models::QueueModel*>(sourceModel());
    if (!m_casework || !queue || sourceRow < 0 || sourceRow >= queue->rowCount()) {
        return {};
    }
    const FairUseState& state = queue->rowAt(sourceRow).state;
    const std::optional<Casework> work = m_casework->caseworkOf(state.uid);
    if (!work) {
        return {};
    }
    if (work->escalated()) {
        return QStringLiteral("escalated");
    }
    switch (m_casework->snoozeStateOf(state)) {
    case casework::SnoozeState::Snoozed:
        return QStringLiteral("snoozed");
    case casework::SnoozeState::Returned:
        return QStringLiteral("returned");
    case casework::SnoozeState::None:
        break;
    }
    return {};
}

bool QueueProxy::acceptedByCasework(int sourceRow) const {
    if (!m_casework || !m_casework->supported() || m_caseworkView == CaseworkView::All) {
        return true;
    }
    const auto* queue = qobject_cast<const models::QueueModel*>(sourceModel());
    if (!queue) {
        return true;
    }
    const FairUseState& state = queue->rowAt(sourceRow).state;
    const std::optional<Casework> work = m_casework->caseworkOf(state.uid);
    const bool snoozed = m_casework->snoozeStateOf(state) == casework::SnoozeState::Snoozed;
    switch (m_caseworkView) {
    case CaseworkView::Active:
        return !snoozed;
    case CaseworkView::Escalated:
        return work && work->escalated();
    case CaseworkView::Snoozed:
        return snoozed;
    case CaseworkView::All:
        break;
    }
    return true;
}

bool QueueProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    if (!acceptedByCasework(sourceRow)) {
        return false;
    }
    if (m_view == ClaimView::All || !m_claims || !m_claims->supported()) {
        return true;
    }
    const QString uid = sourceModel()->index(sourceRow, 0, sourceParent).data(models::QueueModel::UidRole).toString();
    const casework::ClaimHolder holder = m_claims->holderOf(uid);
    return m_view == ClaimView::Mine ? holder == casework::ClaimHolder::Me : holder == casework::ClaimHolder::Nobody;
}

QVariant QueueProxy::data(const QModelIndex& index, int role) const {
    if (role == CaseworkMarkerRole) {
        return index.isValid() ? caseworkMarker(mapToSource(index).row()) : QString();
    }
    const QVariant value = claimData(index, role);
    if (!m_casework || !index.isValid() ||
        (role != Qt::BackgroundRole && role != Qt::ToolTipRole && role != Qt::FontRole)) {
        return value;
    }
    const QString marker = caseworkMarker(mapToSource(index).row());
    if (marker.isEmpty() || marker == QLatin1String("snoozed")) {
        return value;
    }
    const bool escalated = marker == QLatin1String("escalated");
    switch (role) {
    case Qt::BackgroundRole:
        return escalated ? QVariant(QColor(0xfd, 0xe7, 0xe4)) : value; // light red: waiting for a senior
    case Qt::FontRole: {
        if (escalated) {
            return value;
        }
        QFont font = value.isValid() ? value.value<QFont>() : QFont();
        font.setBold(true);
        return font;
    }
    case Qt::ToolTipRole: {
        const std::optional<Casework> work = m_casework->caseworkOf(index.data(models::QueueModel::UidRole).toString());
        const QString what = escalated ? casework::describeEscalation(*work)
                                       : tr("Returned from snooze (%1)").arg(casework::describeSnooze(*work));
        return value.toString().isEmpty() ? what : value.toString() + QLatin1Char('\n') + what;
    }
    default:
        return value;
    }
}

QVariant QueueProxy::claimData(const QModelIndex& index, int role) const {
    const QVariant base = QSortFilterProxyModel::data(index, role);
    if (!m_claims || !index.isValid() ||
        (role != Qt::DecorationRole && role != Qt::ToolTipRole && role != Qt::FontRole)) {
        return base;
    }
    const QString uid = index.data(models::QueueModel::UidRole).toString();
    const std::optional<CaseClaim> claim = m_claims->claimOf(uid);
    if (!claim) {
        return base;
    }
    const bool mine = m_claims->holderOf(uid) == casework::ClaimHolder::Me;
    switch (role) {
    case Qt::DecorationRole:
        return index.column() == models::QueueModel::UserColumn ? (mine ? m_mineMarker : m_otherMarker) : base;
    case Qt::ToolTipRole: {
        const QString who = mine ? tr("You are reviewing this case since %1 (UTC).")
                                       .arg(QDateTime::fromMSecsSinceEpoch(toUnixMs(claim->claimedAt), Qt::UTC)
                                                .toString(QStringLiteral("HH:mm")))
                                 : casework::describeClaim(*claim);
        return base.toString().isEmpty() ? who : base.toString() + QLatin1Char('\n') + who;
    }
    case Qt::FontRole: {
        if (mine) {
            return base;
        }
        QFont font = base.isValid() ? base.value<QFont>() : QFont();
        font.setItalic(true);
        return font;
    }
    default:
        return base;
    }
}

} // namespace fairuse::ui
