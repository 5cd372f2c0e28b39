#pragma once

#include "Backend.h"
#include "casework/Claims.h"
#include "common/Domain.h"
#include "enforcement/ReviewerActions.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <optional>

namespace fairuse::models {

/**
 * The console's view of claims (casework/Claims.h): every live claim of the team, polled from the store so a second
 * console sees a claim within a few seconds, and the one claim this console holds, renewed while the reviewer works
 * and released on closing. Decisions release the decider's claim in their own commit (ActionDialog); forget() tells
 * this object so.
 *
 * A store that keeps no claims (ErrorKind::Unavailable) turns the object off: supported() is false and nothing is
 * claimed. Every other failure is reported through refused() and leaves the case readable.
 */
class CaseClaims : public QObject {
    Q_OBJECT
public:
    explicit CaseClaims(Backend& backend, QObject* parent = nullptr);

    /** Polls the live claims every `interval` from now on (and once at once). */
    void start(std::chrono::milliseconds interval = std::chrono::seconds(3));
    /** Reads the live claims now. */
    void refresh();

    bool supported() const { return m_supported; }
    /** The live claims of the last poll (this console's own included), by user. */
    const QHash<QString, CaseClaim>& live() const { return m_live; }
    /** The live claim on `uid`, if any, as of the last poll or this console's own last change. */
    std::optional<CaseClaim> claimOf(const QString& uid) const;
    /** The claim this console holds (nullopt when none, or when it ran out). */
    std::optional<CaseClaim> mine() const;
    /** Who holds the live claim on `uid`, as of the last poll: nobody, this reviewer, or someone else. */
    casework::ClaimHolder holderOf(const QString& uid) const;
    /** "being reviewed by ana@example.com since 14:05" for someone else's live claim on `uid`; empty otherwise. */
    QString othersClaim(const QString& uid) const;

    /** Claims the user's case for the signed-in reviewer, from the claim the store holds now (releasing this
     *  console's claim on another user first). Emits claimed() or refused(). Claiming a case this console already
     *  holds renews it. */
    void claim(const FairUseState& state, const QString& caseRef = {});
    /** Senior reviewer: takes someone else's live claim over, with a reason. Emits claimed() or refused(). */
    void takeOver(const FairUseState& state, const QString& reason);
    /** Releases this console's claim with a release_claim record; nothing when it holds none. */
    void release();
    /** A decision released this console's claim on `uid` in its own commit. */
    void forget(const QString& uid);

Q_SIGNALS:
    /** The live claims or this console's own claim changed. */
    void changed();
    void claimed(const QString& uid);
    /** A claim, take-over or renewal failed; `message` says why (someone else holds it, the store failed). */
    void refused(const QString& uid, const QString& message);

private:
    TimePoint now() const;
    /** The signed-in reviewer acting now, from this console. */
    enforcement::ActionContext context() const;
    void commitClaim(const QString& uid, const Result<ChangeSet>& change);
    void renew();
    void setMine(std::optional<CaseClaim> claim);

    Backend& m_backend;
    bool m_supported = true;
    QHash<QString, CaseClaim> m_live;
    std::optional<CaseClaim> m_mine;
    std::optional<FairUseState> m_mineState;
    QTimer m_poll;
    QTimer m_renew;
    bool m_polling = false;
};

} // namespace fairuse::models
