#pragma once

#include <QString>

namespace fairuse::bench {

/**
 * Prints the Firestore writes of the enforcer's commits, as FirestoreCaseStore::apply sends them for the ChangeSets
 * that enforcement::buildEnforcerChange and buildExpiryChange build (a first violation on a user without a state
 * document, a second and a third violation, legitimate use, an expired throttle and restriction): per commit the
 * write count, what each write is and how many fields it sets, and the reads around it. No emulator is involved.
 * Returns false when the core refused to build one of them (a broken benchmark, not a figure).
 */
bool printFirestoreWrites(const QString& identity);

} // namespace fairuse::bench
