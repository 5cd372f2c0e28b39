#pragma once

#include "common/ClassifierLabel.h"
#include "common/Domain.h"
#include "common/Time.h"

#include <QString>

#include <cstdint>
#include <optional>

/**
 * @file
 * Display strings shared by the detail-side models and views (user view, audit log, spend report, case report),
 * so a time or a duration reads the same everywhere.
 */
namespace fairuse::models {

/** "2026-03-20 10:15 UTC". */
QString formatTime(TimePoint t);
/** formatTime, or an em dash when absent. */
QString formatTime(const std::optional<TimePoint>& t);
/** Speech duration in hours with one decimal ("2.5 h"). */
QString formatSpeechHours(std::int64_t ms);
/** "2.5 h / 2.0 h cap", with a marker when the total is over the cap. */
QString formatAgainstCap(std::int64_t ms, std::int64_t capMs);
/** Micro-USD as dollars ("$0.0123"). */
QString formatUsd(std::int64_t microUsd);
/** An LLM-spend case's figures: "last 24 h $0.8100 of $0.5000, last 30 days $3.3500 of $5.0000; plan basic, own
 *  speech-to-text"; empty for a case without them. */
QString spendFiguresText(const FairUseEvent& e);
/** Translated stage, usage type, outcome, role and audit action names. */
QString stageLabel(Stage s);
QString usageTypeLabel(UsageType t);
QString outcomeLabel(Outcome o);
/** "Model right", "Model wrong: legitimate meetings", ... as a reviewer picks them. */
QString classifierVerdictLabel(ClassifierVerdict v);
QString roleName(Role r);
QString auditActionLabel(AuditAction a);
QString capWindowLabel(CapWindow w);
/** An appeal's channel as people say it ("in app", "support e-mail"); an unknown channel as stored. */
QString appealChannelLabel(const QString& channel);
/** "open", "upheld" or "overturned". */
QString appealStatusLabel(const Appeal& appeal);
/** "heuristic" or "LLM", the label every classifier result carries in the console. */
QString classifierKindLabel(const ClassifierResult& r);
/** The plan in force at `now` and where it comes from: "unlimited until ...", "basic (unlimited ended ...)",
 *  "basic (legacy free)", "basic (no subscription)". */
QString planText(const std::optional<Subscription>& subscription, TimePoint now);

} // namespace fairuse::models
