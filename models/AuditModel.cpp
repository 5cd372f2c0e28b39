#include "AuditModel.h"

#include "AuditChainCheck.h"
#include "AuditPager.h"
#include "DetailFormat.h"

#include <QColor>

namespace fairuse::models {

namespace {

using State = RecordVerdict::State;
using Fault = RecordVerdict::Fault;

bool filters(const services::AuditFilter& f) {
    return !f.reviewer.isEmpty() || !f.uid.isEmpty() || f.action || f.from || f.to;
}

QString wireName(State s) {
    switch (s) {
    case State::Pending:
        return QStringLiteral("pending");
    case State::Verified:
        return QStringLiteral("verified");
    case State::HashOnly:
        return QStringLiteral("hash_only");
    case State::Broken:
        return QStringLiteral("broken");
    }
    return {};
}

QColor stateColor(State s) {
    switch (s) {
    case State::Verified:
        return QColor(0x2e, 0x7d, 0x32);
    case State::Broken:
        return QColor(0xc6, 0x28, 0x28);
    case State::HashOnly:
        return QColor(0x79, 0x86, 0xcb);
    case State::Pending:
        break;
    }
    return QColor(0x9e, 0x9e, 0x9e);
}

} // namespace

AuditModel::AuditModel(QObject* parent)
    : QAbstractTableModel(parent) {}

AuditModel::AuditModel(Backend& backend, QObject* parent)
    : QAbstractTableModel(parent)
    , m_backend(&backend)
    , m_pager(new AuditPager(backend, this))
    , m_check(new AuditChainCheck(this)) {
    connect(m_pager, &AuditPager::loadingChanged, this, [this](bool loading) {
        Q_EMIT loadingChanged(loading);
        Q_EMIT summaryChanged();
        maybeSettled();
    });
    connect(m_pager, &AuditPager::headRead, this, [this](const services::AuditHead& head) {
        m_head = head;
        m_headKnown = true;
        m_check->setHead(head);
        Q_EMIT summaryChanged();
    });
    connect(m_pager, &AuditPager::headFailed, this, [this](const QString& message) {
        m_headError = message;
        m_check->headUnavailable();
        Q_EMIT summaryChanged();
    });
    connect(m_pager, &AuditPager::pageRead, this, &AuditModel::onPage);
    connect(m_pager, &AuditPager::pageFailed, this, [this](const QString& message) {
        m_loadError = message;
        Q_EMIT loadFailed(message);
        Q_EMIT summaryChanged();
        maybeSettled();
    });
    connect(m_check, &AuditChainCheck::verified, this, &AuditModel::onVerified);
}

AuditModel::~AuditModel() = default;

int AuditModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AuditModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

bool AuditModel::canFetchMore(const QModelIndex& parent) const {
    return !parent.isValid() && m_pager != nullptr && m_loaded && m_pager->hasMore() && !m_pager->isLoading() &&
           !m_pager->hasFailed();
}

void AuditModel::fetchMore(const QModelIndex& parent) {
    if (canFetchMore(parent)) {
        m_pager->fetchNext();
    }
}

void AuditModel::load(const services::AuditFilter& filter) {
    beginResetModel();
    m_rows.clear();
    m_verdicts.clear();
    m_pending = 0;
    m_broken = 0;
    m_firstBroken = -1;
    endResetModel();
    m_loaded = true;
    m_linked = !filters(filter);
    m_head = {};
    m_headKnown = false;
    m_headError.clear();
    m_loadError.clear();
    if (m_pager != nullptr) {
        m_check->reset(m_linked);
        m_pager->start(filter, m_pageSize, m_linked);
    }
    Q_EMIT summaryChanged();
    maybeSettled();
}

void AuditModel::retry() {
    if (m_pager != nullptr && m_pager->hasFailed()) {
        m_loadError.clear();
        m_pager->retry();
        Q_EMIT summaryChanged();
    }
}

void AuditModel::appendRows(const QList<AuditRecord>& newestFirst) {
    if (newestFirst.isEmpty()) {
        return;
    }
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(newestFirst.size()) - 1);
    m_rows.append(newestFirst);
    m_verdicts.resize(m_rows.size());
    m_pending += static_cast<int>(newestFirst.size());
    endInsertRows();
}

void AuditModel::onPage(const QList<AuditRecord>& newestFirst, bool more) {
    Q_UNUSED(more)
    m_loadError.clear();
    const qsizetype first = m_rows.size();
    appendRows(newestFirst);
    m_check->addPage(first, newestFirst);
    Q_EMIT summaryChanged();
    maybeSettled();
}

void AuditModel::onVerified(qsizetype firstRow, const QList<RecordVerdict>& verdicts) {
    const qsizetype last = std::min(firstRow + verdicts.size(), m_verdicts.size()) - 1;
    if (firstRow < 0 || last < firstRow) {
        return;
    }
    for (qsizetype row = firstRow; row <= last; ++row) {
        RecordVerdict& v = m_verdicts[row];
        m_pending -= v.state == State::Pending ? 1 : 0;
        m_broken -= v.isBroken() ? 1 : 0;
        v = verdicts.at(row - firstRow);
        m_pending += v.state == State::Pending ? 1 : 0;
        if (v.isBroken()) {
            ++m_broken;
            if (m_firstBroken < 0 || row < m_firstBroken) {
                m_firstBroken = static_cast<int>(row);
            }
        }
    }
    // The verdict shows in the verification column and colours and explains the whole row.
    Q_EMIT dataChanged(index(static_cast<int>(firstRow), 0), index(static_cast<int>(last), ColumnCount - 1),
                       {Qt::DisplayRole, Qt::DecorationRole, Qt::ForegroundRole, Qt::ToolTipRole, RawValueRole,
                        VerdictStateRole, VerdictTextRole});
    Q_EMIT summaryChanged();
    maybeSettled();
}

void AuditModel::maybeSettled() {
    if (!isLoading() && !isVerifying()) {
        Q_EMIT settled();
    }
}

bool AuditModel::isLoading() const {
    return m_pager != nullptr && m_pager->isLoading();
}

bool AuditModel::isVerifying() const {
    return m_pending > 0 || (m_check != nullptr && m_check->isBusy());
}

QVariant AuditModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.parent().isValid() || index.row() >= m_rows.size() || index.column() >= ColumnCount) {
        return {};
    }
    const AuditRecord& r = m_rows.at(index.row());
    const RecordVerdict& v = m_verdicts.at(index.row());
    switch (role) {
    case VerdictStateRole:
        return static_cast<int>(v.state);
    case VerdictTextRole:
        return verdictText(v);
    case RawValueRole:
        switch (index.column()) {
        case SequenceColumn:
            return QVariant::fromValue<qlonglong>(r.sequence);
        case VerificationColumn:
            return wireName(v.state);
        case TimeColumn:
            return QVariant::fromValue<qlonglong>(toUnixMs(r.at));
        case RoleColumn:
            return toString(r.role);
        case ActionColumn:
            return toString(r.action);
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        if (index.column() == ReasonColumn && !v.isBroken()) {
            return r.reason;
        }
        return index.column() == VerificationColumn || v.isBroken() ? verdictText(v) : QVariant();
    case Qt::ForegroundRole:
        return v.isBroken() ? QVariant(stateColor(State::Broken)) : QVariant();
    case Qt::DecorationRole:
        return index.column() == VerificationColumn ? QVariant(stateColor(v.state)) : QVariant();
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case SequenceColumn:
        return QString::number(r.sequence);
    case VerificationColumn:
        switch (v.state) {
        case State::Pending:
            return tr("verifying…");
        case State::Verified:
            return tr("verified");
        case State::HashOnly:
            return tr("hash matches");
        case State::Broken:
            return tr("BROKEN");
        }
        return {};
    case TimeColumn:
        return formatTime(r.at);
    case ReviewerColumn:
        return r.reviewer;
    case RoleColumn:
        return roleName(r.role);
    case ActionColumn:
        return auditActionLabel(r.action);
    case UserColumn:
        return r.uid;
    case CaseColumn:
        return r.caseRef;
    case StagesColumn:
        if (!r.stageBefore && !r.stageAfter) {
            return QString();
        }
        return tr("%1 \u2192 %2")
            .arg(r.stageBefore ? stageLabel(*r.stageBefore) : QStringLiteral("\u2014"),
                 r.stageAfter ? stageLabel(*r.stageAfter) : QStringLiteral("\u2014"));
    case ReasonColumn:
        return QString(r.reason).replace(QLatin1Char('\n'), QStringLiteral(" / "));
    case ClientColumn:
        return r.clientVersion;
    default:
        return {};
    }
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case SequenceColumn:
        return tr("#");
    case VerificationColumn:
        return tr("Chain");
    case TimeColumn:
        return tr("Time");
    case ReviewerColumn:
        return tr("Reviewer");
    case RoleColumn:
        return tr("Role");
    case ActionColumn:
        return tr("Action");
    case UserColumn:
        return tr("User");
    case CaseColumn:
        return tr("Case");
    case StagesColumn:
        return tr("Stage");
    case ReasonColumn:
        return tr("Reason");
    case ClientColumn:
        return tr("Client");
    default:
        return {};
    }
}

QString AuditModel::verdictText(const RecordVerdict& v) {
    switch (v.state) {
    case State::Pending:
        return tr("not verified yet");
    case State::Verified:
        return tr("its hash matches its content and the record above it (or the chain head) names it");
    case State::HashOnly:
        return tr("its hash matches its content; its place in the chain is verified in the unfiltered log");
    case State::Broken:
        break;
    }
    switch (v.fault) {
    case Fault::Invalid:
        return tr("invalid record (%1)").arg(v.detail);
    case Fault::HashMismatch:
        return tr("hash does not match its content (a field was edited)");
    case Fault::NotNamed:
        if (v.namedBy == 0) {
            return tr("it is not the newest record the chain head names (edited and re-hashed, or replaced)");
        }
        return tr("it is not the record #%1 links to (edited and re-hashed, or replaced)").arg(v.namedBy);
    case Fault::Missing:
        if (v.namedBy == 0) {
            return tr("the chain head names #%1, which is missing (records deleted)").arg(v.expectedSequence);
        }
        return tr("#%1 links to #%2, which is missing (records deleted)").arg(v.namedBy).arg(v.expectedSequence);
    case Fault::Unexpected:
        if (v.namedBy == 0) {
            return v.expectedSequence == 0
                       ? tr("the chain head names no record (written without the store)")
                       : tr("it is newer than the chain head #%1 (written without the store)").arg(v.expectedSequence);
        }
        if (v.expectedSequence == 0) {
            return tr("no record can come before #1 (inserted)");
        }
        return tr("#%1 expected below #%2 (record duplicated or reordered)").arg(v.expectedSequence).arg(v.namedBy);
    case Fault::FirstLinked:
        return tr("record #1 links to a record before it");
    case Fault::None:
        break;
    }
    return tr("broken");
}

QString AuditModel::chainSummary() const {
    if (!m_loaded && m_rows.isEmpty()) {
        return tr("Chain not verified yet.");
    }
    if (m_backend != nullptr && !m_backend->cases) {
        return tr("No case store is connected.");
    }
    const int rows = static_cast<int>(m_rows.size());
    QString prefix;
    if (m_linked && !m_headError.isEmpty()) {
        prefix = tr("The chain head could not be read (%1): the newest record is checked against its own hash "
                    "only. ")
                     .arg(m_headError);
    }
    if (rows == 0) {
        if (isLoading() || (m_linked && m_pager != nullptr && !m_headKnown && m_headError.isEmpty())) {
            return tr("Verifying the hash chain…");
        }
        if (hasLoadError()) {
            return tr("Chain not verified: the audit log could not be read.");
        }
        if (!m_linked) {
            return tr("No audit records match the filter.");
        }
        if (m_head.sequence > 0) {
            return prefix + tr("Chain broken: the chain head names record #%1, but the audit log has no records.")
                                .arg(m_head.sequence);
        }
        return prefix + tr("The audit log is empty.");
    }
    if (m_broken > 0) {
        const int fine = rows - m_broken - m_pending;
        QString s = tr("Record #%1 is broken: %2.")
                        .arg(m_rows.at(m_firstBroken).sequence)
                        .arg(verdictText(m_verdicts.at(m_firstBroken)));
        if (m_broken > 1) {
            s += QLatin1Char(' ') + tr("Broken records shown: %1.").arg(m_broken);
        }
        s += QLatin1Char(' ') + (m_linked ? tr("%1 of %2 records shown verify.").arg(fine).arg(rows)
                                          : tr("%1 of %2 records shown match their hashes.").arg(fine).arg(rows));
        if (m_pending > 0) {
            s += QLatin1Char(' ') + tr("Still verifying: %1 records.").arg(m_pending);
        }
        return prefix + s;
    }
    if (m_pending > 0) {
        return prefix +
               tr("Verifying the hash chain… %1 of %2 records shown verified.").arg(rows - m_pending).arg(rows);
    }
    if (!m_linked) {
        return tr("%1 records shown match their hashes; their links in the chain are verified in the unfiltered log.")
            .arg(rows);
    }
    const std::int64_t newest = m_rows.constFirst().sequence;
    const std::int64_t oldest = m_rows.constLast().sequence;
    if (oldest == 1 && (m_pager == nullptr || !m_pager->hasMore())) {
        return prefix + tr("Chain verified: all %1 records up to the head (#%2).").arg(rows).arg(newest);
    }
    return prefix + tr("Chain verified from the head (#%1) down to #%2; older records are verified as they load.")
                        .arg(newest)
                        .arg(oldest);
}

} // namespace fairuse::models
