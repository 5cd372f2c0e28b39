#include "ConnectionProfile.h"

#include "common/WireNames.h"
#include "redis/RedisConfig.h"

#include <QCoreApplication>
#include <QSettings>

namespace fairuse::models {

namespace {

QString tr(const char* text) {
    return QCoreApplication::translate("fairuse::models::ConnectionProfile", text);
}

/** Settings keys and the member each one fills: the single place that maps profiles to QSettings. */
struct Field {
    const char* key;
    QString ConnectionProfile::*member;
};
const Field kFields[] = {
    {"dbPath", &ConnectionProfile::dbPath},
    {"redisUrl", &ConnectionProfile::redisUrl},
    {"firestoreProject", &ConnectionProfile::firestoreProject},
    {"firestoreEmulatorHost", &ConnectionProfile::firestoreEmulatorHost},
    {"llmBaseUrl", &ConnectionProfile::llmBaseUrl},
    {"llmModel", &ConnectionProfile::llmModel},
    {"authProject", &ConnectionProfile::authProject},
    {"firebaseApiKey", &ConnectionProfile::firebaseApiKey},
    {"authEmulatorHost", &ConnectionProfile::authEmulatorHost},
    {"signInProvider", &ConnectionProfile::signInProvider},
    {"oauthClientId", &ConnectionProfile::oauthClientId},
    {"oauthAuthorizationUrl", &ConnectionProfile::oauthAuthorizationUrl},
    {"oauthTokenUrl", &ConnectionProfile::oauthTokenUrl},
};

/** The boolean fields, kept out of kFields (which maps text fields); their defaults are ConnectionProfile's. */
struct Flag {
    const char* key;
    bool ConnectionProfile::*member;
};
const Flag kFlags[] = {
    {"allowPlaintextRedis", &ConnectionProfile::allowPlaintextRedis},
    {"emailSignIn", &ConnectionProfile::passwordSignIn}, // not "password...": the settings file never names one
    {"rerunClassifierByService", &ConnectionProfile::rerunByService},
};

/** The kinds as the settings file names them. */
constexpr std::array kKinds{std::pair{ProfileKind::Demo, "demo"}, std::pair{ProfileKind::Emulator, "emulator"},
                            std::pair{ProfileKind::Production, "production"}};

QString group(const QString& name) {
    return QString(QStringLiteral("profiles/") + name);
}

} // namespace

QString toString(ProfileKind kind) {
    return wireName(kKinds, kind);
}

QString ConnectionProfile::displayName() const {
    if (name == QLatin1String("demo")) {
        return tr("Embedded demo");
    }
    if (name == QLatin1String("emulator")) {
        return tr("Emulator");
    }
    if (name == QLatin1String("production")) {
        return tr("Production");
    }
    return name;
}

Status checkRedisTransport(const ConnectionProfile& profile) {
    if (profile.kind != ProfileKind::Production || profile.allowPlaintextRedis) {
        return {};
    }
    const Result<services::RedisConfig> redis = services::RedisConfig::fromUrl(profile.redisUrl);
    if (!redis.ok() || redis->tls) {
        return {};
    }
    return Error::permission(
        tr("Profile %1 is a production profile and its Redis URL uses redis:// without TLS: the Redis password and the "
           "speech data would cross the network in clear text. Use rediss://, or tick “Allow plain redis://” "
           "in the profile if a TLS tunnel on this machine protects the connection.")
            .arg(profile.name));
}

Status checkBeforeConnect(const ConnectionProfile& profile, const QString& firestoreEmulatorHostVariable) {
    if (profile.kind == ProfileKind::Production && !firestoreEmulatorHostVariable.trimmed().isEmpty()) {
        return Error::permission(
            tr("FIRESTORE_EMULATOR_HOST is set (to %1) and profile %2 is a production profile: the console would "
               "silently use the emulator instead of project %3. Unset FIRESTORE_EMULATOR_HOST and start the console "
               "again, or connect with an emulator profile.")
                .arg(firestoreEmulatorHostVariable.trimmed(), profile.name, profile.firestoreProject));
    }
    return checkRedisTransport(profile);
}

QString secretKey(const QString& profileName, ProfileSecret secret) {
    switch (secret) {
    case ProfileSecret::RedisPassword:
        return QString(profileName + QStringLiteral("/redis-password"));
    case ProfileSecret::OAuthClientSecret:
        return QString(profileName + QStringLiteral("/oauth-client-secret"));
    case ProfileSecret::LlmApiKey:
        return QString(profileName + QStringLiteral("/llm-api-key"));
    }
    return {};
}

QString secretLabel(ProfileSecret secret) {
    switch (secret) {
    case ProfileSecret::RedisPassword:
        return tr("Redis password");
    case ProfileSecret::OAuthClientSecret:
        return tr("OAuth client secret of the identity provider");
    case ProfileSecret::LlmApiKey:
        return tr("LLM API key");
    }
    return {};
}

QList<ConnectionProfile> ProfileSettings::builtIns() {
    // The defaults table. Emulator values match scripts/ and the CTest fixtures (local redis, Firestore emulator).
    ConnectionProfile demo;
    demo.name = QStringLiteral("demo");
    demo.kind = ProfileKind::Demo;

    ConnectionProfile emulator;
    emulator.name = QStringLiteral("emulator");
    emulator.kind = ProfileKind::Emulator;
    emulator.redisUrl = QStringLiteral("redis://127.0.0.1:6379/0");
    emulator.firestoreProject = QStringLiteral("demo-fairuse");
    emulator.firestoreEmulatorHost = QStringLiteral("127.0.0.1:8080");
    emulator.firebaseApiKey = QStringLiteral("demo-api-key");
    emulator.authEmulatorHost = QStringLiteral("127.0.0.1:9099");

    ConnectionProfile production;
    production.name = QStringLiteral("production");
    production.kind = ProfileKind::Production;
    production.llmBaseUrl = QStringLiteral("https://api.openai.com/v1");
    production.llmModel = QStringLiteral("gpt-4.1-mini");
    return {demo, emulator, production};
}

ProfileSettings::ProfileSettings()
    : m_owned(std::make_unique<QSettings>())
    , m_settings(m_owned.get()) {}

ProfileSettings::ProfileSettings(QSettings* settings)
    : m_settings(settings) {}

ProfileSettings::~ProfileSettings() = default;

QStringList ProfileSettings::names() const {
    QStringList out;
    for (const ConnectionProfile& p : builtIns()) {
        out.append(p.name);
    }
    m_settings->beginGroup(QStringLiteral("profiles"));
    QStringList custom = m_settings->childGroups();
    m_settings->endGroup();
    custom.sort();
    for (const QString& n : custom) {
        if (!out.contains(n)) {
            out.append(n);
        }
    }
    return out;
}

ConnectionProfile ProfileSettings::profile(const QString& name) const {
    ConnectionProfile p;
    p.name = name;
    p.kind = ProfileKind::Production;
    for (const ConnectionProfile& b : builtIns()) {
        if (b.name == name) {
            p = b;
        }
    }
    m_settings->beginGroup(group(name));
    if (const std::optional<ProfileKind> kind =
            fromWireName(kKinds, m_settings->value(QStringLiteral("kind")).toString())) {
        p.kind = *kind;
    }
    for (const Field& f : kFields) {
        const QString key = QString::fromLatin1(f.key);
        if (m_settings->contains(key)) {
            p.*(f.member) = m_settings->value(key).toString();
        }
    }
    for (const Flag& f : kFlags) {
        p.*(f.member) = m_settings->value(QLatin1String(f.key), p.*(f.member)).toBool();
    }
    m_settings->endGroup();
    return p;
}

void ProfileSettings::save(const ConnectionProfile& p) {
    m_settings->beginGroup(group(p.name));
    m_settings->setValue(QStringLiteral("kind"), toString(p.kind));
    for (const Field& f : kFields) {
        m_settings->setValue(QString::fromLatin1(f.key), p.*(f.member));
    }
    for (const Flag& f : kFlags) {
        m_settings->setValue(QLatin1String(f.key), p.*(f.member));
    }
    m_settings->endGroup();
    m_settings->sync();
}

void ProfileSettings::remove(const QString& name) {
    m_settings->remove(group(name));
    m_settings->sync();
}

QString ProfileSettings::lastProfile() const {
    return m_settings->value(QStringLiteral("lastProfile"), QStringLiteral("demo")).toString();
}

void ProfileSettings::setLastProfile(const QString& name) {
    m_settings->setValue(QStringLiteral("lastProfile"), name);
    m_settings->sync();
}

} // namespace fairuse::models
