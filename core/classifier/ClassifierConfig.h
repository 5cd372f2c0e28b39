#pragma once

#include <chrono>
#include <cstddef>

namespace fairuse::classifier {

/** The one table of numbers behind the purpose classifier (SPEC 2.3, 4.3). Everything else refers to these. */
namespace config {

// --- Input preparation ---------------------------------------------------------------------------------------
/** At most this many conversations go to the classifier, newest first. */
inline constexpr int kMaxInputConversations = 30;
/** Only conversations created within this trailing window (inclusive at its start, up to "now") are sent. */
inline constexpr std::chrono::hours kInputWindow{7 * 24};
/** Overviews are cut to about this many characters, at a word boundary, with an ellipsis appended. */
inline constexpr int kOverviewMaxChars = 300;
/** Titles are user content too; a runaway title must not blow the prompt up. */
inline constexpr int kTitleMaxChars = 200;
/** Category and source are short labels; anything longer is cut. */
inline constexpr int kLabelMaxChars = 60;

// --- Recipes (shape of the conversations) --------------------------------------------------------------------
/** Audiobook: at least this many sessions strictly longer than kAudiobookMinMinutes. */
inline constexpr int kAudiobookMinSessions = 3;
inline constexpr double kAudiobookMinMinutes = 60.0;
/** Prerecorded: at least this many sessions whose durations vary by less than this coefficient of variation. */
inline constexpr int kPrerecordedMinSessions = 5;
inline constexpr double kPrerecordedMaxCv = 0.3;
/** Commercial: at least this many conversations spread over at most this many categories. */
inline constexpr int kCommercialMinConversations = 20;
inline constexpr int kCommercialMaxCategories = 3;
/** Podcast: at least this many sessions lasting between the two bounds (both inclusive). */
inline constexpr int kPodcastMinSessions = 5;
inline constexpr double kPodcastMinMinutes = 25.0;
inline constexpr double kPodcastMaxMinutes = 90.0;

// --- Output parsing ------------------------------------------------------------------------------------------
/** At most this many evidence entries are kept. */
inline constexpr int kMaxEvidence = 10;
/** Classifier output (the model's JSON content) larger than this is rejected without being parsed. */
inline constexpr std::size_t kMaxContentBytes = 1024 * 1024;
/** A chat-completions HTTP body larger than this is rejected without being parsed (content is escaped inside). */
inline constexpr std::size_t kMaxEnvelopeBytes = 2 * 1024 * 1024;
/** Error bodies are short; larger ones are not parsed, only reported by status. */
inline constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;
/** The output schema nests three levels (object, evidence array, evidence item); this leaves room for slack. */
inline constexpr int kMaxJsonDepth = 8;
/** Long free text from the model is cut so that one answer cannot flood the console or the store. */
inline constexpr int kMaxReasoningChars = 4000;
inline constexpr int kMaxReasonChars = 1000;
/** Messages quoted from the provider (refusals, API errors) are cut to this length. */
inline constexpr int kMaxQuotedChars = 300;

// --- Offline heuristic ---------------------------------------------------------------------------------------
/** Keyword-matched sessions needed for the full count factor (fewer scale it down linearly). */
inline constexpr double kHeuristicFullCount = 5.0;
/** Weight of a strong keyword match, and of a weak one. */
inline constexpr double kHeuristicStrongWeight = 1.0;
inline constexpr double kHeuristicWeakWeight = 0.5;
/** Score = kHeuristicKeywordScale x share of speech minutes x count factor (+ recipe bonus), capped. */
inline constexpr double kHeuristicKeywordScale = 0.85;
inline constexpr double kHeuristicRecipeBonus = 0.05;
/** A heuristic never claims more than this: it reads titles, not speech. */
inline constexpr double kHeuristicMaxScore = 0.9;
/** Shape alone (uniform durations, few categories) is weak evidence: it stays below the escalation threshold. */
inline constexpr double kHeuristicShapeOnlyMaxScore = 0.45;
/** Below this score the heuristic reports usage type none. */
inline constexpr double kHeuristicTypeThreshold = 0.3;
/** The heuristic's confidence stays modest: it never saw what was said. */
inline constexpr double kHeuristicMinConfidence = 0.3;
inline constexpr double kHeuristicMaxConfidence = 0.7;

} // namespace config

} // namespace fairuse::classifier
