#pragma once

#include "common/Domain.h"

#include <QWidget>

#include <optional>

class QLabel;
class QPushButton;

namespace fairuse::models {
class CaseClaims;
} // namespace fairuse::models

namespace fairuse::ui {

/**
 * The claim line of the user view: "You are reviewing this case until 14:20", "Being reviewed by ana@example.com
 * since 14:05" (with Take over… for a senior reviewer) or "Not claimed". It follows CaseClaims, so a claim taken on
 * another console shows within a poll. Take over asks for the reason the record keeps; Release ends this console's
 * claim without a decision.
 *
 * Object names for tests: claimText, takeOverButton, releaseButton.
 */
class ClaimBanner : public QWidget {
    Q_OBJECT
public:
    ClaimBanner(models::CaseClaims& claims, Role role, QWidget* parent = nullptr);

    /** The user shown (empty: none), with the state a take-over or release is recorded against. */
    void setUser(const std::optional<FairUseState>& state);
    QString text() const;

private:
    void showClaim();
    void askTakeOver();

    models::CaseClaims& m_claims;
    Role m_role;
    std::optional<FairUseState> m_state;
    QLabel* m_text;
    QPushButton* m_takeOver;
    QPushButton* m_release;
};

} // namespace fairuse::ui
