#include "classifier/HeuristicClassifier.h"

#include "classifier/ClassifierConfig.h"
#include "classifier/ClassifierPrompt.h"
#include "classifier/Recipe.h"

#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace fairuse::classifier {

namespace {

/** One keyword rule. Patterns are matched case-insensitively against the title and the category. */
struct Rule {
    UsageType type;
    bool strong;
    const char* pattern;
};

// Order matters only for ties between types of equal strength: the first listed type wins ("Season 2 Episode 3"
// is television, not a podcast).
constexpr std::array kTypePriority{UsageType::TvMovie, UsageType::Audiobook, UsageType::Podcast, UsageType::Commercial,
                                   UsageType::Prerecorded};

constexpr std::array kRules{
    // Television and film
    Rule{UsageType::TvMovie, true, R"(\bs\d{1,2}\s?e\d{1,3}\b)"},
    Rule{UsageType::TvMovie, true, R"(\bseason\s+\d+\b)"},
    Rule{UsageType::TvMovie, true, R"(\btrailer\b)"},
    Rule{UsageType::TvMovie, true, R"(\bmovie\b)"},
    Rule{UsageType::TvMovie, true, R"(\bfilm\b)"},
    Rule{UsageType::TvMovie, true, R"(\bsitcom\b)"},
    Rule{UsageType::TvMovie, true, R"(\btv\s+(show|series)\b)"},
    Rule{UsageType::TvMovie, true, R"(\bnetflix\b)"},
    Rule{UsageType::TvMovie, false, R"(\bseries\b)"},
    Rule{UsageType::TvMovie, false, R"(\bdocumentary\b)"},
    Rule{UsageType::TvMovie, false, R"(\banime\b)"},
    Rule{UsageType::TvMovie, false, R"(\bentertainment\b)"},
    // Audiobooks
    Rule{UsageType::Audiobook, true,
         R"(\bchapter\s+(\d+|[ivxlc]+|one|two|three|four|five|six|seven|eight|nine|ten)\b)"},
    Rule{UsageType::Audiobook, true, R"(\baudio\s?books?\b)"},
    Rule{UsageType::Audiobook, true, R"(\bnarrated\b)"},
    Rule{UsageType::Audiobook, true, R"(\bnarrator\b)"},
    Rule{UsageType::Audiobook, true, R"(\bunabridged\b)"},
    Rule{UsageType::Audiobook, false, R"(\bchapter\b)"},
    Rule{UsageType::Audiobook, false, R"(\bnovel\b)"},
    Rule{UsageType::Audiobook, false, R"(\bprologue\b)"},
    Rule{UsageType::Audiobook, false, R"(\bepilogue\b)"},
    Rule{UsageType::Audiobook, false, R"(\bliterature\b)"},
    // Podcasts
    Rule{UsageType::Podcast, true, R"(\bpodcasts?\b)"},
    Rule{UsageType::Podcast, true, R"(\bep(isode)?\.?\s*#?\d+\b)"},
    Rule{UsageType::Podcast, false, R"(\bepisode\b)"},
    Rule{UsageType::Podcast, false, R"(\bsponsor(ed)?\b)"},
    Rule{UsageType::Podcast, false, R"(\blisteners\b)"},
    // Transcription as a business
    Rule{UsageType::Commercial, true, R"(\bdictation\b)"},
    Rule{UsageType::Commercial, true, R"(\binvoices?\b)"},
    Rule{UsageType::Commercial, true, R"(\bdeposition\b)"},
    Rule{UsageType::Commercial, true, R"(\btranscription\s+(job|order|service|request)s?\b)"},
    Rule{UsageType::Commercial, true, R"(\b(job|order)\s*#\s*\d+\b)"},
    Rule{UsageType::Commercial, false, R"(\btranscri(be|bed|bing|ption|pt)\b)"},
    Rule{UsageType::Commercial, false, R"(\bclients?\b)"},
    Rule{UsageType::Commercial, false, R"(\bbilling\b)"},
    // Other recorded media
    Rule{UsageType::Prerecorded, true, R"(\brecorded\s+(talk|video|course|webinar|lesson|lecture)s?\b)"},
    Rule{UsageType::Prerecorded, true, R"(\bwebinar\s+replay\b)"},
    Rule{UsageType::Prerecorded, false, R"(\byoutube\b)"},
    Rule{UsageType::Prerecorded, false, R"(\bvideo\b)"},
    Rule{UsageType::Prerecorded, false, R"(\b(lesson|module)\s+\d+\b)"},
};

/** Legitimate heavy use (SPEC 2.2): never counted as misuse, whatever else the title says. */
constexpr const char* kProtectedPattern =
    R"(\b(meetings?|stand-?ups?|sync|1:1|one-on-one|calls?|phone|zoom|teams|conference|summit|keynote|panel|)"
    R"(lectures?|class(es)?|seminar|workshop|course\s+session|tutoring|office\s+hours|brainstorm(ing)?|)"
    R"(interview|retro(spective)?|catch[- ]up|planning|discussion|dinner|lunch|family|personal|social|)"
    R"(parenting|romance|relationships?|friends?|chat|therapy|doctor|appointment|education|school|university|study)\b)";

/** Sources that mean a file was played in, not a conversation held. */
constexpr const char* kRecordedSourcePattern = R"(\b(upload(ed)?|import(ed)?|file|audio_file)\b)";

struct Matcher {
    UsageType type;
    bool strong;
    QRegularExpression re;
};

const QList<Matcher>& matchers() {
    static const QList<Matcher> list = [] {
        QList<Matcher> out;
        for (const Rule& r : kRules) {
            out.append({r.type, r.strong,
                        QRegularExpression(QString::fromLatin1(r.pattern), QRegularExpression::CaseInsensitiveOption)});
        }
        return out;
    }();
    return list;
}

const QRegularExpression& protectedRe() {
    static const QRegularExpression re(QString::fromLatin1(kProtectedPattern),
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

const QRegularExpression& recordedSourceRe() {
    static const QRegularExpression re(QString::fromLatin1(kRecordedSourcePattern),
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

/** What the heuristic makes of one conversation. */
struct Reading {
    const Conversation* conversation = nullptr;
    double minutes = 0.0;
    QString protectedBy;           ///< the protecting word, empty when not protected
    std::optional<UsageType> type; ///< matched type, if any
    bool strong = false;
    QString matched; ///< the text that matched, quoted in evidence

    double weight() const {
        if (!type) {
            return 0.0;
        }
        return strong ? config::kHeuristicStrongWeight : config::kHeuristicWeakWeight;
    }
};

int priorityOf(UsageType t) {
    const auto it = std::find(kTypePriority.begin(), kTypePriority.end(), t);
    return static_cast<int>(it - kTypePriority.begin());
}

Reading readConversation(const Conversation& c) {
    Reading r;
    r.conversation = &c;
    r.minutes = std::max(0.0, c.durationMinutes());
    const QString text = QString(c.title + QStringLiteral(" \u2014 ") + c.category);
    if (const QRegularExpressionMatch m = protectedRe().match(text); m.hasMatch()) {
        r.protectedBy = m.captured(0);
        return r;
    }
    // Per type: 2 points for a strong match, 1 for a weak one (not added up: "Season 2 Episode 3" is one strong
    // television match, not a stronger podcast one), and the text that matched.
    std::array<int, kTypePriority.size()> points{};
    std::array<bool, kTypePriority.size()> strong{};
    std::array<QString, kTypePriority.size()> first{};
    for (const Matcher& m : matchers()) {
        const QRegularExpressionMatch hit = m.re.match(text);
        if (!hit.hasMatch()) {
            continue;
        }
        const int i = priorityOf(m.type);
        points[i] = std::max(points[i], m.strong ? 2 : 1);
        strong[i] = strong[i] || m.strong;
        if (first[i].isEmpty() || m.strong) {
            first[i] = hit.captured(0);
        }
    }
    if (recordedSourceRe().match(c.source).hasMatch()) {
        const int i = priorityOf(UsageType::Prerecorded);
        points[i] = std::max(points[i], 1);
        if (first[i].isEmpty()) {
            first[i] = QString(QStringLiteral("source ") + c.source);
        }
    }
    int best = -1;
    for (int i = 0; i < static_cast<int>(kTypePriority.size()); ++i) {
        if (points[i] > 0 && (best < 0 || points[i] > points[best])) {
            best = i;
        }
    }
    if (best >= 0) {
        r.type = kTypePriority[best];
        r.strong = strong[best];
        r.matched = first[best];
    }
    return r;
}

std::optional<Recipe> recipeFor(UsageType t) {
    switch (t) {
    case UsageType::Audiobook:
        return Recipe::Audiobook;
    case UsageType::Podcast:
        return Recipe::Podcast;
    case UsageType::Commercial:
        return Recipe::Commercial;
    case UsageType::TvMovie:
    case UsageType::Prerecorded:
        return Recipe::Prerecorded;
    case UsageType::None:
    case UsageType::Unknown:
        break;
    }
    return std::nullopt;
}

double round3(double v) {
    return std::round(v * 1000.0) / 1000.0;
}

QString minutesText(double minutes) {
    return QString(QString::number(std::lround(minutes)) + QStringLiteral(" min"));
}

QString percentText(double share) {
    return QString(QString::number(std::lround(share * 100.0)) + QStringLiteral("%"));
}

/** Evidence order: strong before weak, longer first, then newest, then id, so it is deterministic. */
bool evidenceBefore(const Reading* a, const Reading* b) {
    if (a->weight() != b->weight()) {
        return a->weight() > b->weight();
    }
    if (a->minutes != b->minutes) {
        return a->minutes > b->minutes;
    }
    if (a->conversation->createdAt != b->conversation->createdAt) {
        return a->conversation->createdAt > b->conversation->createdAt;
    }
    return a->conversation->id < b->conversation->id;
}

} // namespace

ClassifierResult classifyHeuristically(const QList<Conversation>& conversations, TimePoint now) {
    ClassifierResult result;
    result.model = QStringLiteral("heuristic");
    result.promptVersion = QString::fromLatin1(kHeuristicVersion);
    result.heuristic = true;

    const QList<Conversation> input = selectInputConversations(conversations, now);
    if (input.isEmpty()) {
        result.reasoning =
            QStringLiteral("Heuristic: no conversations in the last 7 days, so nothing suggests misuse.");
        return result;
    }

    QList<Reading> readings;
    readings.reserve(input.size());
    double totalMinutes = 0.0;
    for (const Conversation& c : input) {
        readings.append(readConversation(c));
        totalMinutes += readings.back().minutes;
    }
    const double n = static_cast<double>(readings.size());
    // Share of the user's time; with no usable durations at all, share of the conversations instead.
    const auto share = [&](double minutes, double count) {
        return totalMinutes > 0.0 ? minutes / totalMinutes : count / n;
    };

    double protectedMinutes = 0.0;
    double protectedCount = 0.0;
    QList<Conversation> unprotected;
    for (const Reading& r : readings) {
        if (!r.protectedBy.isEmpty()) {
            protectedMinutes += r.minutes;
            protectedCount += 1.0;
        } else {
            unprotected.append(*r.conversation);
        }
    }
    const double protectedShare = share(protectedMinutes, protectedCount);

    struct TypeScore {
        UsageType type = UsageType::None;
        double score = 0.0;
        double share = 0.0;
        double count = 0.0;
        bool recipe = false;
        bool shapeOnly = false;
    };
    TypeScore best;
    for (UsageType type : kTypePriority) {
        TypeScore s;
        s.type = type;
        double minutes = 0.0;
        QList<Conversation> matched;
        for (const Reading& r : readings) {
            if (r.type == type) {
                s.count += r.weight();
                minutes += r.weight() * r.minutes;
                matched.append(*r.conversation);
            }
        }
        s.share = share(minutes, s.count);
        s.score = config::kHeuristicKeywordScale * s.share * std::min(1.0, s.count / config::kHeuristicFullCount);
        if (const auto recipe = recipeFor(type); s.count > 0.0 && recipe && selectRecipes(matched).contains(*recipe)) {
            s.recipe = true;
            s.score += config::kHeuristicRecipeBonus;
        }
        if (type == UsageType::Prerecorded && selectRecipes(unprotected).contains(Recipe::Prerecorded)) {
            // Uniform lengths without any telling title: a reason to look, not to escalate.
            double unprotectedMinutes = 0.0;
            for (const Conversation& c : unprotected) {
                unprotectedMinutes += std::max(0.0, c.durationMinutes());
            }
            const double shapeScore = config::kHeuristicShapeOnlyMaxScore *
                                      share(unprotectedMinutes, static_cast<double>(unprotected.size()));
            if (shapeScore > s.score) {
                s.score = shapeScore;
                s.shapeOnly = true;
                s.recipe = true;
            }
        }
        s.score = round3(std::min(s.score, config::kHeuristicMaxScore));
        if (s.score > best.score) {
            best = s;
        }
    }

    result.misuseScore = best.score;
    result.usageType = best.score >= config::kHeuristicTypeThreshold ? best.type : UsageType::None;
    const double dominance = std::max(best.score > 0.0 ? best.share : 0.0, protectedShare);
    result.confidence =
        round3(config::kHeuristicMinConfidence +
               (config::kHeuristicMaxConfidence - config::kHeuristicMinConfidence) * std::min(1.0, dominance));

    if (best.score > 0.0) {
        QList<const Reading*> drivers;
        for (const Reading& r : readings) {
            const bool drives = best.shapeOnly ? r.protectedBy.isEmpty() && r.minutes > 0.0 : r.type == best.type;
            if (drives) {
                drivers.append(&r);
            }
        }
        std::sort(drivers.begin(), drivers.end(), evidenceBefore);
        for (const Reading* r : drivers.mid(0, config::kMaxEvidence)) {
            QString reason;
            if (best.shapeOnly) {
                reason = QString(QStringLiteral("one of several sessions of nearly the same length (") +
                                 minutesText(r->minutes) + QStringLiteral(")"));
            } else {
                reason = QString((r->strong ? QStringLiteral("title or category says \"")
                                            : QStringLiteral("title or category hints \"")) +
                                 r->matched + QStringLiteral("\" (") + toString(best.type) + QStringLiteral("), ") +
                                 minutesText(r->minutes));
            }
            result.evidence.append(Evidence{r->conversation->id, r->conversation->title, reason});
        }
    }

    QString reasoning = QString(QStringLiteral("Heuristic (") + result.promptVersion + QStringLiteral(") over ") +
                                QString::number(readings.size()) + QStringLiteral(" conversations, ") +
                                minutesText(totalMinutes) + QStringLiteral(" in the last 7 days. "));
    if (best.score <= 0.0) {
        reasoning += QStringLiteral("No title or category points to media playback or commercial transcription. ");
    } else if (best.shapeOnly) {
        reasoning +=
            QString(QStringLiteral("Session lengths are nearly uniform, which recorded media can cause, but no "
                                   "title says so; shape alone stays below the escalation range. "));
    } else {
        int strongCount = 0;
        int weakCount = 0;
        for (const Reading& r : readings) {
            if (r.type == best.type) {
                ++(r.strong ? strongCount : weakCount);
            }
        }
        reasoning +=
            QString(QString::number(strongCount + weakCount) + QStringLiteral(" conversations (") +
                    percentText(best.share) + QStringLiteral(" of the speech time; ") + QString::number(weakCount) +
                    QStringLiteral(" of them weak matches counted half) look like ") + toString(best.type) +
                    QStringLiteral(" by their titles or categories") +
                    (best.recipe ? QStringLiteral(", and their lengths fit that pattern. ") : QStringLiteral(". ")));
    }
    if (protectedCount > 0.0) {
        reasoning += QString(QString::number(static_cast<int>(protectedCount)) + QStringLiteral(" conversations (") +
                             percentText(protectedShare) +
                             QStringLiteral(" of the speech time) are meetings, calls, lectures, conferences or "
                                            "personal conversations, which never count as misuse. "));
    }
    reasoning += QStringLiteral("Titles only: a reviewer should read the conversations before acting.");
    result.reasoning = reasoning;
    return result;
}

} // namespace fairuse::classifier
