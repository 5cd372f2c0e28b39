#pragma once

// A seeded embedded store for the console's GUI tests, with the population it was seeded from, so tests can check
// what the views show against the seeded data rather than against the views' own queries.

#include "Backend.h"
#include "common/Await.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "llm/HeuristicClassifierService.h"

#include <QTemporaryDir>
#include <QTest>

namespace fairuse::testing {

struct SeededTestStore {
    QTemporaryDir dir;
    services::DemoPopulation population;
    services::EmbeddedStores stores;
    models::Backend backend;

    /** Options seeded from 2026-03-20T10:00Z, the tests' reference time. */
    static services::DemoOptions optionsAtReferenceTime(int users, int flaggedPerKind) {
        services::DemoOptions o;
        o.referenceTime = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();
        o.users = users;
        o.flaggedPerKind = flaggedPerKind;
        return o;
    }

    /** Seeds `options` into a fresh file `fileName` and signs `reviewer` in; the backend's clock stands still at the
     *  population's reference time. False when the store could not be written. */
    bool seedInto(const QString& fileName, const services::DemoOptions& options, const Reviewer& reviewer,
                  const QString& clientVersion) {
        if (!dir.isValid()) {
            return false;
        }
        population = services::generateDemoPopulation(options);
        stores = services::makeEmbeddedStores(dir.filePath(fileName));
        if (!services::awaitResult(stores.database->ready(), 60000).ok()) {
            return false;
        }
        if (!services::writeToEmbedded(population, *stores.database).ok()) {
            return false;
        }
        backend.usage = stores.usage;
        backend.cases = stores.cases;
        backend.classifier = std::make_shared<services::HeuristicClassifierService>();
        backend.reviewer = reviewer;
        backend.profileName = QStringLiteral("Test store");
        backend.clientVersion = clientVersion;
        const TimePoint ref = population.referenceTime;
        backend.now = [ref] { return ref; };
        return true;
    }
};

} // namespace fairuse::testing
