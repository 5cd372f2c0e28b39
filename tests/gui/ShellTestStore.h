#pragma once

// A small seeded embedded store for the shell's GUI tests, with the population it was seeded from, so tests can
// compute what the queue must show independently of the store's query code.

#include "Backend.h"
#include "common/Await.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "llm/HeuristicClassifierService.h"

#include <QTemporaryDir>
#include <QTest>

namespace fairuse::testing {

struct ShellTestStore {
    QTemporaryDir dir;
    services::DemoPopulation population;
    services::EmbeddedStores stores;
    models::Backend backend;

    /** Seeds `options` into a fresh file; QVERIFY-style failures are reported through the returned bool. */
    bool seed(services::DemoOptions options) {
        if (!dir.isValid()) {
            return false;
        }
        population = services::generateDemoPopulation(options);
        stores = services::makeEmbeddedStores(dir.filePath(QStringLiteral("shell.sqlite")));
        if (!services::awaitResult(stores.database->ready(), 60000).ok()) {
            return false;
        }
        if (!services::writeToEmbedded(population, *stores.database).ok()) {
            return false;
        }
        backend.usage = stores.usage;
        backend.cases = stores.cases;
        backend.classifier = std::make_shared<services::HeuristicClassifierService>();
        backend.reviewer = {QString::fromLatin1(services::kDemoReviewerEmail), Role::SeniorReviewer};
        backend.profileName = QStringLiteral("Test store");
        backend.clientVersion = QStringLiteral("test");
        const TimePoint ref = population.referenceTime;
        backend.now = [ref] { return ref; };
        return true;
    }

    static services::DemoOptions smallOptions() {
        services::DemoOptions o;
        o.referenceTime = parseRfc3339(QStringLiteral("2026-03-20T10:00:00Z")).value();
        o.users = 300;
        o.flaggedPerKind = 4;
        o.bulkFlagged = 60;
        return o;
    }

    /** Flagged users (warning, throttle, restrict) in the population. */
    QList<FairUseState> flagged() const {
        QList<FairUseState> out;
        for (const FairUseState& s : population.states) {
            if (s.stage != Stage::None) {
                out.append(s);
            }
        }
        return out;
    }
};

} // namespace fairuse::testing
