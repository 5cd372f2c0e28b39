#pragma once

#include "Backend.h"
#include "casework/Casework.h"
#include "common/Domain.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <optional>

namespace fairuse::models {

/**
 * The team's casework documents (casework/Casework.h: escalations and snoozes), read with one small query
 * (CaseStore::listCasework) when asked and every `interval` after start(), for the queue's Escalated and snooze views
 * and its markers. A store that keeps none (ErrorKind::Unavailable) turns the object off: supported() is false and
 * the queue shows every row unmarked.
 */
class QueueCasework : public QObject {
    Q_OBJECT
public:
    explicit QueueCasework(Backend& backend, QObject* parent = nullptr);

    void start(std::chrono::milliseconds interval = std::chrono::seconds(30));
    /** Reads the casework documents now; emits changed() when they arrived. */
    void refresh();

    bool supported() const { return m_supported; }
    std::optional<Casework> caseworkOf(const QString& uid) const;
    /** Where the user's snooze stands now (the state gives the last cap hit). */
    casework::SnoozeState snoozeStateOf(const FairUseState& state) const;
    TimePoint now() const;

Q_SIGNALS:
    void changed();

private:
    Backend& m_backend;
    QHash<QString, Casework> m_all;
    QTimer m_poll;
    bool m_supported = true;
    bool m_reading = false;
};

} // namespace fairuse::models
