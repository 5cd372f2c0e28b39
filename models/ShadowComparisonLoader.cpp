#include "ShadowComparisonLoader.h"

#include "FutureWatch.h"

#include <QSet>

namespace fairuse::models {

ShadowComparisonLoader::ShadowComparisonLoader(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {}

void ShadowComparisonLoader::start(TimePoint from, TimePoint to) {
    const quint64 generation = ++m_generation;
    m_running = true;
    m_input = enforcement::ShadowComparisonInput{};
    m_input.from = from;
    m_input.to = to;
    m_input.matchWindow = m_backend.policy.checkInterval;
    if (!m_backend.cases) {
        fail(generation, tr("the shadow decisions"), Error::unavailable(tr("no case store is connected")));
        return;
    }
    whenFinished(this, m_backend.cases->listShadowDecisions(from, to),
                 [this, generation](const Result<QList<ShadowDecision>>& r) {
                     if (generation != m_generation) {
                         return;
                     }
                     if (!r) {
                         fail(generation, tr("the shadow decisions"), r.error());
                         return;
                     }
                     m_input.shadow = r.value();
                     readCases(generation);
                 });
}

void ShadowComparisonLoader::readCases(quint64 generation) {
    whenFinished(this, m_backend.cases->listCasesOpenDuring(m_input.from, m_input.to),
                 [this, generation](const Result<QList<FairUseEvent>>& r) {
                     if (generation != m_generation) {
                         return;
                     }
                     if (!r) {
                         fail(generation, tr("the backend's cases"), r.error());
                         return;
                     }
                     m_input.backendCases = r.value();
                     readStates(generation);
                 });
}

void ShadowComparisonLoader::readStates(quint64 generation) {
    QSet<QString> uids;
    for (const ShadowDecision& d : std::as_const(m_input.shadow)) {
        if (d.expiry) {
            uids.insert(d.uid);
        }
    }
    m_statesPending = static_cast<int>(uids.size());
    if (m_statesPending == 0) {
        compare();
        return;
    }
    for (const QString& uid : std::as_const(uids)) {
        whenFinished(this, m_backend.cases->getState(uid), [this, generation, uid](const Result<FairUseState>& r) {
            if (generation != m_generation) {
                return;
            }
            if (r) {
                m_input.backendStates.insert(uid, r.value());
            } else if (r.error().kind != ErrorKind::NotFound) {
                fail(generation, tr("the state of %1").arg(uid), r.error());
                return;
            }
            if (--m_statesPending == 0) {
                compare();
            }
        });
    }
}

void ShadowComparisonLoader::compare() {
    m_running = false;
    const enforcement::ShadowComparison comparison = enforcement::compareShadow(m_input);
    m_input = enforcement::ShadowComparisonInput{};
    Q_EMIT finished(comparison);
}

void ShadowComparisonLoader::fail(quint64 generation, const QString& what, const Error& error) {
    // Later answers of this load are dropped: one failure ends it.
    m_generation = generation + 1;
    m_running = false;
    m_input = enforcement::ShadowComparisonInput{};
    Q_EMIT failed(tr("Could not read %1 from %2: %3")
                      .arg(what, m_backend.cases ? m_backend.cases->describe() : tr("the console"), error.message));
}

} // namespace fairuse::models
