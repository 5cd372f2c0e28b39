#include "ClaimBanner.h"

#include "BulkResolver.h"
#include "CaseClaims.h"
#include "DetailFormat.h"
#include "casework/Claims.h"

#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>

namespace fairuse::ui {

ClaimBanner::ClaimBanner(models::CaseClaims& claims, Role role, QWidget* parent)
    : QWidget(parent)
    , m_claims(claims)
    , m_role(role)
    , m_text(new QLabel(this))
    , m_takeOver(new QPushButton(tr("Take over…"), this))
    , m_release(new QPushButton(tr("Release"), this)) {
    m_text->setObjectName(QStringLiteral("claimText"));
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_takeOver->setObjectName(QStringLiteral("takeOverButton"));
    m_takeOver->setToolTip(tr("Take this case over from the reviewer who holds it (senior reviewer; recorded)"));
    m_release->setObjectName(QStringLiteral("releaseButton"));
    m_release->setToolTip(tr("Stop reviewing this case without a decision, so a colleague can take it"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_takeOver);
    layout->addWidget(m_release);
    connect(&m_claims, &models::CaseClaims::changed, this, &ClaimBanner::showClaim);
    connect(m_takeOver, &QPushButton::clicked, this, &ClaimBanner::askTakeOver);
    connect(m_release, &QPushButton::clicked, &m_claims, &models::CaseClaims::release);
    showClaim();
}

void ClaimBanner::setUser(const std::optional<FairUseState>& state) {
    m_state = state;
    showClaim();
}

QString ClaimBanner::text() const {
    return m_text->text();
}

void ClaimBanner::showClaim() {
    const bool shown = m_state.has_value() && m_claims.supported();
    setVisible(shown);
    m_takeOver->hide();
    m_release->hide();
    if (!shown) {
        m_text->clear();
        return;
    }
    const QString uid = m_state->uid;
    const std::optional<CaseClaim> mine = m_claims.mine();
    if (mine && mine->uid == uid) {
        m_text->setText(tr("You are reviewing this case (claim renewed while you work; it ends at %1 otherwise).")
                            .arg(models::formatTime(mine->expiresAt)));
        m_release->show();
        return;
    }
    const QString others = m_claims.othersClaim(uid);
    if (!others.isEmpty()) {
        m_text->setText(tr("This case is %1. You can read it; acting warns first.").arg(others));
        m_takeOver->setVisible(m_role != Role::Reviewer);
        return;
    }
    m_text->setText(tr("Not claimed."));
}

void ClaimBanner::askTakeOver() {
    if (!m_state) {
        return;
    }
    bool ok = false;
    const QString reason =
        QInputDialog::getText(this, tr("Take over"), tr("Why do you take this case over? (kept in the audit record)"),
                              QLineEdit::Normal, {}, &ok)
            .trimmed();
    if (ok && !reason.isEmpty()) {
        m_claims.takeOver(*m_state, reason);
    }
}

} // namespace fairuse::ui
