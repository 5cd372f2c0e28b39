#pragma once

#include "common/Domain.h"
#include "common/Time.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <cmath>

/** Builders shared by the classifier tests. Times are fixed: tests never read the clock. */
namespace classifier_test {

using namespace std::chrono_literals;

/** 2026-03-20T12:00:00Z, the "now" of every test. */
inline const fairuse::TimePoint kNow = fairuse::fromUnixMs(1774008000000);

/** A conversation created `ageMinutes` before kNow that lasted `minutes` (and ended when it was created). */
inline fairuse::Conversation conversation(const QString& id, const QString& title, double minutes,
                                          const QString& category = QStringLiteral("other"), double ageMinutes = 0.0,
                                          const QString& overview = QString(),
                                          const QString& source = QStringLiteral("omi")) {
    fairuse::Conversation c;
    c.id = id;
    c.title = title;
    c.overview = overview;
    c.category = category;
    c.source = source;
    c.createdAt = kNow - fairuse::Milliseconds{std::llround(ageMinutes * 60'000.0)};
    c.finishedAt = c.createdAt;
    c.startedAt = c.finishedAt - fairuse::Milliseconds{std::llround(minutes * 60'000.0)};
    return c;
}

/** Conversations c1..cN with the given durations, one hour apart (c1 newest), category "other". */
inline QList<fairuse::Conversation> withDurations(const QList<double>& minutes) {
    QList<fairuse::Conversation> list;
    for (qsizetype i = 0; i < minutes.size(); ++i) {
        list.append(conversation(QStringLiteral("c%1").arg(i + 1), QStringLiteral("Conversation %1").arg(i + 1),
                                 minutes.at(i), QStringLiteral("other"), 60.0 * static_cast<double>(i)));
    }
    return list;
}

/** The ids of `list`, in order. */
inline QStringList idsOf(const QList<fairuse::Conversation>& list) {
    QStringList out;
    for (const fairuse::Conversation& c : list) {
        out.append(c.id);
    }
    return out;
}

/** The conversation ids of the evidence of `r`, in order. */
inline QStringList evidenceIds(const fairuse::ClassifierResult& r) {
    QStringList out;
    for (const fairuse::Evidence& e : r.evidence) {
        out.append(e.conversationId);
    }
    return out;
}

} // namespace classifier_test
