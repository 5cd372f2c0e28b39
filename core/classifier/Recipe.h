#pragma once

#include "common/Domain.h"

#include <QList>
#include <QString>

namespace fairuse::classifier {

/**
 * Extra focus the classifier prompt gets when the conversations have a suspicious shape (SPEC 2.3).
 * A recipe is a hint for the model, never evidence by itself.
 */
enum class Recipe {
    Audiobook,   ///< three or more sessions over an hour
    Prerecorded, ///< five or more sessions with uniform durations (coefficient of variation under 0.3)
    Commercial,  ///< twenty or more conversations in three or fewer categories
    Podcast,     ///< five or more sessions of 25 to 90 minutes
};

/** Wire and prompt name: audiobook, prerecorded, commercial, podcast. */
QString recipeName(Recipe r);

/** The paragraph added to the system prompt when the recipe is selected. */
QString recipeFocus(Recipe r);

/**
 * Recipes whose shape the conversations match, in the fixed order Audiobook, Prerecorded, Commercial, Podcast.
 *
 * A "session" is a conversation with a positive duration (finishedAt after startedAt); conversations with missing or
 * inverted times count only towards the commercial recipe, which looks at categories. Durations are compared
 * unrounded: 60.0 minutes is not "over an hour". The coefficient of variation uses the population standard deviation.
 * Categories are compared trimmed and case-insensitively; an empty category is a category of its own.
 */
QList<Recipe> selectRecipes(const QList<Conversation>& conversations);

/** Population coefficient of variation (stddev / mean) of the values; 0 for fewer than two values or a zero mean. */
double coefficientOfVariation(const QList<double>& values);

} // namespace fairuse::classifier
