#pragma once

#include "common/Domain.h"
#include "common/Time.h"

#include <QList>
#include <QString>

namespace fairuse::classifier {

/** Version of the heuristic's rules and keyword lists. Bump it when a rule or a list changes. */
inline constexpr char kHeuristicVersion[] = "heuristic-v1";

/**
 * The deterministic offline classifier, used when no LLM is configured (embedded demo, tests, outages).
 *
 * It sees what the LLM sees (selectInputConversations: 30 newest of the last 7 days) but reads only titles,
 * categories, durations and sources, never overviews (an overview of a meeting "about the podcast launch" would
 * read as a podcast). Each conversation is either protected (meeting, call, conference, lecture, class, brainstorm,
 * interview, personal or family, school or university, ... in its title or category), or matched to at most one usage
 * type by keyword (strong: "Chapter 12", "S01E02", "podcast", "dictation"; weak: "chapter", "episode", "client"), or
 * neither. Protection wins over every keyword: "Book club meeting: chapter 5" is a meeting.
 *
 * Score of a type = 0.85 x (share of all speech minutes in conversations of that type, weak matches counted half)
 * x min(1, matched conversations / 5), plus 0.05 when those conversations also have the type's recipe shape, capped
 * at 0.9. Uniform durations alone (prerecorded shape without keywords) score at most 0.45: shape is never enough to
 * escalate. The type is reported when the best score reaches 0.3, otherwise none. All numbers live in
 * ClassifierConfig.h.
 *
 * model = "heuristic", promptVersion = kHeuristicVersion, heuristic = true; evidence names the conversations that
 * drove the score (at most 10, longest first), reasoning says what was counted.
 */
ClassifierResult classifyHeuristically(const QList<Conversation>& conversations, TimePoint now);

} // namespace fairuse::classifier
