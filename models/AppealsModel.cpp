#include "AppealsModel.h"

#include "DetailFormat.h"

#include <chrono>

namespace fairuse::models {

int AppealsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString AppealsModel::elided(const QString& message) {
    const QString simplified = message.trimmed();
    const qsizetype newline = simplified.indexOf(QLatin1Char('\n'));
    QString line = newline < 0 ? simplified : simplified.left(newline).trimmed();
    if (line.size() > kElidedMessageChars) {
        line = line.left(kElidedMessageChars).trimmed();
    }
    return line.size() < simplified.size() ? line + QStringLiteral("\u2026") : line;
}

QVariant AppealsModel::data(const QModelIndex& index, int role) const {
    if (!isRowIndex(index)) {
        return {};
    }
    const Appeal& a = m_rows.at(index.row());
    if (role == UidRole) {
        return a.uid;
    }
    if (role == MessageRole || (role == Qt::ToolTipRole && index.column() == MessageColumn)) {
        return a.message;
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case UserColumn:
        return a.uid;
    case WaitingColumn: {
        const auto hours = std::chrono::duration_cast<std::chrono::hours>(m_now - a.createdAt).count();
        if (m_now == TimePoint{} || hours < 0) {
            return formatTime(a.createdAt);
        }
        return hours < 48 ? tr("%1 (%2 h)").arg(formatTime(a.createdAt)).arg(hours)
                          : tr("%1 (%2 days)").arg(formatTime(a.createdAt)).arg(hours / 24);
    }
    case ChannelColumn:
        return appealChannelLabel(a.channel);
    case CaseColumn:
        return a.caseRef.isEmpty() ? tr("current stage") : a.caseRef;
    case MessageColumn:
        return elided(a.message);
    default:
        return {};
    }
}

QVariant AppealsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case UserColumn:
        return tr("User");
    case WaitingColumn:
        return tr("Waiting since");
    case ChannelColumn:
        return tr("Channel");
    case CaseColumn:
        return tr("Contested case");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace fairuse::models
