#pragma once

#include "common/Domain.h"
#include "common/Stores.h"
#include "enforcement/Policy.h"

#include <QString>

#include <functional>
#include <memory>

namespace fairuse::models {

/**
 * What the console is connected to, built once by the composition root (app/console) from a connection
 * profile and handed to every model and view. Views never create stores themselves.
 */
struct Backend {
    std::shared_ptr<services::UsageStore> usage;
    std::shared_ptr<services::CaseStore> cases;
    std::shared_ptr<services::ClassifierService> classifier;
    /** The signed-in reviewer: the verified e-mail, uid and role claim of the ID token (the demo store's own identity
     *  in the demo). Never a profile field, never a fixed string. */
    Reviewer reviewer;
    /** How the reviewer signed in, for the status bar ("password", "google.com"); empty for the demo store's own
     *  identity. */
    QString signInMethod;
    /** Profile name shown in the status bar ("Embedded demo", "Emulator", "Production"). */
    QString profileName;
    QString clientVersion;
    /** The policy the console builds decisions with (and names in the cases it writes): the console's policy file
     *  (PolicyFile), Policy::forReview() without one. */
    enforcement::Policy policy = enforcement::Policy::forReview();
    /** Current time; a function so tests and the demo can pin it. */
    std::function<TimePoint()> now;
};

} // namespace fairuse::models
