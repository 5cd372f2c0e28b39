#pragma once

#include "common/Domain.h"
#include "common/Stores.h"

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
    /** The signed-in reviewer, from the profile's credential (never a fixed string). */
    Reviewer reviewer;
    /** Profile name shown in the status bar ("Embedded demo", "Emulator", "Production"). */
    QString profileName;
    QString clientVersion;
    /** Current time; a function so tests and the demo can pin it. */
    std::function<TimePoint()> now;
};

} // namespace fairuse::models
