#pragma once

#include "common/Domain.h"
#include "embedded/DemoPopulation.h"
#include "embedded/DemoRng.h"

#include <QString>

namespace fairuse::services::embedded {

// What the demo population talks about and what the classifier says about it: the words behind the numbers.

/** How each kind of user talks. */
struct SessionShape {
    int minMinutes;
    int maxMinutes;
    double speechRatio; ///< share of each minute that is speech
    int minGap;
    int maxGap;
};

SessionShape shapeOf(DemoProfile p);
/** The classifier usage type a user of this profile is judged as. */
UsageType usageTypeOf(DemoProfile p);

/** Title, overview and category of one conversation. */
struct Session {
    QString title;
    QString overview;
    QString category;
};

/** The next conversation of a user; `counter` numbers chapters and episodes. */
Session describeSession(DemoProfile p, DemoRng& rng, int& counter);
/** The classifier's reason for one piece of evidence. */
QString evidenceReason(DemoProfile p);
/** The classifier's reasoning over a user. */
QString reasoningOf(DemoProfile p);
/** The backend's action name for an event that moved a user to `s`. */
QString actionFor(Stage s);

} // namespace fairuse::services::embedded
