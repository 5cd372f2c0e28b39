#pragma once

#include "common/ClassifierLabel.h"
#include "common/Domain.h"

#include <optional>

namespace fairuse::services::embedded {

/** The label a demo reviewer `who` gave a resolved case's classifier at `at`, as the console writes it; nullopt for a
 *  case without a classifier result. The outcome is the case's. */
std::optional<ClassifierLabel> demoLabel(const FairUseEvent& e, const QString& uid, TimePoint at, const QString& who,
                                         ClassifierVerdict verdict);

} // namespace fairuse::services::embedded
