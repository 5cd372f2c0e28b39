#include "logging/Logging.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>

#include <spdlog/logger.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace fairuse::services {

namespace {

const QString kRedacted = QStringLiteral("[redacted]");

/** Process-wide pipeline state. Leaked on purpose: Qt may log from static destructors after main() returns. */
struct Pipeline {
    std::mutex mutex;
    std::shared_ptr<spdlog::logger> logger;
    QtMessageHandler previous = nullptr;
    bool installed = false;
    QString filePath;
};

Pipeline& pipeline() {
    static auto* p = new Pipeline;
    return *p;
}

spdlog::level::level_enum toLevel(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return spdlog::level::debug;
    case QtInfoMsg:
        return spdlog::level::info;
    case QtWarningMsg:
        return spdlog::level::warn;
    case QtCriticalMsg:
        return spdlog::level::err;
    case QtFatalMsg:
        return spdlog::level::critical;
    }
    return spdlog::level::info;
}

void handleMessage(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    std::shared_ptr<spdlog::logger> logger;
    {
        std::lock_guard lock(pipeline().mutex);
        logger = pipeline().logger;
    }
    if (!logger) {
        return;
    }
    const char* category = context.category ? context.category : "default";
    const QByteArray line = QByteArray("[") + category + "] " + redactSecrets(message).toUtf8();
    logger->log(toLevel(type), spdlog::string_view_t(line.constData(), static_cast<std::size_t>(line.size())));
    if (type == QtFatalMsg) {
        logger->flush(); // Qt aborts right after the handler returns
    }
}

/** A token after "Bearer"/"Basic" is treated as a credential unless it reads like an ordinary word, so that
 *  "Bearer authentication is required" stays readable while real tokens (long, or with digits or symbols) go. */
bool looksLikeCredential(QStringView token) {
    if (token.size() >= 16) {
        return true;
    }
    if (token.size() < 6) {
        return false;
    }
    for (const QChar c : token) {
        if (c.isDigit() || QStringView(u"-._~+/=").contains(c)) {
            return true;
        }
    }
    return false;
}

using Replacer = std::function<QString(const QRegularExpressionMatch&)>;

QString replaceEach(const QString& text, const QRegularExpression& re, const Replacer& replacer) {
    QString out;
    qsizetype last = 0;
    QRegularExpressionMatchIterator it = re.globalMatch(text);
    if (!it.hasNext()) {
        return text;
    }
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        out += replacer(m);
        last = m.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

QRegularExpression rx(const char* pattern, QRegularExpression::PatternOptions extra = {}) {
    QRegularExpression re(QString::fromLatin1(pattern), QRegularExpression::CaseInsensitiveOption |
                                                            QRegularExpression::UseUnicodePropertiesOption | extra);
    re.optimize();
    return re;
}

struct Rule {
    QRegularExpression re;
    Replacer replace;
};

/** Keeps the given capture groups around the redacted part: groups before `secretGroup` stay, the secret goes,
 *  and the group after it (if any) stays. */
Replacer keepAround(int secretGroup) {
    return [secretGroup](const QRegularExpressionMatch& m) {
        QString s;
        for (int g = 1; g <= m.lastCapturedIndex(); ++g) {
            s += g == secretGroup ? kRedacted : m.captured(g);
        }
        return s;
    };
}

const std::vector<Rule>& rules() {
    static const std::vector<Rule> list = {
        // PEM private keys, also when cut off before the END line.
        {rx(R"re(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$))re",
            QRegularExpression::DotMatchesEverythingOption),
         [](const QRegularExpressionMatch&) { return kRedacted; }},
        // Credential headers written as JSON or quoted pairs: "Authorization": "Bearer x" (also QDebug-escaped).
        {rx(R"re(\b((?:proxy-)?authorization|x-api-key|x-goog-api-key|api-key|cookie|set-cookie)(\\?"\s*[:=]\s*\\?")((?:[^"\\]|\\[^"])*))re"),
         keepAround(3)},
        // Credential headers as lines: "Authorization: Bearer x". The rest of the line goes, because QDebug may have
        // printed the value as separate (quoted) arguments after the name.
        {rx(R"re(\b((?:proxy-)?authorization|x-api-key|x-goog-api-key|api-key|cookie|set-cookie)([ \t]*[:=][ \t]*)([^\r\n]+))re"),
         keepAround(3)},
        // Bare "Bearer <token>" / "Basic <base64>" anywhere (e.g. printed header lists), quoted or not.
        {rx(R"re(\b(bearer|basic)(\s+\\?"?)([A-Za-z0-9\-._~+/]+=*))re"),
         [](const QRegularExpressionMatch& m) {
             return looksLikeCredential(m.capturedView(3)) ? m.captured(1) + m.captured(2) + kRedacted : m.captured(0);
         }},
        // Secret JSON string fields: "field": "value" with JSON escapes inside the value (Firebase Auth's camelCase
        // "idToken", "refreshToken", "oauthAccessToken" too: the names match without regard to case)...
        {rx(R"re(("(?:api[_-]?key|(?:oauth[_-]?)?(?:access|refresh|id)[_-]?token|auth[_-]?token|session[_-]?token|client[_-]?secret|code[_-]?verifier|private[_-]?key|password|passwd|secret|token)"\s*:\s*")((?:[^"\\]|\\.)*)("))re"),
         keepAround(2)},
        // ...and the same JSON after QDebug escaped it: \"field\": \"value\".
        {rx(R"re((\\"(?:api[_-]?key|(?:oauth[_-]?)?(?:access|refresh|id)[_-]?token|auth[_-]?token|session[_-]?token|client[_-]?secret|code[_-]?verifier|private[_-]?key|password|passwd|secret|token)\\"\s*:\s*\\")((?:[^"\\]|\\[^"])*)(\\"))re"),
         keepAround(2)},
        // Secret query or form parameters: ?key=..., &access_token=..., password=...
        {rx(R"re((?<![\w\-])((?:api[_-]?key|key|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|token|client[_-]?secret|code[_-]?verifier|password|passwd|secret|sig|signature)=)([^&#\s"'\\]+))re"),
         keepAround(2)},
        // Passwords in URLs: scheme://user:password@host (redis, rediss, postgres, https, ...).
        {rx(R"re(\b([a-z][a-z0-9+.\-]*://)([^\s:@/?#"'\\]*)(:)([^\s/?#"'\\]+)(@))re"), keepAround(4)},
        // Well-known key formats and JWTs, wherever they appear. A JWT's signature may be empty: the Firebase Auth
        // emulator's ID tokens are unsigned (alg "none") and end with the dot.
        {rx(R"re(\b(?:sk-[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{35}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9\-]{10,}|eyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*))re"),
         [](const QRegularExpressionMatch&) { return kRedacted; }},
        // Google OAuth tokens wherever they appear: access tokens (ya29.), refresh tokens (1//0...), authorization
        // codes (4/0A...); Firebase refresh tokens (AMf-vB...) and the Auth emulator's (base64 of
        // {"_AuthEmulatorRefreshToken":...}).
        {rx(R"re((?<![\w./\-])(?:ya29\.(?=[A-Za-z0-9_\-.]{8,})[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*|1//0[A-Za-z0-9_\-]{16,}|4/0A[A-Za-z0-9_\-]{16,}|AMf-vB[A-Za-z0-9_\-]{16,}|eyJfQXV0aEVtdWxhdG9yUmVmcmVzaFRva2Vu[A-Za-z0-9_\-+/=]*))re"),
         [](const QRegularExpressionMatch&) { return kRedacted; }},
    };
    return list;
}

} // namespace

QString redactSecrets(const QString& message) {
    QString out = message;
    for (const Rule& rule : rules()) {
        out = replaceEach(out, rule.re, rule.replace);
    }
    return out;
}

Status installLogging(const QString& logDir, bool toStderr) {
    LoggingOptions options;
    options.logDir = logDir;
    options.toStderr = toStderr;
    return installLogging(options);
}

Status installLogging(const LoggingOptions& options) {
    if (options.logDir.isEmpty()) {
        return Error::invalid(QStringLiteral("no log folder given"));
    }
    if (options.maxFileBytes < 1024 || options.maxFiles < 1) {
        return Error::invalid(QStringLiteral("log rotation needs at least 1 KiB per file and 1 file"));
    }
    if (!QDir().mkpath(options.logDir)) {
        return Error::invalid(QStringLiteral("cannot create the log folder %1").arg(options.logDir));
    }
    const QString path = QDir(options.logDir).filePath(QStringLiteral("fairuse.log"));
    std::vector<spdlog::sink_ptr> sinks;
    try {
        // spdlog counts rotated files besides the current one.
        sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            QFile::encodeName(path).toStdString(), static_cast<std::size_t>(options.maxFileBytes),
            static_cast<std::size_t>(options.maxFiles - 1)));
    } catch (const spdlog::spdlog_ex& e) {
        return Error::invalid(QStringLiteral("cannot open the log file %1: %2").arg(path, QString::fromUtf8(e.what())));
    }
    if (options.toStderr) {
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    }
    auto logger = std::make_shared<spdlog::logger>("fairuse", sinks.begin(), sinks.end());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::trace); // Qt's category rules decide what reaches the handler
    logger->flush_on(spdlog::level::warn);

    std::shared_ptr<spdlog::logger> old;
    {
        std::lock_guard lock(pipeline().mutex);
        old = std::exchange(pipeline().logger, logger);
        pipeline().filePath = path;
        if (!pipeline().installed) {
            pipeline().installed = true;
            pipeline().previous = qInstallMessageHandler(handleMessage);
        }
    }
    if (old) {
        old->flush();
    }
    return {};
}

void uninstallLogging() {
    std::shared_ptr<spdlog::logger> old;
    {
        std::lock_guard lock(pipeline().mutex);
        if (!pipeline().installed) {
            return;
        }
        qInstallMessageHandler(pipeline().previous);
        pipeline().installed = false;
        pipeline().previous = nullptr;
        pipeline().filePath.clear();
        old = std::exchange(pipeline().logger, nullptr);
    }
    if (old) {
        old->flush();
    }
}

void flushLogging() {
    std::shared_ptr<spdlog::logger> logger;
    {
        std::lock_guard lock(pipeline().mutex);
        logger = pipeline().logger;
    }
    if (logger) {
        logger->flush();
    }
}

QString logFilePath() {
    std::lock_guard lock(pipeline().mutex);
    return pipeline().filePath;
}

QString defaultLogDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/logs");
}

} // namespace fairuse::services
