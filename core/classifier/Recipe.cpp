#include "classifier/Recipe.h"

#include "classifier/ClassifierConfig.h"

#include <QSet>

#include <cmath>

namespace fairuse::classifier {

QString recipeName(Recipe r) {
    switch (r) {
    case Recipe::Audiobook:
        return QStringLiteral("audiobook");
    case Recipe::Prerecorded:
        return QStringLiteral("prerecorded");
    case Recipe::Commercial:
        return QStringLiteral("commercial");
    case Recipe::Podcast:
        return QStringLiteral("podcast");
    }
    return {};
}

QString recipeFocus(Recipe r) {
    switch (r) {
    case Recipe::Audiobook:
        return QStringLiteral(
            "Several sessions run longer than an hour. Check whether titles and overviews read like the narration of a "
            "book (chapters, a narrator, a continuous story with no exchange involving the user) rather than a long "
            "meeting, workshop, lecture or personal conversation.");
    case Recipe::Prerecorded:
        return QStringLiteral(
            "Session lengths are nearly identical. Check whether this is recorded media being played back (episodes, "
            "lessons, videos of a fixed length) rather than a recurring meeting, class or call the user attends, which "
            "also has a fixed length.");
    case Recipe::Commercial:
        return QStringLiteral(
            "Many conversations fall into very few categories. Check whether the user transcribes for others as a "
            "business (dictation for clients, transcription jobs, invoices, case files) rather than doing their own "
            "work, which also tends to stay in a few categories.");
    case Recipe::Podcast:
        return QStringLiteral(
            "Several sessions last 25 to 90 minutes. Check whether these are podcast or show episodes being played "
            "(hosts addressing listeners, episode numbers, sponsor reads) rather than calls, meetings or interviews "
            "the user takes part in.");
    }
    return {};
}

double coefficientOfVariation(const QList<double>& values) {
    if (values.size() < 2) {
        return 0.0;
    }
    double sum = 0.0;
    for (double v : values) {
        sum += v;
    }
    const double mean = sum / static_cast<double>(values.size());
    if (mean <= 0.0) {
        return 0.0;
    }
    double squares = 0.0;
    for (double v : values) {
        squares += (v - mean) * (v - mean);
    }
    return std::sqrt(squares / static_cast<double>(values.size())) / mean;
}

QList<Recipe> selectRecipes(const QList<Conversation>& conversations) {
    QList<double> sessions;
    sessions.reserve(conversations.size());
    QSet<QString> categories;
    for (const Conversation& c : conversations) {
        const double minutes = c.durationMinutes();
        // NaN cannot occur from integer milliseconds, but a negative span (clock skew, junk data) is not a session.
        if (minutes > 0.0) {
            sessions.append(minutes);
        }
        categories.insert(c.category.trimmed().toCaseFolded());
    }

    int overAnHour = 0;
    int podcastLength = 0;
    for (double m : sessions) {
        if (m > config::kAudiobookMinMinutes) {
            ++overAnHour;
        }
        if (m >= config::kPodcastMinMinutes && m <= config::kPodcastMaxMinutes) {
            ++podcastLength;
        }
    }

    QList<Recipe> recipes;
    if (overAnHour >= config::kAudiobookMinSessions) {
        recipes.append(Recipe::Audiobook);
    }
    if (sessions.size() >= config::kPrerecordedMinSessions &&
        coefficientOfVariation(sessions) < config::kPrerecordedMaxCv) {
        recipes.append(Recipe::Prerecorded);
    }
    if (conversations.size() >= config::kCommercialMinConversations &&
        categories.size() <= config::kCommercialMaxCategories) {
        recipes.append(Recipe::Commercial);
    }
    if (podcastLength >= config::kPodcastMinSessions) {
        recipes.append(Recipe::Podcast);
    }
    return recipes;
}

} // namespace fairuse::classifier
