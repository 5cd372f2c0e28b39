#pragma once

#include <QPixmap>
#include <QPointer>
#include <QSortFilterProxyModel>

namespace fairuse::models {
class CaseClaims;
class QueueCasework;
} // namespace fairuse::models

namespace fairuse::ui {

/**
 * Between the queue model and its table. The model sorts and filters 100,000 rows faster than a proxy comparing
 * QVariants could, so a header's sort request goes straight to it; this proxy adds only what the claims say
 * (casework/Claims.h), which change every few seconds and are no part of the store's query:
 * - a claimed row's tooltip says who reviews it since when ("being reviewed by ana@example.com since 14:05"), a
 *   colleague's claim shows in italics, and the user column carries a dot (green: yours, amber: a colleague's);
 * - the claim view: every row, the rows this reviewer claims ("My cases"), or the rows nobody claims ("Unclaimed").
 * Without claims (setClaims(nullptr), or a store that keeps none) it passes everything through.
 *
 * With casework (setCasework, casework/Casework.h) it also hides snoozed users unless a view asks for them (Active:
 * everything but the snoozed, the default; Escalated: the escalated cases, for seniors; Snoozed; All), tints escalated
 * rows, sets a returned snooze's row in bold, and says either in the tooltip; CaseworkMarkerRole gives "escalated",
 * "returned", "snoozed" or "".
 */
class QueueProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum class ClaimView { All, Mine, Unclaimed };
    enum class CaseworkView { Active, Escalated, Snoozed, All };
    static constexpr int CaseworkMarkerRole = Qt::UserRole + 64;

    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setClaims(models::CaseClaims* claims);
    void setClaimView(ClaimView view);
    ClaimView claimView() const { return m_view; }
    void setCasework(models::QueueCasework* casework);
    void setCaseworkView(CaseworkView view);
    CaseworkView caseworkView() const { return m_caseworkView; }

    void sort(int column, Qt::SortOrder order) override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    /** The claims changed: re-filter when a claim view is on, repaint the user column otherwise. */
    void claimsChanged();
    QVariant claimData(const QModelIndex& index, int role) const;
    /** "escalated" (wins over a snooze), "returned", "snoozed" or "" for the row's user. */
    QString caseworkMarker(int sourceRow) const;
    bool acceptedByCasework(int sourceRow) const;

    QPointer<models::CaseClaims> m_claims;
    QPointer<models::QueueCasework> m_casework;
    ClaimView m_view = ClaimView::All;
    CaseworkView m_caseworkView = CaseworkView::Active;
    QPixmap m_mineMarker;
    QPixmap m_otherMarker;
};

} // namespace fairuse::ui
