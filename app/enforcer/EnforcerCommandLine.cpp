#include "EnforcerCommandLine.h"

#include "EnforcerConfigFile.h"
#include "RedisUrl.h"

#include <QCommandLineParser>
#include <QFile>
#include <QRegularExpression>

#include <utility>

namespace fairuse::enforcer {

QString helpText() {
    const QString options = QStringLiteral(
        "Usage: fairuse-enforcer --redis URL --firestore PROJECT [--once | --interval SECONDS] [OPTIONS]\n"
        "\n"
        "The fair-use enforcement service: finds users with speech in the backend's Redis keys, evaluates each with\n"
        "the enforcement core (caps from users/{uid}.subscription, state from Firestore), consults the classifier on\n"
        "a cap hit, writes state + case + audit record in one commit, and lowers throttles and restrictions whose\n"
        "time has passed. One JSON line per decision on standard output, then {\"summary\": ...}; logs on stderr.\n"
        "It also answers the consoles' re-run requests (rerun_classifier audit records) with its classifier, in\n"
        "fair_use_classifier_runs: after every pass and every 3 s between passes (--once: once, after the pass).\n"
        "\n"
        "  --redis URL          the backend's Redis (redis:// on this machine, rediss:// elsewhere); the password in\n"
        "                       FAIRUSE_REDIS_PASSWORD\n"
        "  --firestore PROJECT  the Firestore project. With FIRESTORE_EMULATOR_HOST set, a demo-* project (or\n"
        "                       --emulator) is the emulator's, with owner access\n"
        "  --once               one full pass, then exit (cron, tests)\n"
        "  --interval SECONDS   without --once: a pass every SECONDS (default: the policy's check interval, 300)\n"
        "                       until SIGTERM or SIGINT, which let the pass in flight finish its current user\n"
        "  --now TIME           the pass's time, RFC 3339 (2026-12-01T10:00:00Z), with --once; default: the clock\n"
        "  --shadow             evaluate, print and record what would be done (fair_use_shadow, once per user\n"
        "                       and check interval) and answer re-run requests; no state, case, stage cache,\n"
        "                       lease or lock\n"
        "  --redis-cluster      --redis names one node of a Redis Cluster: commands go to their slots' masters and\n"
        "                       every master is scanned\n"
        "  --lease-ttl SECONDS  instances share the users in 64 ranges, each leased in Redis while one works it;\n"
        "                       a dead instance's ranges are taken over this long after its last renewal (default\n"
        "                       60, 1 to 3600). Each range is worked once per check interval\n"
        "  --no-notifications   loop mode: do not subscribe to keyspace notifications. With them (the default) the\n"
        "                       service PSUBSCRIBEs to __keyspace@<db>__:fair_use:bucket:* and\n"
        "                       __keyspace@<db>__:fair_use:v2:bucket:* (on every master of a cluster) and, every\n"
        "                       2 s between passes, evaluates the users notified whom no evaluation reached in this\n"
        "                       check interval yet; each user still once per check interval across instances\n"
        "                       (fair_use:enforcer:evaluated:{epoch}:{uid}). The scan still finds every user:\n"
        "                       notifications are off on the server unless an operator sets notify-keyspace-events\n"
        "                       (Kh at least), and a dropped connection loses them until it is back\n"
        "  --identity EMAIL     who the audit records name. Production: the service account's client_email from\n"
        "                       the key named by GOOGLE_APPLICATION_CREDENTIALS (an --identity must match it);\n"
        "                       emulator: required, e.g. enforcer@fairuse.example\n"
        "  --policy FILE        policy JSON over the requested policy with enforcement enabled\n"
        "  --llm-base-url URL   an OpenAI-compatible classifier (with --llm-model; key in FAIRUSE_LLM_API_KEY);\n"
        "                       without it the offline heuristic classifies\n"
        "  --llm-model MODEL\n"
        "  --emulator           the project is the emulator's although its id does not start with demo-\n"
        "  --allow-plaintext-redis  plain redis:// to another machine\n"
        "  --log-dir DIR        the log file's folder (default: the data folder's logs)\n"
        "  --listen HOST:PORT   loop mode: serve GET /metrics (Prometheus text) and GET /healthz (200, or 503 with\n"
        "                       the problem) on HOST:PORT, e.g. 127.0.0.1:9464; port 0 picks a free port and says\n"
        "                       {\"listening\":\"HOST:PORT\"} on standard output. No authentication: keep it on\n"
        "                       loopback or behind a proxy\n"
        "  --instance-name NAME this instance's heartbeat document, fair_use_service/NAME (default: HOST:PID)\n");
    const LedgerPolicy defaults;
    const QString caps =
        QStringLiteral(
            "  --llm-cap-basic-daily MICRO_USD, --llm-cap-basic-monthly MICRO_USD,\n"
            "  --llm-cap-unlimited-daily MICRO_USD, --llm-cap-unlimited-monthly MICRO_USD\n"
            "                       the LLM-spend review's caps per plan over the trailing day and 30 days, in\n"
            "                       micro-USD (1000000 is $1). Defaults: basic %1 and %2, unlimited %3 and %4.\n"
            "                       A user over one gets a case for review; a daily cap may not exceed its plan's\n"
            "                       monthly cap\n")
            .arg(defaults.basic.dailyMicroUsd)
            .arg(defaults.basic.monthlyMicroUsd)
            .arg(defaults.unlimited.dailyMicroUsd)
            .arg(defaults.unlimited.monthlyMicroUsd);
    const QString config = QStringLiteral(
        "  --config FILE        the settings above from a JSON object (example: enforcer.example.json in the\n"
        "                       package's share/fairuse/systemd); an option on the command line wins over the file.\n"
        "                       Keys:\n");
    const QString rest =
        QStringLiteral("                       No secrets in it: a password, token or API key in the file is refused\n"
                       "  -h, --help, -v, --version\n"
                       "\n"
                       "Exit codes: 0 the pass ran, 1 Redis or Firestore failed during it, 2 bad usage.\n");
    return options + caps + config + configHelp() + rest;
}

Result<ListenAddress> parseListenAddress(const QString& value) {
    const auto invalid = [&value](const QString& why) {
        return Error::invalid(
            QStringLiteral("--listen \"%1\": %2 (expected HOST:PORT, e.g. 127.0.0.1:9464)").arg(value.left(80), why));
    };
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    if (colon < 0) {
        return invalid(QStringLiteral("no port"));
    }
    QString host = value.left(colon);
    const QString port = value.mid(colon + 1);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'))) {
        host = host.mid(1, host.size() - 2);
    } else if (host.contains(QLatin1Char(':'))) {
        return invalid(QStringLiteral("an IPv6 address goes in brackets, [::1]:PORT"));
    }
    if (port.isEmpty()) {
        return invalid(QStringLiteral("no port"));
    }
    bool ok = false;
    const uint number = port.toUInt(&ok);
    if (!ok || number > 65535 || !port.front().isDigit()) {
        return invalid(QStringLiteral("the port must be a number from 0 to 65535"));
    }
    ListenAddress a;
    a.port = static_cast<quint16>(number);
    if (host == QLatin1String("localhost")) {
        a.host = QHostAddress(QHostAddress::LocalHost);
    } else if (!a.host.setAddress(host)) {
        return invalid(QStringLiteral("the host must be an IP address or localhost"));
    }
    return a;
}

Result<CommandLine> parseCommandLine(const QStringList& args) {
    QCommandLineParser parser;
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QString());
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")}, QString());
    const QCommandLineOption redis(QStringLiteral("redis"), QString(), QStringLiteral("URL"));
    const QCommandLineOption firestore(QStringLiteral("firestore"), QString(), QStringLiteral("PROJECT"));
    const QCommandLineOption once(QStringLiteral("once"), QString());
    const QCommandLineOption interval(QStringLiteral("interval"), QString(), QStringLiteral("SECONDS"));
    const QCommandLineOption now(QStringLiteral("now"), QString(), QStringLiteral("TIME"));
    const QCommandLineOption shadow(QStringLiteral("shadow"), QString());
    const QCommandLineOption identity(QStringLiteral("identity"), QString(), QStringLiteral("EMAIL"));
    const QCommandLineOption policy(QStringLiteral("policy"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption llmBaseUrl(QStringLiteral("llm-base-url"), QString(), QStringLiteral("URL"));
    const QCommandLineOption llmModel(QStringLiteral("llm-model"), QString(), QStringLiteral("MODEL"));
    const QCommandLineOption llmKey(QStringLiteral("llm-api-key"), QString(), QStringLiteral("KEY"));
    const QCommandLineOption emulator(QStringLiteral("emulator"), QString());
    const QCommandLineOption plaintext(QStringLiteral("allow-plaintext-redis"), QString());
    const QCommandLineOption logDir(QStringLiteral("log-dir"), QString(), QStringLiteral("DIR"));
    const QCommandLineOption listen(QStringLiteral("listen"), QString(), QStringLiteral("HOST:PORT"));
    const QCommandLineOption config(QStringLiteral("config"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption instanceName(QStringLiteral("instance-name"), QString(), QStringLiteral("NAME"));
    const QCommandLineOption cluster(QStringLiteral("redis-cluster"), QString());
    const QCommandLineOption leaseTtl(QStringLiteral("lease-ttl"), QString(), QStringLiteral("SECONDS"));
    const QCommandLineOption noNotifications(QStringLiteral("no-notifications"), QString());
    const QCommandLineOption basicDaily(QStringLiteral("llm-cap-basic-daily"), QString(), QStringLiteral("MICRO_USD"));
    const QCommandLineOption basicMonthly(QStringLiteral("llm-cap-basic-monthly"), QString(),
                                          QStringLiteral("MICRO_USD"));
    const QCommandLineOption unlimitedDaily(QStringLiteral("llm-cap-unlimited-daily"), QString(),
                                            QStringLiteral("MICRO_USD"));
    const QCommandLineOption unlimitedMonthly(QStringLiteral("llm-cap-unlimited-monthly"), QString(),
                                              QStringLiteral("MICRO_USD"));
    parser.addOptions({help,     version, redis,        firestore, once,     interval,       now,       shadow,
                       identity, policy,  llmBaseUrl,   llmModel,  llmKey,   emulator,       plaintext, logDir,
                       listen,   config,  instanceName, cluster,   leaseTtl, noNotifications});
    parser.addOptions({basicDaily, basicMonthly, unlimitedDaily, unlimitedMonthly});
    if (!parser.parse(QStringList{QStringLiteral("fairuse-enforcer")} + args)) {
        return Error::invalid(parser.errorText());
    }
    CommandLine c;
    c.help = parser.isSet(help);
    c.version = parser.isSet(version);
    if (c.help || c.version) {
        return c;
    }
    if (!parser.positionalArguments().isEmpty()) {
        return Error::invalid(QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first()));
    }
    if (parser.isSet(llmKey)) {
        return Error::invalid(QStringLiteral("the LLM API key is never taken from the command line, where other users "
                                             "of the machine can read it: set %1")
                                  .arg(QString::fromLatin1(kLlmKeyVariable)));
    }
    c.once = parser.isSet(once);
    // The config file's settings, under the command line's: a flag given on both wins.
    ConfigFile file;
    if (parser.isSet(config)) {
        Result<ConfigFile> read = readConfigFile(parser.value(config));
        if (!read) {
            return read.error();
        }
        file = std::move(*read);
        if (c.once) { // a one-off pass of a configured service: no loop to time or serve
            file.values.remove(QStringLiteral("interval"));
            file.values.remove(QStringLiteral("listen"));
        }
    }
    const auto isSet = [&parser, &file](const QCommandLineOption& o) {
        return parser.isSet(o) || file.has(o.names().constLast());
    };
    const auto value = [&parser, &file](const QCommandLineOption& o) {
        return parser.isSet(o) ? parser.value(o) : file.values.value(o.names().constLast());
    };
    if (c.once && isSet(interval)) {
        return Error::invalid(QStringLiteral("--once and --interval exclude each other"));
    }
    if (!c.once && isSet(now)) {
        return Error::invalid(QStringLiteral("--now pins the clock of one pass: use it with --once"));
    }
    c.shadow = isSet(shadow);
    // One pass has no "between passes" to be prompt in.
    c.notifications = !c.once && !isSet(noNotifications);
    if (!isSet(redis) || !isSet(firestore)) {
        return Error::invalid(QStringLiteral("--redis URL and --firestore PROJECT are required"));
    }
    const Result<cli::RedisUrl> url = cli::readRedisUrl(value(redis), isSet(plaintext));
    if (!url) {
        return url.error();
    }
    c.redis = url->config;
    c.redis.autoReconnect = true; // a long pass rides out a dropped connection
    if (url->passwordInUrl) {
        c.warnings.append(cli::passwordInUrlWarning());
    }
    static const QRegularExpression projectId(
        QStringLiteral("^([a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$"));
    const QString project = value(firestore);
    if (!projectId.match(project).hasMatch()) {
        return Error::invalid(
            QStringLiteral("--firestore \"%1\" is not a Google Cloud project id").arg(project.left(80)));
    }
    const Result<services::FirestoreConfig> fs = services::FirestoreConfig::forCommandLine(
        project, qEnvironmentVariable("FIRESTORE_EMULATOR_HOST"), isSet(emulator));
    if (!fs) {
        return fs.error();
    }
    c.firestore = *fs;
    if (isSet(now)) {
        const Result<TimePoint> t = parseRfc3339(value(now));
        if (!t) {
            return Error::invalid(QStringLiteral("--now: %1").arg(t.error().message));
        }
        c.now = *t;
    }
    c.identity = value(identity).trimmed();
    static const QRegularExpression email(QStringLiteral("^[^@\\s]+@[^@\\s]+$"));
    if (!c.identity.isEmpty() && !email.match(c.identity).hasMatch()) {
        return Error::invalid(QStringLiteral("--identity must be an e-mail address, not \"%1\"").arg(c.identity));
    }
    if (c.firestore.isEmulator() && c.identity.isEmpty()) {
        return Error::invalid(QStringLiteral("--identity EMAIL is required on the emulator: it names the service in "
                                             "the audit records"));
    }
    if (isSet(policy)) {
        QFile f(value(policy));
        if (!f.open(QIODevice::ReadOnly)) {
            return Error::invalid(QStringLiteral("--policy: cannot read %1").arg(f.fileName()));
        }
        const Result<enforcement::Policy> p = enforcement::Policy::fromJson(f.readAll(), c.policy);
        if (!p) {
            return Error::invalid(QStringLiteral("--policy: %1").arg(p.error().message));
        }
        c.policy = *p;
    }
    if (isSet(llmBaseUrl) != isSet(llmModel)) {
        return Error::invalid(QStringLiteral("--llm-base-url and --llm-model go together"));
    }
    if (isSet(llmBaseUrl)) {
        c.llmBaseUrl = QUrl(value(llmBaseUrl));
        if (!c.llmBaseUrl.isValid() || !c.llmBaseUrl.userInfo().isEmpty() || c.llmBaseUrl.hasQuery() ||
            (c.llmBaseUrl.scheme() != QLatin1String("https") && c.llmBaseUrl.scheme() != QLatin1String("http"))) {
            return Error::invalid(QStringLiteral("--llm-base-url must be an http(s) URL without credentials or query"));
        }
        c.llmModel = value(llmModel);
        c.llmKey = qEnvironmentVariable(kLlmKeyVariable);
        if (c.llmKey.isEmpty()) {
            c.llmKey = file.llmKey;
        }
    }
    c.interval = c.policy.checkInterval;
    if (isSet(interval)) {
        bool ok = false;
        const int seconds = value(interval).toInt(&ok);
        if (!ok || seconds < 1 || seconds > 86400) {
            return Error::invalid(QStringLiteral("--interval must be a number of seconds from 1 to 86400"));
        }
        c.interval = std::chrono::seconds(seconds);
    }
    c.logDir = value(logDir);
    c.redisCluster = isSet(cluster);
    if (c.redisCluster && c.redis.db != 0) {
        return Error::invalid(QStringLiteral("--redis-cluster: a cluster has database 0 only, not %1").arg(c.redis.db));
    }
    if (isSet(leaseTtl)) {
        bool ok = false;
        const int seconds = value(leaseTtl).toInt(&ok);
        if (!ok || seconds < 1 || seconds > 3600) {
            return Error::invalid(QStringLiteral("--lease-ttl must be a number of seconds from 1 to 3600"));
        }
        c.leaseTtl = std::chrono::seconds(seconds);
    }
    // The spend review's caps: each option over its default, then each plan's pair checked together.
    for (const auto& [option, cap] : {std::pair{&basicDaily, &c.ledger.basic.dailyMicroUsd},
                                      std::pair{&basicMonthly, &c.ledger.basic.monthlyMicroUsd},
                                      std::pair{&unlimitedDaily, &c.ledger.unlimited.dailyMicroUsd},
                                      std::pair{&unlimitedMonthly, &c.ledger.unlimited.monthlyMicroUsd}}) {
        if (!isSet(*option)) {
            continue;
        }
        bool ok = false;
        const qint64 micro = value(*option).toLongLong(&ok);
        if (!ok || micro < 0 || micro > kMaxCapMicroUsd) {
            return Error::invalid(QStringLiteral("--%1 must be a whole number of micro-USD from 0 to %2 (1000000 is "
                                                 "$1), not \"%3\"")
                                      .arg(option->names().constLast())
                                      .arg(kMaxCapMicroUsd)
                                      .arg(value(*option).left(40)));
        }
        *cap = micro;
    }
    for (const auto& [plan, caps] : {std::pair{QStringLiteral("basic"), c.ledger.basic},
                                     std::pair{QStringLiteral("unlimited"), c.ledger.unlimited}}) {
        if (caps.dailyMicroUsd > caps.monthlyMicroUsd) {
            return Error::invalid(QStringLiteral("the %1 plan's daily LLM cap (--llm-cap-%1-daily or "
                                                 "llm_cap_%1_daily_micro_usd: %2 micro-USD) exceeds its monthly cap "
                                                 "(--llm-cap-%1-monthly or llm_cap_%1_monthly_micro_usd: %3)")
                                      .arg(plan)
                                      .arg(caps.dailyMicroUsd)
                                      .arg(caps.monthlyMicroUsd));
        }
    }
    if (isSet(instanceName)) {
        static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9._:-]{1,100}$"));
        c.instanceName = value(instanceName);
        if (!name.match(c.instanceName).hasMatch()) {
            return Error::invalid(QStringLiteral("--instance-name must be 1 to 100 letters, digits, '.', '_', ':' "
                                                 "or '-'"));
        }
    }
    if (isSet(listen)) {
        if (c.once) {
            return Error::invalid(QStringLiteral("--listen serves the loop's /metrics and /healthz: it does not go "
                                                 "with --once"));
        }
        const Result<ListenAddress> address = parseListenAddress(value(listen));
        if (!address) {
            return address.error();
        }
        if (!address->host.isLoopback()) {
            c.warnings.append(QStringLiteral("--listen %1: /metrics and /healthz have no authentication; anyone "
                                             "who reaches this address can read them")
                                  .arg(value(listen)));
        }
        c.listen = *address;
    }
    return c;
}

} // namespace fairuse::enforcer
