#pragma once

#include <QHostAddress>
#include <QString>
#include <QUrl>

namespace fairuse::services {

/**
 * True for a host that is this machine: "localhost", 127.0.0.0/8 or ::1 (with or without brackets). Guardrails use it
 * to tell a local emulator or test server from a shared one; names that merely resolve to a loopback address do not
 * count, because what they resolve to can change.
 */
inline bool isLoopbackHost(const QString& host) {
    QString h = host.trimmed();
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']'))) {
        h = h.mid(1, h.size() - 2);
    }
    if (h.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) {
        return true;
    }
    const QHostAddress address(h);
    return !address.isNull() && address.isLoopback();
}

/** The host of "host:port", "[v6]:port" or a bare host (the form of FIRESTORE_EMULATOR_HOST); empty when unreadable. */
inline QString hostOfHostPort(const QString& hostPort) {
    const QUrl url(QStringLiteral("http://") + hostPort.trimmed(), QUrl::StrictMode);
    return url.isValid() ? url.host(QUrl::FullyDecoded) : QString();
}

} // namespace fairuse::services
