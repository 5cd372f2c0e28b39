#pragma once

#include <QList>
#include <QString>

namespace fairuse::bench {

/**
 * Several fairuse-enforcer instances sharing one interval's pass on a Redis Cluster (issue 12: "several instances
 * share the users without doubling work"). The benchmark starts the tests' cluster (3 masters, 3 replicas,
 * tests/fixtures/redis/redis-cluster-fixture.sh) and a Firestore emulator, seeds `users` users of the benchmark's
 * population into the cluster, and for each count in `instanceCounts` runs that many `fairuse-enforcer --once
 * --redis-cluster` at once (not in shadow: they take range leases and evaluation markers, and commit cases), each on a
 * fresh cluster and a fresh emulator project. Per count: the wall time until the last instance exits, users per
 * second, the instances' CPU, and the sums of their pass summaries. Every user must be evaluated exactly once in all
 * (the sum of users_evaluated equals `users`) and every count must write the same number of cases.
 *
 * Returns false when a run failed or a check did not hold; true (with a note) when the cluster or the emulator cannot
 * start here.
 */
bool measureInstances(const QString& enforcer, const QString& emulatorGiven, int users,
                      const QList<int>& instanceCounts);

} // namespace fairuse::bench
