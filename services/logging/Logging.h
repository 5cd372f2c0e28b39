#pragma once

#include "common/Result.h"

#include <QLoggingCategory>
#include <QString>

namespace fairuse {

/** One logging category per module. Use them as `qCInfo(fairuse::lcRedis) << ...`; every category (and plain
 *  qDebug/qWarning) ends up in the pipeline of installLogging(). Enable debug output with the usual Qt rules,
 *  e.g. QT_LOGGING_RULES="fairuse.redis.debug=true". */
Q_DECLARE_LOGGING_CATEGORY(lcRedis)
Q_DECLARE_LOGGING_CATEGORY(lcFirestore)
Q_DECLARE_LOGGING_CATEGORY(lcLlm)
Q_DECLARE_LOGGING_CATEGORY(lcStore)
Q_DECLARE_LOGGING_CATEGORY(lcUi)
Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcEnforcer)

} // namespace fairuse

namespace fairuse::services {

/** Where and how much to log. */
struct LoggingOptions {
    QString logDir;                        ///< created if missing; the file is `fairuse.log` in it
    bool toStderr = true;                  ///< also write every line to stderr
    qint64 maxFileBytes = 5 * 1024 * 1024; ///< rotate when the current file would exceed this
    int maxFiles = 3;                      ///< files kept in total: fairuse.log, fairuse.1.log, ...
};

/**
 * The one logging pipeline: installs a Qt message handler that redacts every message (redactSecrets()) and routes
 * it into spdlog, with a rotating file sink (5 MB x 3 files by default) and optionally stderr. Lines look like
 * `2026-03-20T10:15:00.123Z warn  [fairuse.redis] message` (UTC). Warnings and worse are flushed at once.
 * Calling it again replaces the previous sinks. Invalid when logDir is empty or cannot be created.
 */
Status installLogging(const QString& logDir, bool toStderr);
Status installLogging(const LoggingOptions& options);

/** Restores the message handler that was active before installLogging() and closes the log file. */
void uninstallLogging();

/** Writes buffered lines to the file now (e.g. before reading the log, or before exiting). */
void flushLogging();

/** Path of the current log file, empty when logging is not installed. */
QString logFilePath();

/** The app's data folder + "/logs" (QStandardPaths::AppLocalDataLocation). */
QString defaultLogDir();

/**
 * Replaces secrets in a log message by "[redacted]": bearer and basic credentials, Authorization / API-key /
 * cookie headers, API keys (sk-..., Google AIza..., GitHub, AWS, Slack), JWTs, passwords in URLs
 * (redis://user:pass@host), private-key PEM blocks, secret JSON fields ("api_key", "password", "access_token",
 * "refresh_token", "id_token", "client_secret", "private_key", "token", ...) including QDebug-escaped JSON, and
 * secret query or form parameters (key=, api_key=, access_token=, password=, ...). Keeps the surrounding text,
 * so the log still says which header or field was involved.
 */
QString redactSecrets(const QString& message);

} // namespace fairuse::services
