// fairuse usage: a user's rolling speech totals read from the backend's own Redis keys, with the caps they hit.

#include "Commands.h"
#include "RedisUrl.h"

#include "common/Await.h"
#include "common/Domain.h"
#include "common/Time.h"
#include "metering/Metering.h"
#include "redis/RedisClient.h"
#include "redis/RedisUsageStore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace fairuse::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

const char kHelp[] =
    "Usage: fairuse usage --redis URL --uid UID [--now RFC3339] [--plan PLAN] [--json] [--allow-plaintext-redis]\n"
    "\n"
    "Reads a user's speech over the trailing daily (24 h), 3-day (72 h) and weekly (168 h) windows from the\n"
    "backend's Redis keys (fair_use:speech:UID + fair_use:bucket:UID, plus the v2 keys of the enforced sources\n"
    "realtime and sync_fresh) and compares them with the plan's soft caps. Junk values in Redis are skipped and\n"
    "counted.\n"
    "\n"
    "Options:\n"
    "  --redis URL      rediss://[USER@]HOST[:PORT][/DB] (TLS), or redis:// for a Redis on this machine\n"
    "  --allow-plaintext-redis  accept redis:// (no TLS) to another machine, e.g. behind a TLS tunnel; without it\n"
    "                   that is refused, because the password and the data would cross the network in clear text\n"
    "  --uid UID        the user id\n"
    "  --now RFC3339    evaluate the windows at this time instead of now (e.g. 2026-03-20T10:15:00Z)\n"
    "  --plan PLAN      free | basic | unlimited: selects the caps (default basic)\n"
    "  --json           print one JSON object:\n"
    "                   {\"uid\", \"daily_ms\", \"three_day_ms\", \"weekly_ms\", \"caps_hit\", \"skipped_values\"}\n"
    "  -h, --help       show this help\n"
    "\n"
    "Password: put it in the environment variable FAIRUSE_REDIS_PASSWORD rather than in the URL, so it never\n"
    "appears on a command line (where other users of the machine can see it) or in shell history. It is used\n"
    "when the URL has none; with an ACL user, give the user in the URL: rediss://fairuse-reviewer@host:6380\n"
    "(the reviewers' read-only user of packaging/redis is enough for this command).\n"
    "\n"
    "Exit status: 0 success, 1 Redis unreachable or refused (the reason is on standard error), 2 bad arguments.\n";

struct Options {
    QString url;
    QString uid;
    std::optional<TimePoint> now;
    Plan plan = Plan::Basic;
    bool json = false;
    bool allowPlaintextRedis = false;
};

/** Parses the arguments; on error returns the message to print. */
Result<Options> parseArgs(const QStringList& args, bool& help) {
    Options o;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        auto value = [&](const QString& name) -> Result<QString> {
            if (i + 1 >= args.size()) {
                return Error::invalid(QStringLiteral("%1 needs a value").arg(name));
            }
            return args[++i];
        };
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            help = true;
            return o;
        }
        if (a == QLatin1String("--json")) {
            o.json = true;
        } else if (a == QLatin1String("--allow-plaintext-redis")) {
            o.allowPlaintextRedis = true;
        } else if (a == QLatin1String("--redis")) {
            Result<QString> v = value(a);
            if (!v) {
                return v.error();
            }
            o.url = *v;
        } else if (a == QLatin1String("--uid")) {
            Result<QString> v = value(a);
            if (!v) {
                return v.error();
            }
            o.uid = *v;
        } else if (a == QLatin1String("--now")) {
            Result<QString> v = value(a);
            if (!v) {
                return v.error();
            }
            Result<TimePoint> t = parseRfc3339(*v);
            if (!t) {
                return Error::invalid(QStringLiteral("--now: %1").arg(t.error().message));
            }
            o.now = *t;
        } else if (a == QLatin1String("--plan")) {
            Result<QString> v = value(a);
            if (!v) {
                return v.error();
            }
            const std::optional<Plan> p = planFromString(*v);
            if (!p) {
                return Error::invalid(
                    QStringLiteral("--plan must be basic or unlimited (free is the legacy name of basic)"));
            }
            o.plan = *p;
        } else {
            return Error::invalid(QStringLiteral("unknown argument \"%1\"").arg(a));
        }
    }
    if (o.url.isEmpty()) {
        return Error::invalid(QStringLiteral("--redis URL is required"));
    }
    if (o.uid.isEmpty()) {
        return Error::invalid(QStringLiteral("--uid is required"));
    }
    return o;
}

} // namespace

int runUsage(const QStringList& args, Io io) {
    bool help = false;
    const Result<Options> parsed = parseArgs(args, help);
    if (help) {
        io.out << kHelp;
        return kExitOk;
    }
    if (!parsed) {
        io.err << "fairuse usage: " << parsed.error().message << "\nsee fairuse usage --help\n";
        return kExitUsage;
    }
    const Options& o = *parsed;

    Result<RedisUrl> url = readRedisUrl(o.url, o.allowPlaintextRedis);
    if (!url) {
        io.err << "fairuse usage: " << url.error().message << "\n";
        return kExitUsage;
    }
    if (url->passwordInUrl) {
        io.err << "fairuse usage: warning: " << passwordInUrlWarning() << "\n";
    }
    url->config.connectTimeoutMs = 5000;
    url->config.commandTimeoutMs = 15000;

    services::RedisClient client(url->config);
    services::RedisUsageStore store(&client);
    const TimePoint now = o.now.value_or(fromUnixMs(QDateTime::currentMSecsSinceEpoch()));
    const Result<services::SpeechReading> reading = services::awaitResult(store.readSpeech(o.uid, now), 30000);
    if (!reading) {
        io.err << "fairuse usage: " << reading.error().message << "\n";
        return reading.error().kind == ErrorKind::Invalid ? kExitUsage : kExitFailed;
    }

    const Caps caps = Caps::forPlan(o.plan);
    const QList<CapWindow> hit = metering::capsHit(reading->totals, caps);
    if (o.json) {
        QJsonArray capsHit;
        for (const CapWindow w : hit) {
            capsHit.append(toString(w));
        }
        const QJsonObject obj{
            {QStringLiteral("uid"), o.uid},
            {QStringLiteral("daily_ms"), static_cast<qint64>(reading->totals.dailyMs)},
            {QStringLiteral("three_day_ms"), static_cast<qint64>(reading->totals.threeDayMs)},
            {QStringLiteral("weekly_ms"), static_cast<qint64>(reading->totals.weeklyMs)},
            {QStringLiteral("caps_hit"), capsHit},
            {QStringLiteral("skipped_values"), reading->skippedValues},
        };
        io.out << QString::fromUtf8(QJsonDocument(obj).toJson(QJsonDocument::Compact)) << "\n";
    } else {
        auto line = [&](const char* name, std::int64_t ms, std::int64_t cap) {
            io.out << QString::fromLatin1(name).leftJustified(8) << " "
                   << QString::number(static_cast<double>(ms) / 3'600'000.0, 'f', 2) << " h of "
                   << QString::number(static_cast<double>(cap) / 3'600'000.0, 'f', 2) << " h"
                   << (ms > cap ? " (cap hit)" : "") << "\n";
        };
        io.out << "speech of " << o.uid << " at " << formatRfc3339(now) << " (" << client.describe() << ")\n";
        line("daily", reading->totals.dailyMs, caps.dailyMs);
        line("3-day", reading->totals.threeDayMs, caps.threeDayMs);
        line("weekly", reading->totals.weeklyMs, caps.weeklyMs);
        if (reading->skippedValues > 0) {
            io.out << reading->skippedValues << " junk values in Redis were skipped\n";
        }
    }
    return kExitOk;
}

} // namespace fairuse::cli
