#pragma once

#include <QPixmap>
#include <QPointer>
#include <QSortFilterProxyModel>

namespace fairuse::models {
class CaseClaims;
}

namespace fairuse::ui {

/**
 * Between the queue model and its table. The model sorts and filters 100,000 rows faster than a proxy comparing
 * QVariants could, so a header's sort request goes straight to it; this proxy adds only what the claims say
 * (casework/Claims.h), which change every few seconds and are no part of the store's query:
 * - a claimed row's tooltip says who reviews it since when ("being reviewed by ana@example.com since 14:05"), a
 *   colleague's claim shows in italics, and the user column carries a dot (green: yours, amber: a colleague's);
 * - the claim view: every row, the rows this reviewer claims ("My cases"), or the rows nobody claims ("Unclaimed").
 * Without claims (setClaims(nullptr), or a store that keeps none) it passes everything through.
 */
class QueueProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum class ClaimView { All, Mine, Unclaimed };

    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setClaims(models::CaseClaims* claims);
    void setClaimView(ClaimView view);
    ClaimView claimView() const { return m_view; }

    void sort(int column, Qt::SortOrder order) override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    /** The claims changed: re-filter when a claim view is on, repaint the user column otherwise. */
    void claimsChanged();

    QPointer<models::CaseClaims> m_claims;
    ClaimView m_view = ClaimView::All;
    QPixmap m_mineMarker;
    QPixmap m_otherMarker;
};

} // namespace fairuse::ui
