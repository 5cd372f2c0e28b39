#pragma once

#include "common/Result.h"

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
    /** Redis URL without a password ("rediss://host:6380/0"); the password is a secret. */
    QString redisUrl;
    /** Production only: accept a plain redis:// URL (no TLS), e.g. behind a TLS tunnel that ends on this machine.
     *  Off by default, so a production profile needs rediss://. */
    bool allowPlaintextRedis = false;
    QString firestoreProject;
    /** host:port of the Firestore emulator (emulator profiles). */
    QString firestoreEmulatorHost;
    /** OpenAI-compatible endpoint and model; empty endpoint: the offline heuristic classifier. */
    QString llmBaseUrl;
    QString llmModel;
    /** Where the console's "Re-run classifier" runs: false (the default), on this computer, with the LLM endpoint
     *  above and its key from the keychain; true, by the enforcement service, which answers the re-run's audit record
     *  (services/firestore/ServiceRerunClassifier.h): no LLM key is read on this computer. Not for the demo. */
    bool rerunByService = false;

    // Sign-in (emulator and production; the demo acts as the demo store's own reviewer). Who acts is never part of
    // a profile: it is the verified e-mail, uid and role claim of the ID token Firebase Authentication issues.
    /** The Firebase project of the reviewers' accounts; empty: the Firestore project. */
    QString authProject;
    /** The project's Firebase Web API key (public: it identifies the project and grants nothing). */
    QString firebaseApiKey;
    /** host:port of the Firebase Auth emulator (emulator profiles; FIREBASE_AUTH_EMULATOR_HOST overrides it). */
    QString authEmulatorHost;
    /** The team's identity provider for "Sign in with …": google.com, an Identity Platform OIDC provider id
     *  (oidc.acme), or empty for none. */
    QString signInProvider;
    /** OAuth client id of this desktop app at that provider; its secret, if the provider issues one, is a
     *  ProfileSecret. */
    QString oauthClientId;
    /** Authorization and token endpoints of an OIDC provider; empty: Google's. */
    QString oauthAuthorizationUrl;
    QString oauthTokenUrl;
    /** Offer e-mail and password sign-in (teams without an identity provider). */
    bool passwordSignIn = true;

    /** The project reviewers sign in to. */
    QString signInProject() const { return authProject.isEmpty() ? firestoreProject : authProject; }

    /** A label for the status bar ("Embedded demo", "Emulator", "Production", or the name). */
    QString displayName() const;
};

/**
 * Whether `profile` may reach its Redis as configured: a production profile needs rediss:// (TLS), because the
 * password and the speech data cross the network, unless it allows plain redis:// explicitly (allowPlaintextRedis).
 * Fine for demo and emulator profiles, and for a URL that does not parse (that is reported where it is parsed).
 */
Status checkRedisTransport(const ConnectionProfile& profile);

/**
 * Everything checked before a profile connects, with nothing sent yet: checkRedisTransport(), and that
 * FIRESTORE_EMULATOR_HOST (`firestoreEmulatorHostVariable`, the environment's value) is not set for a production
 * profile, where it would silently turn the session into an emulator session. Emulator profiles keep using it.
 */
Status checkBeforeConnect(const ConnectionProfile& profile, const QString& firestoreEmulatorHostVariable);

/** The secrets a profile can need; each is stored under "<profile>/<name>". */
enum class ProfileSecret { RedisPassword, LlmApiKey, OAuthClientSecret };
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
