#include "EnforcerConfigFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace fairuse::enforcer {

namespace {

enum class Kind { String, Whole, MicroUsd, Flag };

/** One key of the file: the option it stands for and the JSON type it must have. */
struct Key {
    const char* key;
    const char* option;
    Kind kind;
    const char* help;
};

constexpr Key kKeys[] = {
    {"redis", "redis", Kind::String, "the --redis URL, without a password (that is FAIRUSE_REDIS_PASSWORD's)"},
    {"firestore", "firestore", Kind::String, "the --firestore project"},
    {"emulator", "emulator", Kind::Flag, "true: the project is the emulator's (--emulator)"},
    {"allow_plaintext_redis", "allow-plaintext-redis", Kind::Flag, "true: --allow-plaintext-redis"},
    {"redis_cluster", "redis-cluster", Kind::Flag, "true: --redis-cluster"},
    {"lease_ttl_seconds", "lease-ttl", Kind::Whole, "--lease-ttl"},
    {"interval_seconds", "interval", Kind::Whole, "loop mode's --interval"},
    {"listen", "listen", Kind::String, "--listen HOST:PORT"},
    {"shadow", "shadow", Kind::Flag, "true: --shadow"},
    {"no_notifications", "no-notifications", Kind::Flag, "true: --no-notifications"},
    {"identity", "identity", Kind::String, "--identity"},
    {"instance_name", "instance-name", Kind::String, "--instance-name"},
    {"policy", "policy", Kind::String, "--policy FILE"},
    {"llm_base_url", "llm-base-url", Kind::String, "--llm-base-url"},
    {"llm_model", "llm-model", Kind::String, "--llm-model"},
    {"llm_api_key_file", "", Kind::String, "a file with the LLM API key, mode 600 (FAIRUSE_LLM_API_KEY wins)"},
    {"log_dir", "log-dir", Kind::String, "--log-dir"},
    {"llm_cap_basic_daily_micro_usd", "llm-cap-basic-daily", Kind::MicroUsd, "--llm-cap-basic-daily"},
    {"llm_cap_basic_monthly_micro_usd", "llm-cap-basic-monthly", Kind::MicroUsd, "--llm-cap-basic-monthly"},
    {"llm_cap_unlimited_daily_micro_usd", "llm-cap-unlimited-daily", Kind::MicroUsd, "--llm-cap-unlimited-daily"},
    {"llm_cap_unlimited_monthly_micro_usd", "llm-cap-unlimited-monthly", Kind::MicroUsd, "--llm-cap-unlimited-monthly"},
};

/** Key names that hold a secret: refused, whatever else the key is. */
bool namesSecret(const QString& key) {
    const QString k = key.toLower();
    if (k == QLatin1String("llm_api_key_file")) {
        return false;
    }
    for (const char* word : {"password", "passwd", "secret", "api_key", "apikey", "token", "private_key"}) {
        if (k.contains(QLatin1String(word))) {
            return true;
        }
    }
    return false;
}

QString typeName(const QJsonValue& v) {
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

/** Line and column (from 1) of a byte offset, for a syntax error. */
QString position(const QByteArray& text, int offset) {
    const QByteArray before = text.left(offset);
    const qsizetype line = before.count('\n') + 1;
    const qsizetype column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

} // namespace

QString configHelp() {
    QString help;
    for (const Key& k : kKeys) {
        // A key longer than the column still gets a space before its help.
        const QString key = QString::fromLatin1(k.key).leftJustified(22, QLatin1Char(' ')) + QLatin1Char(' ');
        help += QStringLiteral("                         %1%2\n").arg(key, QString::fromLatin1(k.help));
    }
    return help;
}

Result<ConfigFile> readConfigFile(const QString& path) {
    const auto invalid = [&path](const QString& why) {
        return Error::invalid(QStringLiteral("--config %1: %2").arg(path, why));
    };
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return invalid(QStringLiteral("cannot read it (%1)").arg(f.errorString()));
    }
    const QByteArray text = f.readAll();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return invalid(
            QStringLiteral("not JSON at %1: %2").arg(position(text, parseError.offset), parseError.errorString()));
    }
    if (!doc.isObject()) {
        return invalid(QStringLiteral("must hold one JSON object"));
    }
    const QJsonObject o = doc.object();
    ConfigFile config;
    config.path = path;
    // Secrets first, so a file with a password is refused for that, not as an unknown key.
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        if (namesSecret(it.key())) {
            return invalid(QStringLiteral("\"%1\" looks like a secret, and secrets never go in the config file: put "
                                          "the Redis password in FAIRUSE_REDIS_PASSWORD and the LLM key in a file "
                                          "named by llm_api_key_file (or FAIRUSE_LLM_API_KEY)")
                               .arg(it.key()));
        }
    }
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        const Key* key = nullptr;
        for (const Key& k : kKeys) {
            if (it.key() == QLatin1String(k.key)) {
                key = &k;
            }
        }
        if (!key) {
            return invalid(QStringLiteral("unknown key \"%1\" (fairuse-enforcer --help lists the keys)").arg(it.key()));
        }
        const QJsonValue v = it.value();
        const QString option = QString::fromLatin1(key->option);
        switch (key->kind) {
        case Kind::String:
            if (!v.isString()) {
                return invalid(QStringLiteral("\"%1\" must be a string, not %2").arg(it.key(), typeName(v)));
            }
            if (!option.isEmpty()) {
                config.values.insert(option, v.toString());
            }
            break;
        case Kind::Whole:
            if (!v.isDouble() || v.toDouble() != static_cast<double>(v.toInteger())) {
                return invalid(QStringLiteral("\"%1\" must be a whole number, not %2").arg(it.key(), typeName(v)));
            }
            config.values.insert(option, QString::number(v.toInteger()));
            break;
        case Kind::MicroUsd:
            if (!v.isDouble() || v.toDouble() != static_cast<double>(v.toInteger()) || v.toInteger() < 0 ||
                v.toInteger() > kMaxCapMicroUsd) {
                return invalid(QStringLiteral("\"%1\" must be a whole number of micro-USD from 0 to %2 (1000000 is "
                                              "$1), not %3")
                                   .arg(it.key())
                                   .arg(kMaxCapMicroUsd)
                                   .arg(v.isDouble() ? QString::number(v.toDouble(), 'g', 17) : typeName(v)));
            }
            config.values.insert(option, QString::number(v.toInteger()));
            break;
        case Kind::Flag:
            if (!v.isBool()) {
                return invalid(QStringLiteral("\"%1\" must be true or false, not %2").arg(it.key(), typeName(v)));
            }
            if (v.toBool()) {
                config.flags.insert(option);
            }
            break;
        }
    }
    // Files the config names are found beside it, as an operator reading the config expects.
    const QDir folder(QFileInfo(path).absolutePath());
    for (const QString& option : {QStringLiteral("policy"), QStringLiteral("log-dir")}) {
        if (config.values.contains(option)) {
            config.values.insert(option, folder.absoluteFilePath(config.values.value(option)));
        }
    }
    if (config.values.contains(QStringLiteral("redis"))) {
        const QUrl url(config.values.value(QStringLiteral("redis")));
        if (!url.password().isEmpty()) {
            return invalid(QStringLiteral("\"redis\" holds a password, and secrets never go in the config file: "
                                          "put it in FAIRUSE_REDIS_PASSWORD"));
        }
    }
    if (o.contains(QStringLiteral("llm_api_key_file"))) {
        const QString keyPath = folder.absoluteFilePath(o.value(QStringLiteral("llm_api_key_file")).toString());
        const QFileInfo info(keyPath);
        if (!info.isFile()) {
            return invalid(QStringLiteral("llm_api_key_file %1 is not a file").arg(keyPath));
        }
        if (info.permissions() & QFileDevice::ReadOther) {
            return invalid(QStringLiteral("llm_api_key_file %1 is readable by every user of the machine: "
                                          "chmod 600 it (or 640 for the service's group)")
                               .arg(keyPath));
        }
        QFile keyFile(keyPath);
        if (!keyFile.open(QIODevice::ReadOnly)) {
            return invalid(QStringLiteral("cannot read llm_api_key_file %1 (%2)").arg(keyPath, keyFile.errorString()));
        }
        config.llmKey = QString::fromUtf8(keyFile.readAll()).trimmed();
        if (config.llmKey.isEmpty()) {
            return invalid(QStringLiteral("llm_api_key_file %1 is empty").arg(keyPath));
        }
    }
    return config;
}

} // namespace fairuse::enforcer
