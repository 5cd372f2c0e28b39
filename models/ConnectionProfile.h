#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

class QSettings;

namespace fairuse::models {

/** What a connection profile connects to. */
enum class ProfileKind { Demo, Emulator, Production };
QString toString(ProfileKind kind);

/**
 * One connection profile, without secrets: those live in the keychain (or, when none is reachable, in memory for
 * the session) under the keys secretKey(...) names.
 */
struct ConnectionProfile {
    QString name;
    ProfileKind kind = ProfileKind::Demo;
    /** Embedded store file (demo); empty: the default demo store in the app's data folder. */
    QString dbPath;
    /** Redis URL without a password ("redis://host:6379/0"); the password is a secret. */
    QString redisUrl;
    QString firestoreProject;
    /** host:port of the Firestore emulator (emulator profiles). */
    QString firestoreEmulatorHost;
    /** Program printing an OAuth access token (e.g. "gcloud auth print-access-token"); empty: the service-account
     *  key stored as a secret. */
    QString tokenCommand;
    /** OpenAI-compatible endpoint and model; empty endpoint: the offline heuristic classifier. */
    QString llmBaseUrl;
    QString llmModel;
    /** The reviewer signing in (emulator and production; the demo signs in as the demo reviewer). */
    QString reviewerEmail;

    /** A label for the status bar ("Embedded demo", "Emulator", "Production", or the name). */
    QString displayName() const;
};

/** The secrets a profile can need; each is stored under "<profile>/<name>". */
enum class ProfileSecret { RedisPassword, ServiceAccountKey, LlmApiKey };
QString secretKey(const QString& profileName, ProfileSecret secret);
QString secretLabel(ProfileSecret secret);

/**
 * The console's connection profiles, typed, over QSettings (group "profiles/<name>"). The three built-in profiles
 * ("demo", "emulator", "production") come from one defaults table and can be edited; saved values override the
 * defaults field by field. Never stores secrets.
 */
class ProfileSettings {
public:
    /** Uses the application's QSettings. */
    ProfileSettings();
    /** Uses `settings` (tests pass an INI file); not owned. */
    explicit ProfileSettings(QSettings* settings);
    ~ProfileSettings();

    /** The built-in profiles with their defaults (the one table). */
    static QList<ConnectionProfile> builtIns();

    /** Built-in names first, then saved custom profiles, sorted. */
    QStringList names() const;
    /** The named profile: defaults overlaid by what is saved; an unknown name is a new production profile. */
    ConnectionProfile profile(const QString& name) const;
    void save(const ConnectionProfile& profile);
    /** Forgets a saved profile (built-ins return to their defaults). */
    void remove(const QString& name);

    QString lastProfile() const;
    void setLastProfile(const QString& name);

private:
    std::unique_ptr<QSettings> m_owned;
    QSettings* m_settings;
};

} // namespace fairuse::models
