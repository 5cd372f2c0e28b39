#pragma once

#include <QFrame>
#include <QTimer>

class QLabel;
class QPushButton;

namespace fairuse::ui {

/**
 * A banner across the top of the window for a lost connection: says what failed and what to do, counts down to
 * the next automatic retry with exponential backoff (1 s, 2 s, 4 s ... capped at 60 s) and offers "Retry now".
 * The owner connects retryRequested() to whatever failed and calls clear() when a call succeeds again.
 */
class ConnectionBanner : public QFrame {
    Q_OBJECT
public:
    explicit ConnectionBanner(QWidget* parent = nullptr);

    /** Shows the banner (or updates it) and schedules the next retry with the next backoff delay. */
    void showFailure(const QString& whatFailed, const QString& whatToDo);
    /** Hides the banner and resets the backoff. */
    void clear();

    int attempts() const { return m_attempts; }
    /** Delay before retry number `attempt` (1-based), in milliseconds. */
    static int backoffMs(int attempt);

Q_SIGNALS:
    void retryRequested();

private:
    void tick();
    void updateText();

    QLabel* m_text;
    QPushButton* m_retry;
    QTimer m_countdown;
    QString m_whatFailed;
    QString m_whatToDo;
    int m_attempts = 0;
    int m_secondsLeft = 0;
};

} // namespace fairuse::ui
