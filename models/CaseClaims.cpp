#include "CaseClaims.h"

#include "BulkResolver.h"
#include "FutureWatch.h"
#include "casework/Claims.h"

namespace fairuse::models {

namespace {

/** Renew well before the lease runs out, so one slow round trip never loses the claim. */
constexpr auto kRenewEvery = std::chrono::duration_cast<std::chrono::milliseconds>(casework::kClaimLease) / 3;

} // namespace

CaseClaims::CaseClaims(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {
    connect(&m_poll, &QTimer::timeout, this, &CaseClaims::refresh);
    m_renew.setInterval(kRenewEvery);
    connect(&m_renew, &QTimer::timeout, this, &CaseClaims::renew);
}

TimePoint CaseClaims::now() const {
    return backendNow(m_backend);
}

enforcement::ActionContext CaseClaims::context() const {
    enforcement::ActionContext ctx;
    ctx.reviewer = m_backend.reviewer;
    ctx.now = now();
    ctx.clientVersion = m_backend.clientVersion;
    return ctx;
}

void CaseClaims::start(std::chrono::milliseconds interval) {
    m_poll.start(interval);
    refresh();
}

void CaseClaims::refresh() {
    if (!m_supported || m_polling || !m_backend.cases) {
        return;
    }
    m_polling = true;
    whenFinished(this, m_backend.cases->listLiveClaims(now()), [this](const Result<QList<CaseClaim>>& r) {
        m_polling = false;
        if (!r) {
            if (r.error().kind == ErrorKind::Unavailable && m_live.isEmpty() && !m_mine) {
                m_supported = false;
                m_poll.stop();
            }
            return; // a failed poll keeps the last known claims; the next one tries again
        }
        QHash<QString, CaseClaim> live;
        for (const CaseClaim& c : r.value()) {
            live.insert(c.uid, c);
        }
        if (m_mine && casework::isLive(*m_mine, now())) {
            live.insert(m_mine->uid, *m_mine); // our own newest version, even if the poll was in flight
        }
        if (live != m_live) {
            m_live = std::move(live);
            Q_EMIT changed();
        }
    });
}

std::optional<CaseClaim> CaseClaims::claimOf(const QString& uid) const {
    const auto it = m_live.constFind(uid);
    if (it == m_live.cend() || !casework::isLive(*it, now())) {
        return std::nullopt;
    }
    return *it;
}

std::optional<CaseClaim> CaseClaims::mine() const {
    if (m_mine && casework::isLive(*m_mine, now())) {
        return m_mine;
    }
    return std::nullopt;
}

casework::ClaimHolder CaseClaims::holderOf(const QString& uid) const {
    return casework::holderOf(claimOf(uid), m_backend.reviewer, now());
}

QString CaseClaims::othersClaim(const QString& uid) const {
    const std::optional<CaseClaim> c = claimOf(uid);
    if (casework::holderOf(c, m_backend.reviewer, now()) != casework::ClaimHolder::SomeoneElse) {
        return {};
    }
    return casework::describeClaim(*c);
}

void CaseClaims::setMine(std::optional<CaseClaim> claim) {
    if (m_mine) {
        m_live.remove(m_mine->uid);
    }
    m_mine = std::move(claim);
    if (m_mine) {
        m_live.insert(m_mine->uid, *m_mine);
        m_renew.start();
    } else {
        m_renew.stop();
        m_mineState.reset();
    }
    Q_EMIT changed();
}

void CaseClaims::claim(const FairUseState& state, const QString& caseRef) {
    if (!m_supported || !m_backend.cases) {
        return;
    }
    if (m_mine && m_mine->uid == state.uid && casework::isLive(*m_mine, now())) {
        renew();
        return;
    }
    if (m_mine && m_mine->uid != state.uid) {
        release();
    }
    const QString uid = state.uid;
    whenFinished(this, m_backend.cases->getClaim(uid),
                 [this, state, caseRef, uid](const Result<std::optional<CaseClaim>>& current) {
                     if (!current) {
                         if (current.error().kind == ErrorKind::Unavailable) {
                             m_supported = false;
                             return;
                         }
                         Q_EMIT refused(uid, current.error().message);
                         return;
                     }
                     if (*current && casework::isLive(**current, now())) {
                         m_live.insert(uid, **current);
                         Q_EMIT changed();
                     }
                     enforcement::ActionContext ctx = context();
                     ctx.caseRef = caseRef;
                     m_mineState = state;
                     commitClaim(uid, casework::buildClaim(state, *current, ctx));
                 });
}

void CaseClaims::takeOver(const FairUseState& state, const QString& reason) {
    if (!m_supported || !m_backend.cases) {
        return;
    }
    const QString uid = state.uid;
    whenFinished(this, m_backend.cases->getClaim(uid),
                 [this, state, reason, uid](const Result<std::optional<CaseClaim>>& current) {
                     if (!current) {
                         Q_EMIT refused(uid, current.error().message);
                         return;
                     }
                     const enforcement::ActionContext ctx = context();
                     m_mineState = state;
                     commitClaim(uid, casework::buildTakeOver(state, *current, reason, ctx));
                 });
}

void CaseClaims::commitClaim(const QString& uid, const Result<ChangeSet>& change) {
    if (!change) {
        Q_EMIT refused(uid, change.error().message);
        return;
    }
    const ChangeSet cs = change.value();
    whenFinished(this, m_backend.cases->apply(cs), [this, uid, cs](const Result<CommitResult>& r) {
        if (!r) {
            Q_EMIT refused(uid, r.error().message);
            refresh();
            return;
        }
        CaseClaim claim = *cs.claimChange->claim;
        claim.version = r->claimVersion;
        setMine(claim);
        Q_EMIT claimed(uid);
    });
}

void CaseClaims::release() {
    if (!m_mine || !m_backend.cases) {
        return;
    }
    FairUseState state = m_mineState.value_or(FairUseState{});
    state.uid = m_mine->uid;
    const enforcement::ActionContext ctx = context();
    const std::optional<CaseClaim> held = m_mine;
    setMine(std::nullopt);
    if (!casework::isLive(*held, ctx.now)) {
        return; // run out: nothing to release
    }
    auto cs = casework::buildRelease(state, held, ctx);
    if (!cs) {
        return;
    }
    whenFinished(this, m_backend.cases->apply(*cs), [this, uid = held->uid](const Result<CommitResult>& r) {
        if (!r) {
            Q_EMIT refused(uid, r.error().message);
        }
        refresh();
    });
}

void CaseClaims::forget(const QString& uid) {
    if (m_mine && m_mine->uid == uid) {
        setMine(std::nullopt);
    }
}

void CaseClaims::renew() {
    if (!m_mine || !m_backend.cases) {
        return;
    }
    const QString uid = m_mine->uid;
    auto next = casework::renewed(m_mine, m_backend.reviewer, now());
    if (!next) {
        setMine(std::nullopt);
        Q_EMIT refused(uid, next.error().message);
        return;
    }
    whenFinished(this, m_backend.cases->renewClaim(*next), [this, uid](const Result<CaseClaim>& r) {
        if (!m_mine || m_mine->uid != uid) {
            return; // released or moved on meanwhile
        }
        if (!r) {
            if (r.error().kind == ErrorKind::Conflict) {
                setMine(std::nullopt);
            }
            Q_EMIT refused(uid, r.error().message);
            refresh();
            return;
        }
        setMine(r.value());
    });
}

} // namespace fairuse::models
