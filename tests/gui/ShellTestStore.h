#pragma once

// A small seeded embedded store for the shell's GUI tests, with the population it was seeded from, so tests can
// compute what the queue must show independently of the store's query code.

#include "SeededTestStore.h"

namespace fairuse::testing {

struct ShellTestStore : SeededTestStore {
    /** Seeds `options` into a fresh file; QVERIFY-style failures are reported through the returned bool. */
    bool seed(const services::DemoOptions& options) {
        return seedInto(QStringLiteral("shell.sqlite"), options,
                        {QString::fromLatin1(services::kDemoReviewerEmail), Role::SeniorReviewer},
                        QStringLiteral("test"));
    }

    static services::DemoOptions smallOptions() {
        services::DemoOptions o = optionsAtReferenceTime(300, 4);
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
