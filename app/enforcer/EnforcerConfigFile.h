#pragma once
// fairuse-enforcer's --config FILE: the command line's settings in a JSON object, read strictly. Secrets stay out of
// it: the LLM key is read from the file its llm_api_key_file names, the Redis password from the environment.

#include "common/Result.h"

#include <QHash>
#include <QSet>
#include <QString>

namespace fairuse::enforcer {

/** The highest LLM-spend cap the command line and the config file take: $1,000,000, in micro-USD. */
inline constexpr qint64 kMaxCapMicroUsd = 1'000'000'000'000;

/** A config file read: values by the long name of the option they stand for ("redis", "llm-base-url"). */
struct ConfigFile {
    QString path;
    QHash<QString, QString> values; ///< options with a value: "redis" -> "rediss://..."
    QSet<QString> flags;            ///< options without one that the file turns on: "shadow"
    QString llmKey;                 ///< the content of llm_api_key_file, trimmed; empty without one

    bool has(const QString& option) const { return values.contains(option) || flags.contains(option); }
};

/**
 * Reads `path`. Invalid, naming the file and the key (or the line and column of a syntax error), when it is not a
 * JSON object, holds an unknown key or a value of the wrong type, holds a secret (a key naming a password, token or
 * API key; a Redis URL with a password), or names a key file that is unreadable, empty or readable by every user.
 * Relative paths in it (policy, log_dir, llm_api_key_file) are taken from the config file's folder.
 */
Result<ConfigFile> readConfigFile(const QString& path);

/** The config file's keys and what they hold, for --help. */
QString configHelp();

} // namespace fairuse::enforcer
