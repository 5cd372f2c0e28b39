#pragma once

#include "RowListModel.h"
#include "enforcement/ShadowComparison.h"

#include <QCoreApplication>
#include <QSortFilterProxyModel>

namespace fairuse::models {

/**
 * The rows of a shadow comparison (enforcement::compareShadow), in its order (disagreements first): verdict, user,
 * time, what the service would have done, what the backend did, and why they (dis)agree.
 */
class ShadowComparisonModel : public RowListModel<enforcement::ShadowComparisonRow> {
    Q_DECLARE_TR_FUNCTIONS(ShadowComparisonModel)
public:
    enum Column { VerdictColumn, UserColumn, TimeColumn, ServiceColumn, BackendColumn, ReasonColumn, ColumnCount };
    static constexpr int UidRole = Qt::UserRole + 1;
    static constexpr int VerdictRole = Qt::UserRole + 2; ///< int(enforcement::ShadowVerdict)

    using RowListModel::RowListModel;

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /** "Agree", "Service only", "Backend only", "Different stage". */
    static QString verdictLabel(enforcement::ShadowVerdict v);
    /** "312 decisions, 295 agree, 17 disagree (service only 10, backend only 5, different stage 2)". */
    static QString countsText(const enforcement::ShadowComparison& c);
};

/** Narrows a ShadowComparisonModel to one verdict (or every disagreement) and to users whose id contains a text. */
class ShadowComparisonFilter : public QSortFilterProxyModel {
public:
    enum class Verdicts { All, Disagreements, ServiceOnly, BackendOnly, StageDiffers, Agree };

    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setVerdicts(Verdicts v);
    /** Case-insensitive part of the user id; empty: every user. */
    void setUserText(const QString& text);
    Verdicts verdicts() const { return m_verdicts; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    Verdicts m_verdicts = Verdicts::All;
    QString m_userText;
};

} // namespace fairuse::models
