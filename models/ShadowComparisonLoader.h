#pragma once

#include "Backend.h"
#include "enforcement/ShadowComparison.h"

#include <QObject>

namespace fairuse::models {

/**
 * Reads both sides of a shadow comparison for a period and compares them (enforcement::compareShadow): the shadow
 * service's decisions (CaseStore::listShadowDecisions), the cases open during the period (listCasesOpenDuring, one
 * query) and, for the expiries the service would have applied, those users' states (getState, all at once). Cases
 * match decisions within the policy's check interval.
 *
 * start() begins a new load and drops the answers of the one before. A store failure ends the load with failed(),
 * naming the store and what could not be read; a user without a state counts as having none.
 */
class ShadowComparisonLoader : public QObject {
    Q_OBJECT
public:
    explicit ShadowComparisonLoader(Backend& backend, QObject* parent = nullptr);

    void start(TimePoint from, TimePoint to);
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void finished(const fairuse::enforcement::ShadowComparison& comparison);
    void failed(const QString& message);

private:
    void readCases(quint64 generation);
    void readStates(quint64 generation);
    void compare();
    void fail(quint64 generation, const QString& what, const Error& error);

    Backend& m_backend;
    quint64 m_generation = 0;
    bool m_running = false;
    enforcement::ShadowComparisonInput m_input;
    int m_statesPending = 0;
};

} // namespace fairuse::models
