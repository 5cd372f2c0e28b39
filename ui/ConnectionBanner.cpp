#include "ConnectionBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>

#include <algorithm>

namespace fairuse::ui {

ConnectionBanner::ConnectionBanner(QWidget* parent)
    : QFrame(parent)
    , m_text(new QLabel(this))
    , m_retry(new QPushButton(tr("Retry now"), this)) {
    setFrameShape(QFrame::StyledPanel);
    // The palette's highlight colours keep the banner visible in light and dark themes without fixed colours.
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::ToolTipBase);
    setForegroundRole(QPalette::ToolTipText);
    setAccessibleName(tr("Connection problem"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_retry->setAccessibleName(tr("Retry now"));
    auto* icon = new QLabel(this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(24, 24));
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_retry);
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &ConnectionBanner::tick);
    connect(m_retry, &QPushButton::clicked, this, [this] {
        m_countdown.stop();
        Q_EMIT retryRequested();
    });
    hide();
}

int ConnectionBanner::backoffMs(int attempt) {
    const int exponent = std::clamp(attempt - 1, 0, 6);
    return std::min(60'000, 1000 << exponent);
}

void ConnectionBanner::showFailure(const QString& whatFailed, const QString& whatToDo) {
    m_whatFailed = whatFailed;
    m_whatToDo = whatToDo;
    ++m_attempts;
    m_secondsLeft = backoffMs(m_attempts) / 1000;
    updateText();
    show();
    m_countdown.start();
}

void ConnectionBanner::clear() {
    m_attempts = 0;
    m_countdown.stop();
    hide();
}

void ConnectionBanner::tick() {
    --m_secondsLeft;
    if (m_secondsLeft <= 0) {
        m_countdown.stop();
        Q_EMIT retryRequested();
        return;
    }
    updateText();
}

void ConnectionBanner::updateText() {
    m_text->setText(tr("<b>%1</b><br>%2 Retrying in %n second(s).", nullptr, m_secondsLeft)
                        .arg(m_whatFailed.toHtmlEscaped(), m_whatToDo.toHtmlEscaped()));
}

} // namespace fairuse::ui
