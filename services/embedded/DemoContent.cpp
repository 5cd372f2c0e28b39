#include "embedded/DemoContent.h"

#include <array>

namespace fairuse::services::embedded {

namespace {

constexpr std::array kBooks{"The Silent Harbor", "Echoes of the Northern Sky", "A Brief History of Salt",
                            "The Glass Orchard", "Midnight at the Lighthouse", "The Cartographer's Daughter"};
constexpr std::array kChapters{"The Arrival",         "Letters from Home", "The Storm", "A Door Left Open",
                               "What the River Knew", "The Long Winter",   "Old Debts", "The Return"};
constexpr std::array kShows{"Markets in Ten", "Deep Space Weekly", "True Crime Tuesdays", "The Tinkerers",
                            "Founders Unfiltered"};
constexpr std::array kEpisodeTopics{"Why interest rates still matter",          "The probe that outlived its mission",
                                    "The case of the missing heiress",          "Building a synth from scratch",
                                    "Scaling past the first hundred customers", "Listener questions"};
constexpr std::array kSeries{"Harbor Lights", "The Long Night", "Kitchen Wars", "Station Eleven West"};
constexpr std::array kClients{"Meyer & Sons", "Northwind Dental", "Harbor Realty", "Keller Legal", "Oakridge Clinic"};
constexpr std::array kDictation{"Client letter", "Patient note", "Property listing", "Case summary", "Invoice memo"};
constexpr std::array kCommercialCategories{"work", "business", "finance"};
constexpr std::array kMeetings{"Weekly product sync",
                               "Design review: onboarding flow",
                               "1:1 with Priya",
                               "Customer call: Northwind",
                               "Sprint planning",
                               "Incident retro",
                               "Keynote: the future of edge computing",
                               "Panel: hiring in 2026",
                               "Workshop: accessible design",
                               "Organic chemistry lecture",
                               "Brainstorm: Q3 roadmap"};
constexpr std::array kMeetingCategories{"work", "education", "business", "personal", "technology"};

} // namespace

SessionShape shapeOf(DemoProfile p) {
    switch (p) {
    case DemoProfile::Audiobook:
        return {60, 90, 0.95, 3, 25};
    case DemoProfile::Podcast:
        return {25, 90, 0.86, 10, 60};
    case DemoProfile::TvMovie:
        return {22, 58, 0.66, 2, 20};
    case DemoProfile::Commercial:
        return {4, 15, 0.82, 1, 8};
    case DemoProfile::LegitimateHeavy:
        return {25, 60, 0.55, 0, 5};
    case DemoProfile::Ordinary:
        break;
    }
    return {10, 60, 0.95, 2, 30};
}

UsageType usageTypeOf(DemoProfile p) {
    switch (p) {
    case DemoProfile::Audiobook:
        return UsageType::Audiobook;
    case DemoProfile::Podcast:
        return UsageType::Podcast;
    case DemoProfile::TvMovie:
        return UsageType::TvMovie;
    case DemoProfile::Commercial:
        return UsageType::Commercial;
    case DemoProfile::LegitimateHeavy:
    case DemoProfile::Ordinary:
        break;
    }
    return UsageType::None;
}

Session describeSession(DemoProfile p, DemoRng& rng, int& counter) {
    ++counter;
    switch (p) {
    case DemoProfile::Audiobook: {
        const QString book = QString::fromLatin1(rng.pick(kBooks));
        return {QStringLiteral("Chapter %1: %2").arg(counter).arg(QString::fromLatin1(rng.pick(kChapters))),
                QStringLiteral("Continuous narration of chapter %1 of \"%2\". A single voice reads the text without "
                               "pause; nobody asks or answers anything.")
                    .arg(counter)
                    .arg(book),
                rng.chance(0.5) ? QStringLiteral("entertainment") : QStringLiteral("literature")};
    }
    case DemoProfile::Podcast: {
        const QString show = QString::fromLatin1(rng.pick(kShows));
        return {QStringLiteral("%1 ep. %2: %3")
                    .arg(show)
                    .arg(100 + counter)
                    .arg(QString::fromLatin1(rng.pick(kEpisodeTopics))),
                QStringLiteral("Two hosts and a guest discuss the episode topic; intro jingle, a sponsor read after "
                               "about twelve minutes and an outro asking listeners to subscribe."),
                rng.chance(0.6) ? QStringLiteral("entertainment") : QStringLiteral("news")};
    }
    case DemoProfile::TvMovie: {
        const QString series = QString::fromLatin1(rng.pick(kSeries));
        return {QStringLiteral("%1 S0%2E%3")
                    .arg(series)
                    .arg(1 + counter / 10)
                    .arg(counter % 10 + 1, 2, 10, QLatin1Char('0')),
                QStringLiteral("Scripted dialogue between several characters over music and sound effects; scene "
                               "changes, a cliffhanger at the end. Nobody addresses the device owner."),
                QStringLiteral("entertainment")};
    }
    case DemoProfile::Commercial: {
        const QString client = QString::fromLatin1(rng.pick(kClients));
        return {QStringLiteral("%1: %2").arg(QString::fromLatin1(rng.pick(kDictation)), client),
                QStringLiteral("Dictated document for %1: formal phrasing, reference numbers, \"new paragraph\" and "
                               "\"full stop\" spoken aloud.")
                    .arg(client),
                QString::fromLatin1(rng.pick(kCommercialCategories))};
    }
    case DemoProfile::LegitimateHeavy: {
        const QString title = QString::fromLatin1(rng.pick(kMeetings));
        return {title,
                QStringLiteral("%1 with several participants taking turns; questions, decisions and action items "
                               "were noted.")
                    .arg(title),
                QString::fromLatin1(rng.pick(kMeetingCategories))};
    }
    case DemoProfile::Ordinary:
        break;
    }
    return {QStringLiteral("Conversation"), QString(), QStringLiteral("personal")};
}

QString evidenceReason(DemoProfile p) {
    switch (p) {
    case DemoProfile::Audiobook:
        return QStringLiteral("Numbered chapter read aloud for over an hour by a single voice");
    case DemoProfile::Podcast:
        return QStringLiteral("Episode structure with intro, sponsor read and outro");
    case DemoProfile::TvMovie:
        return QStringLiteral("Scripted multi-character dialogue with a soundtrack");
    case DemoProfile::Commercial:
        return QStringLiteral("Dictated business document, one of many in a few categories");
    case DemoProfile::LegitimateHeavy:
        return QStringLiteral("Long session with many speakers");
    case DemoProfile::Ordinary:
        break;
    }
    return {};
}

QString reasoningOf(DemoProfile p) {
    switch (p) {
    case DemoProfile::Audiobook:
        return QStringLiteral(
            "Most sessions are consecutive numbered chapters, each 60 to 90 minutes of near-continuous "
            "single-speaker speech. This is playback of an audiobook, not a conversation.");
    case DemoProfile::Podcast:
        return QStringLiteral("Five or more sessions of 25 to 90 minutes with episode titles, sponsor reads and "
                              "outros: recorded podcast episodes are being transcribed.");
    case DemoProfile::TvMovie:
        return QStringLiteral("Uniform episode-length sessions with scripted dialogue and soundtrack, titled like TV "
                              "episodes; the device is transcribing television.");
    case DemoProfile::Commercial:
        return QStringLiteral("More than twenty dictated documents a day in three categories for named clients: the "
                              "account is used as a commercial dictation service.");
    case DemoProfile::LegitimateHeavy:
        return QStringLiteral("Long days of sessions, but with varied speakers, questions and decisions; looks like "
                              "meetings. Score is borderline.");
    case DemoProfile::Ordinary:
        break;
    }
    return {};
}

QString actionFor(Stage s) {
    switch (s) {
    case Stage::Warning:
        return QStringLiteral("warning_sent");
    case Stage::Throttle:
        return QStringLiteral("throttled");
    case Stage::Restrict:
        return QStringLiteral("restricted");
    case Stage::None:
        break;
    }
    return QStringLiteral("none");
}

} // namespace fairuse::services::embedded
