// fairuse replay: feeds a JSON-lines history through the metering and enforcement core and prints one decision per
// check or override, so a policy can be tried on real or made-up histories and every decision explained.

#include "Commands.h"

#include "common/Domain.h"
#include "common/Subscription.h"
#include "common/Time.h"
#include "enforcement/Enforcement.h"
#include "enforcement/Policy.h"
#include "enforcement/ReplayTrack.h"
#include "metering/Metering.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

namespace fairuse::cli {

namespace {

using enforcement::Decision;
using enforcement::Policy;

constexpr int kExitOk = 0;
constexpr int kExitBadLines = 1;
constexpr int kExitUsage = 2;

// One speech line may carry at most a week of speech: more can never be inside any window at once.
constexpr std::int64_t kMaxSpeechMsPerLine = 7LL * 24 * 3600 * 1000;

const char kHelp[] =
    "Usage: fairuse replay FILE [--policy POLICY.json]\n"
    "\n"
    "Replays a JSON-lines history through speech metering and graduated enforcement and prints one JSON line per\n"
    "check or override. FILE may be - for standard input. Enforcement is enabled unless the policy file sets\n"
    "\"enabled\": false; the policy file overrides the requested policy field by field. Policy keys: name,\n"
    "version, enabled, kill_switch, exempt_uids, score_threshold, throttle_violations, throttle_window_seconds,\n"
    "restrict_violations, restrict_window_seconds, throttle_duration_seconds, restrict_duration_seconds,\n"
    "classifier_cooldown_seconds, check_interval_seconds, classifier_retry_seconds, restricted_daily_stt_ms,\n"
    "caps: {basic|unlimited: {daily_ms, three_day_ms, weekly_ms}}.\n"
    "\n"
    "Input lines (times RFC 3339, in chronological order; blank lines are skipped):\n"
    "  {\"at\": T, \"kind\": \"speech\", \"uid\": U, \"ms\": N}\n"
    "      N ms of speech ending at T. Speech is metered per minute (at most 60,000 ms a minute), so N above a\n"
    "      minute fills whole minutes backwards from T's minute.\n"
    "  {\"at\": T, \"kind\": \"check\", \"uid\": U [, \"classifier\": {\"misuse_score\": S, \"usage_type\": TYPE\n"
    "      [, \"confidence\": C]}] [, \"classifier_failed\": BOOL] [, \"credits_exhausted\": BOOL]}\n"
    "      A periodic check. Without a classifier verdict a cap hit only asks for the classifier (no violation);\n"
    "      \"classifier_failed\": true says the classifier was asked and failed (recorded, retried after a wait).\n"
    "  {\"at\": T, \"kind\": \"override\", \"uid\": U, \"stage\": STAGE, \"reviewer\": EMAIL, \"role\": ROLE,\n"
    "      \"reason\": TEXT}\n"
    "      A manual override; one the role does not allow is printed with action \"override_refused\".\n"
    "  Any line may give the user's plan, which sticks to the user (default: no subscription, basic):\n"
    "  \"plan\": free | basic | unlimited (in force throughout; free is the legacy name of basic), or\n"
    "  \"subscription\": {\"plan\": P, \"status\": S, \"current_period_end\": UNIX_SECONDS} as the backend keeps it\n"
    "  (a paid plan counts until current_period_end, then the user is on basic). Basic users (and users without a\n"
    "  subscription) whose credits are exhausted are restricted without the classifier.\n"
    "\n"
    "Output, one line per check or override:\n"
    "  {\"at\", \"uid\", \"daily_ms\", \"three_day_ms\", \"weekly_ms\", \"caps_hit\", \"stage_before\",\n"
    "   \"stage_after\", \"action\", \"explanation\"}\n"
    "\n"
    "Options:\n"
    "  --policy FILE   policy JSON (unknown keys and wrong types are errors)\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 all lines good, 1 some lines were malformed (reported on standard error with their line\n"
    "number and skipped), 2 usage error (missing file, bad policy, bad arguments).\n";

/** One user's replay state. */
struct UserReplay {
    metering::RollingMeter meter;
    enforcement::ReplayTrack track;
};

QString jsonString(const QString& s) {
    // QJsonDocument escapes correctly; an array of one string is the shortest way to reach that.
    const QByteArray a = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(a.mid(1, a.size() - 2));
}

/** Keys in the documented order (QJsonObject would sort them). */
QString outputLine(TimePoint at, const QString& uid, const SpeechTotals& t, const QList<CapWindow>& capsHit,
                   Stage before, Stage after, const QString& action, const QString& explanation) {
    QStringList caps;
    for (const CapWindow w : capsHit) {
        caps << jsonString(toString(w));
    }
    return QStringLiteral("{\"at\":%1,\"uid\":%2,\"daily_ms\":%3,\"three_day_ms\":%4,\"weekly_ms\":%5,"
                          "\"caps_hit\":[%6],\"stage_before\":%7,\"stage_after\":%8,\"action\":%9,\"explanation\":%10}")
        .arg(jsonString(formatRfc3339(at)), jsonString(uid))
        .arg(t.dailyMs)
        .arg(t.threeDayMs)
        .arg(t.weeklyMs)
        .arg(caps.join(QLatin1Char(',')), jsonString(toString(before)), jsonString(toString(after)), jsonString(action),
             jsonString(explanation));
}

Result<QString> stringField(const QJsonObject& o, const char* key, bool allowEmpty = false) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined()) {
        return Error::invalid(QStringLiteral("missing \"%1\"").arg(QLatin1String(key)));
    }
    if (!v.isString()) {
        return Error::invalid(QStringLiteral("\"%1\" must be a string").arg(QLatin1String(key)));
    }
    if (!allowEmpty && v.toString().trimmed().isEmpty()) {
        return Error::invalid(QStringLiteral("\"%1\" must not be empty").arg(QLatin1String(key)));
    }
    return v.toString();
}

Result<double> unitNumber(const QJsonObject& o, const char* key, const QString& where) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isDouble() || !std::isfinite(v.toDouble()) || v.toDouble() < 0.0 || v.toDouble() > 1.0) {
        return Error::invalid(QStringLiteral("\"%1.%2\" must be a number from 0 to 1").arg(where, QLatin1String(key)));
    }
    return v.toDouble();
}

Status checkKeys(const QJsonObject& o, const QStringList& allowed, const QString& kind) {
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!allowed.contains(it.key())) {
            return Error::invalid(QStringLiteral("unknown key \"%1\" for kind \"%2\" (allowed: %3)")
                                      .arg(it.key(), kind, allowed.join(QStringLiteral(", "))));
        }
    }
    return {};
}

Result<ClassifierResult> parseClassifier(const QJsonValue& v) {
    if (!v.isObject()) {
        return Error::invalid(QStringLiteral("\"classifier\" must be an object"));
    }
    const QJsonObject o = v.toObject();
    const QString where = QStringLiteral("classifier");
    if (Status st = checkKeys(
            o, {QStringLiteral("misuse_score"), QStringLiteral("usage_type"), QStringLiteral("confidence")}, where);
        !st) {
        return st.error();
    }
    if (!o.contains(QStringLiteral("misuse_score"))) {
        return Error::invalid(QStringLiteral("missing \"classifier.misuse_score\""));
    }
    ClassifierResult r;
    auto score = unitNumber(o, "misuse_score", where);
    if (!score) {
        return score.error();
    }
    r.misuseScore = *score;
    if (o.contains(QStringLiteral("usage_type"))) {
        const QJsonValue t = o.value(QStringLiteral("usage_type"));
        const auto type = t.isString() ? usageTypeFromString(t.toString()) : std::nullopt;
        if (!type) {
            return Error::invalid(QStringLiteral("\"classifier.usage_type\" must be one of none, audiobook, podcast, "
                                                 "prerecorded, tv_movie, commercial, unknown"));
        }
        r.usageType = *type;
    }
    if (o.contains(QStringLiteral("confidence"))) {
        auto c = unitNumber(o, "confidence", where);
        if (!c) {
            return c.error();
        }
        r.confidence = *c;
    }
    r.model = QStringLiteral("replay");
    return r;
}

class Replayer {
public:
    Replayer(Policy policy, Io io)
        : m_policy(std::move(policy))
        , m_io(io) {}

    /** Processes one line; returns false (after reporting it) when the line is malformed. */
    bool line(int number, const QByteArray& raw) {
        if (raw.trimmed().isEmpty()) {
            return true;
        }
        const Status st = process(raw);
        if (!st) {
            m_io.err << "fairuse replay: line " << number << ": " << st.error().message << "\n";
            return false;
        }
        return true;
    }

private:
    Status process(const QByteArray& raw) {
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(raw, &pe);
        if (pe.error != QJsonParseError::NoError) {
            return Error::invalid(QStringLiteral("not valid JSON: %1").arg(pe.errorString()));
        }
        if (!doc.isObject()) {
            return Error::invalid(QStringLiteral("not a JSON object"));
        }
        const QJsonObject o = doc.object();

        auto kind = stringField(o, "kind");
        if (!kind) {
            return kind.error();
        }
        QStringList allowed{QStringLiteral("at"), QStringLiteral("kind"), QStringLiteral("uid"), QStringLiteral("plan"),
                            QStringLiteral("subscription")};
        if (*kind == QLatin1String("speech")) {
            allowed << QStringLiteral("ms");
        } else if (*kind == QLatin1String("check")) {
            allowed << QStringLiteral("classifier") << QStringLiteral("classifier_failed")
                    << QStringLiteral("credits_exhausted");
        } else if (*kind == QLatin1String("override")) {
            allowed << QStringLiteral("stage") << QStringLiteral("reviewer") << QStringLiteral("role")
                    << QStringLiteral("reason");
        } else {
            return Error::invalid(
                QStringLiteral("unknown kind \"%1\" (expected speech, check or override)").arg(*kind));
        }
        if (Status st = checkKeys(o, allowed, *kind); !st) {
            return st;
        }

        auto atText = stringField(o, "at");
        if (!atText) {
            return atText.error();
        }
        auto at = parseRfc3339(*atText);
        if (!at) {
            return Error::invalid(QStringLiteral("\"at\": %1").arg(at.error().message));
        }
        if (m_lastAt && *at < *m_lastAt) {
            return Error::invalid(QStringLiteral("\"at\" %1 is earlier than the previous line's %2; lines must be in "
                                                 "chronological order")
                                      .arg(*atText, formatRfc3339(*m_lastAt)));
        }
        auto uid = stringField(o, "uid");
        if (!uid) {
            return uid.error();
        }
        auto plan = subscriptionOf(o);
        if (!plan) {
            return plan.error();
        }

        // Everything below needs the line to be well formed; validate it fully before touching any user state.
        Status st;
        if (*kind == QLatin1String("speech")) {
            st = speech(o, *at, *uid, *plan);
        } else if (*kind == QLatin1String("check")) {
            st = check(o, *at, *uid, *plan);
        } else {
            st = overrideLine(o, *at, *uid, *plan);
        }
        if (st) {
            m_lastAt = *at;
        }
        return st;
    }

    /** The line's "plan" or "subscription" (at most one); nullopt when it names neither. */
    static Result<std::optional<Subscription>> subscriptionOf(const QJsonObject& o) {
        const bool hasPlan = o.contains(QStringLiteral("plan"));
        const bool hasSubscription = o.contains(QStringLiteral("subscription"));
        if (hasPlan && hasSubscription) {
            return Error::invalid(QStringLiteral("give \"plan\" or \"subscription\", not both"));
        }
        if (hasPlan) {
            const QJsonValue p = o.value(QStringLiteral("plan"));
            const auto plan = p.isString() ? planFromString(p.toString()) : std::nullopt;
            if (!plan) {
                return Error::invalid(QStringLiteral("\"plan\" must be one of free, basic, unlimited"));
            }
            // In force throughout the replay: a period that never ends.
            return std::optional<Subscription>(
                Subscription{toString(*plan), QStringLiteral("active"), TimePoint::max()});
        }
        if (!hasSubscription) {
            return std::optional<Subscription>();
        }
        const QJsonValue v = o.value(QStringLiteral("subscription"));
        const QJsonObject s = v.toObject();
        const QJsonValue plan = s.value(QStringLiteral("plan"));
        const QJsonValue status = s.value(QStringLiteral("status"));
        const QJsonValue end = s.value(QStringLiteral("current_period_end"));
        constexpr double kMaxSeconds = 253402300799.0; // 9999-12-31T23:59:59Z
        const bool endOk = end.isUndefined() || end.isNull() ||
                           (end.isDouble() && end.toDouble() == std::floor(end.toDouble()) && end.toDouble() >= 0.0 &&
                            end.toDouble() <= kMaxSeconds);
        if (!v.isObject() || !plan.isString() || plan.toString().isEmpty() ||
            !(status.isUndefined() || status.isString()) || !endOk) {
            return Error::invalid(QStringLiteral("\"subscription\" must be {\"plan\": P, \"status\": S, "
                                                 "\"current_period_end\": whole Unix seconds or null}"));
        }
        Subscription out{plan.toString(), status.toString(), std::nullopt};
        if (end.isDouble()) {
            out.currentPeriodEnd = TimePoint{std::chrono::seconds(static_cast<std::int64_t>(end.toDouble()))};
        }
        return std::optional<Subscription>(out);
    }

    UserReplay& user(const QString& uid, const std::optional<Subscription>& subscription) {
        auto it = m_users.find(uid);
        if (it == m_users.end()) {
            it = m_users.emplace(uid, UserReplay{}).first;
            it->second.track.state.uid = uid;
        }
        if (subscription) {
            it->second.track.state.subscription = subscription;
        }
        return it->second;
    }

    Caps capsAt(const UserReplay& u, TimePoint at) const {
        return m_policy.capsFor(effectivePlan(u.track.state.subscription, at));
    }

    /** A copy of the user as the line would leave them, for a line that may still be rejected half-way. */
    UserReplay trialUser(const QString& uid, const std::optional<Subscription>& subscription) const {
        const auto it = m_users.find(uid);
        UserReplay u = it != m_users.end() ? it->second : UserReplay{};
        u.track.state.uid = uid;
        if (subscription) {
            u.track.state.subscription = subscription;
        }
        return u;
    }

    Status speech(const QJsonObject& o, TimePoint at, const QString& uid, const std::optional<Subscription>& plan) {
        const QJsonValue v = o.value(QStringLiteral("ms"));
        if (v.isUndefined()) {
            return Error::invalid(QStringLiteral("missing \"ms\""));
        }
        const double d = v.toDouble(-1.0);
        if (!v.isDouble() || !std::isfinite(d) || d != std::floor(d) || d < 0.0 ||
            d > static_cast<double>(kMaxSpeechMsPerLine)) {
            return Error::invalid(
                QStringLiteral("\"ms\" must be a whole number of milliseconds from 0 to %1").arg(kMaxSpeechMsPerLine));
        }
        const auto total = static_cast<std::int64_t>(d);
        // The line is recorded on a copy of the user, which replaces the user only when every minute was accepted:
        // a rejected line leaves nothing behind (no speech, no plan).
        UserReplay u = trialUser(uid, plan);
        // Whole minutes backwards from at's minute; the earliest minute holds the remainder.
        const std::int64_t perMinute = metering::kMaxSpeechMsPerMinute;
        const std::int64_t minutes = (total + perMinute - 1) / perMinute;
        for (std::int64_t i = minutes - 1; i >= 0; --i) {
            const std::int64_t amount = i == minutes - 1 ? total - (minutes - 1) * perMinute : perMinute;
            const Status st = u.meter.record(at - std::chrono::minutes(i), amount);
            if (!st) {
                return Error::invalid(QStringLiteral("speech rejected, none of its %1 ms recorded: %2")
                                          .arg(total)
                                          .arg(st.error().message));
            }
        }
        m_users.insert_or_assign(uid, std::move(u));
        return {};
    }

    Status check(const QJsonObject& o, TimePoint at, const QString& uid, const std::optional<Subscription>& plan) {
        enforcement::EnforcementInput in;
        if (o.contains(QStringLiteral("classifier"))) {
            auto c = parseClassifier(o.value(QStringLiteral("classifier")));
            if (!c) {
                return c.error();
            }
            in.classifier = *c;
        }
        if (o.contains(QStringLiteral("classifier_failed"))) {
            const QJsonValue v = o.value(QStringLiteral("classifier_failed"));
            if (!v.isBool()) {
                return Error::invalid(QStringLiteral("\"classifier_failed\" must be a boolean"));
            }
            in.classifierFailed = v.toBool();
        }
        if (o.contains(QStringLiteral("credits_exhausted"))) {
            const QJsonValue v = o.value(QStringLiteral("credits_exhausted"));
            if (!v.isBool()) {
                return Error::invalid(QStringLiteral("\"credits_exhausted\" must be a boolean"));
            }
            in.freePlanCreditsExhausted = v.toBool();
        }
        UserReplay& u = user(uid, plan);
        in.totals = u.meter.totals(at);
        in.caps = capsAt(u, at);
        in.now = at;
        const SpeechTotals totals = in.totals;
        const Decision d = enforcement::replayCheck(m_policy, u.track, std::move(in));
        m_io.out << outputLine(at, uid, totals, d.capsHit, d.stageBefore, d.stageAfter, enforcement::toString(d.action),
                               d.explanation)
                 << "\n";
        return {};
    }

    Status overrideLine(const QJsonObject& o, TimePoint at, const QString& uid,
                        const std::optional<Subscription>& plan) {
        auto stageText = stringField(o, "stage");
        if (!stageText) {
            return stageText.error();
        }
        const auto stage = stageFromString(*stageText);
        if (!stage) {
            return Error::invalid(QStringLiteral("\"stage\" must be one of none, warning, throttle, restrict"));
        }
        auto reviewer = stringField(o, "reviewer");
        if (!reviewer) {
            return reviewer.error();
        }
        auto roleText = stringField(o, "role");
        if (!roleText) {
            return roleText.error();
        }
        const auto role = roleFromString(*roleText);
        if (!role) {
            return Error::invalid(QStringLiteral("\"role\" must be one of reviewer, senior_reviewer, admin"));
        }
        // An empty reason is well formed; the core refuses it, and the refusal is part of the replay's output.
        auto reason = stringField(o, "reason", true);
        if (!reason) {
            return reason.error();
        }
        UserReplay& u = user(uid, plan);
        const SpeechTotals totals = u.meter.totals(at);
        const QList<CapWindow> caps = metering::capsHit(totals, capsAt(u, at));
        const auto d =
            enforcement::applyOverride(m_policy, u.track.state, *stage, Reviewer{*reviewer, *role}, *reason, at);
        if (!d) {
            m_io.out << outputLine(at, uid, totals, caps, u.track.state.stage, u.track.state.stage,
                                   QStringLiteral("override_refused"), d.error().message)
                     << "\n";
            return {};
        }
        u.track.state = d->state;
        m_io.out << outputLine(at, uid, totals, caps, d->stageBefore, d->stageAfter, enforcement::toString(d->action),
                               d->explanation)
                 << "\n";
        return {};
    }

    Policy m_policy;
    Io m_io;
    std::map<QString, UserReplay> m_users;
    std::optional<TimePoint> m_lastAt;
};

int usageError(Io io, const QString& message) {
    io.err << "fairuse replay: " << message << "\n"
           << "Try: fairuse replay --help\n";
    return kExitUsage;
}

} // namespace

int runReplay(const QStringList& args, Io io) {
    QString file;
    QString policyFile;
    bool haveFile = false;
    bool havePolicy = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString& a = args.at(i);
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            io.out << kHelp;
            return kExitOk;
        }
        if (a == QLatin1String("--policy")) {
            if (i + 1 >= args.size()) {
                return usageError(io, QStringLiteral("--policy needs a file"));
            }
            policyFile = args.at(++i);
            havePolicy = true;
        } else if (a.startsWith(QLatin1String("--policy="))) {
            policyFile = a.mid(9);
            havePolicy = true;
        } else if (a != QLatin1String("-") && a.startsWith(QLatin1Char('-'))) {
            return usageError(io, QStringLiteral("unknown option %1").arg(a));
        } else if (haveFile) {
            return usageError(io, QStringLiteral("only one input file may be given"));
        } else {
            file = a;
            haveFile = true;
        }
    }
    if (!haveFile) {
        return usageError(io, QStringLiteral("missing input FILE (use - for standard input)"));
    }

    Policy policy = Policy::forReview();
    if (havePolicy) {
        QFile pf(policyFile);
        if (policyFile.isEmpty() || !pf.open(QIODevice::ReadOnly)) {
            return usageError(io,
                              QStringLiteral("cannot read policy file \"%1\": %2").arg(policyFile, pf.errorString()));
        }
        auto parsed = Policy::fromJson(pf.readAll(), Policy::forReview());
        if (!parsed) {
            return usageError(io, QStringLiteral("%1: %2").arg(policyFile, parsed.error().message));
        }
        policy = *parsed;
    }

    QFile in;
    bool opened = false;
    if (file == QLatin1String("-")) {
        opened = in.open(stdin, QIODevice::ReadOnly);
    } else {
        in.setFileName(file);
        opened = in.open(QIODevice::ReadOnly);
    }
    if (!opened) {
        return usageError(io, QStringLiteral("cannot read \"%1\": %2").arg(file, in.errorString()));
    }
    return replayLines(in.readAll(), policy, io) ? kExitOk : kExitBadLines;
}

bool replayLines(const QByteArray& input, const Policy& policy, Io io) {
    Replayer replayer(policy, io);
    bool allGood = true;
    int number = 0;
    for (const QByteArray& raw : input.split('\n')) {
        ++number;
        if (!replayer.line(number, raw)) {
            allGood = false;
        }
    }
    io.out.flush();
    return allGood;
}

} // namespace fairuse::cli
