#include "Composition.h"

#include "FutureWatch.h"
#include "auth/AuthSession.h"
#include "auth/FirebaseAuthClient.h"
#include "embedded/DemoEmbeddedWriter.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"
#include "firestore/ServiceRerunClassifier.h"
#include "llm/ClassifierSpendBooking.h"
#include "llm/HeuristicClassifierService.h"
#include "llm/OpenAiClassifier.h"
#include "logging/Logging.h"
#include "redis/RedisClient.h"
#include "redis/RedisConfig.h"
#include "redis/RedisUsageStore.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

namespace fairuse::console {

using namespace services;

namespace {

TimePoint systemNow() {
    return TimePoint(std::chrono::milliseconds(QDateTime::currentMSecsSinceEpoch()));
}

} // namespace

Composer::Composer(models::ConnectionProfile profile, std::shared_ptr<SecretStore> secrets, SecretPrompt askSecret,
                   QObject* parent)
    : QObject(parent)
    , m_profile(std::move(profile))
    , m_secrets(std::move(secrets))
    , m_askSecret(std::move(askSecret)) {}

std::function<TimePoint()> Composer::clock() const {
    if (m_pinnedNow) {
        const TimePoint t = *m_pinnedNow;
        return [t] { return t; };
    }
    if (m_demoReference) {
        // The demo store's clock is frozen at its reference time so the seeded windows stay meaningful.
        const TimePoint t = *m_demoReference;
        return [t] { return t; };
    }
    return systemNow;
}

void Composer::start() {
    m_connection = std::make_unique<Connection>();
    m_connection->backend.profileName = m_profile.displayName();
    m_connection->backend.clientVersion = m_clientVersion;
    if (m_profile.kind == models::ProfileKind::Demo) {
        startDemo();
    } else {
        startRemote();
    }
}

void Composer::startDemo() {
    const QString path = m_profile.dbPath.isEmpty() ? defaultEmbeddedStorePath() : m_profile.dbPath;
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        Q_EMIT failed(tr("Cannot create the folder of the demo store %1. Choose another path with --db PATH.")
                          .arg(QDir::toNativeSeparators(path)));
        return;
    }
    EmbeddedDatabase::Options options;
    if (m_pinnedNow) {
        const TimePoint t = *m_pinnedNow;
        options.clock = [t] { return t; };
    }
    EmbeddedStores stores = makeEmbeddedStores(path, options);
    m_connection->database = stores.database;
    m_connection->backend.usage = stores.usage;
    m_connection->backend.cases = stores.cases;
    m_connection->backend.classifier = std::make_shared<HeuristicClassifierService>();
    qCInfo(lcApp) << "opening the embedded demo store" << path;
    Q_EMIT progress(tr("Opening the demo store…"));

    std::shared_ptr<EmbeddedDatabase> db = stores.database;
    models::whenFinished(this, db->ready(), [this, db, path](const Status& opened) {
        if (!opened.ok()) {
            Q_EMIT failed(tr("Cannot open the demo store %1: %2\nDelete the file to start a fresh demo, or pass "
                             "another file with --db PATH.")
                              .arg(QDir::toNativeSeparators(path), opened.error().message));
            return;
        }
        models::whenFinished(this, db->isEmpty(), [this, db](const Result<bool>& empty) {
            if (!empty.ok()) {
                Q_EMIT failed(tr("Cannot read the demo store: %1").arg(empty.error().message));
                return;
            }
            auto afterSeed = [this, db] {
                models::whenFinished(this, db->referenceTime(), [this](const Result<std::optional<TimePoint>>& ref) {
                    if (ref.ok()) {
                        m_demoReference = *ref;
                    }
                    signIn(QString::fromLatin1(kDemoReviewerEmail));
                });
            };
            if (!*empty) {
                afterSeed();
                return;
            }
            Q_EMIT progress(tr("Creating the demo population (first start, about a minute)…"));
            DemoOptions demo;
            demo.referenceTime = m_pinnedNow ? *m_pinnedNow : std::chrono::floor<std::chrono::minutes>(systemNow());
            models::whenFinished(
                this, QtConcurrent::run([demo] { return generateDemoPopulation(demo); }),
                [this, db, afterSeed](DemoPopulation population) {
                    Q_EMIT progress(tr("Writing the demo store (first start)…"));
                    models::whenFinished(
                        this, writeToEmbeddedAsync(std::move(population), *db), [this, afterSeed](const Status& s) {
                            if (!s.ok()) {
                                Q_EMIT failed(tr("Could not seed the demo store: %1").arg(s.error().message));
                                return;
                            }
                            afterSeed();
                        });
                });
        });
    });
}

void Composer::signIn(const QString& email) {
    Connection& c = *m_connection;
    c.backend.now = clock();
    c.backend.reviewer.email = email;
    Q_EMIT progress(tr("Signing in as %1…").arg(email));
    models::whenFinished(this, c.backend.cases->reviewerRole(email), [this, email](const Result<Role>& role) {
        if (!role.ok()) {
            const QString where = m_connection->backend.cases->describe();
            Q_EMIT failed(
                role.error().kind == ErrorKind::NotFound
                    ? tr("%1 is not a reviewer in %2. Ask an admin to add you to the reviewers (roles) "
                         "collection.")
                          .arg(email, where)
                    : tr("Could not read the role of %1 from %2: %3").arg(email, where, role.error().message));
            return;
        }
        m_connection->backend.reviewer.role = *role;
        qCInfo(lcApp) << "signed in as" << email << toString(*role);
        Q_EMIT ready();
    });
}

void Composer::readSecret(models::ProfileSecret secret, bool optional, bool ask, std::function<void(QString)> next) {
    const QString key = models::secretKey(m_profile.name, secret);
    models::whenFinished(
        this, m_secrets->read(key), [this, secret, optional, ask, key, next](const Result<QString>& value) {
            if (value.ok()) {
                next(*value);
                return;
            }
            std::optional<QString> asked = ask && m_askSecret ? m_askSecret(secret) : std::nullopt;
            if (!asked || asked->isEmpty()) {
                if (optional) {
                    next(QString());
                } else {
                    Q_EMIT failed(tr("The %1 of profile %2 is needed to connect. Enter it under File > Connection "
                                     "profiles.")
                                      .arg(models::secretLabel(secret), m_profile.name));
                }
                return;
            }
            const QString answer = *asked;
            models::whenFinished(this, m_secrets->write(key, answer),
                                 [next, answer](const Result<bool>&) { next(answer); });
        });
}

void Composer::startRemote() {
    const bool emulator = m_profile.kind == models::ProfileKind::Emulator;
    // Before anything connects: production over plain redis://, or FIRESTORE_EMULATOR_HOST under a production profile.
    if (const Status allowed = models::checkBeforeConnect(m_profile, qEnvironmentVariable("FIRESTORE_EMULATOR_HOST"));
        !allowed.ok()) {
        Q_EMIT failed(allowed.error().message);
        return;
    }
    Result<RedisConfig> redis = RedisConfig::fromUrl(m_profile.redisUrl);
    if (!redis.ok()) {
        Q_EMIT failed(tr("The Redis URL of profile %1 is not valid: %2").arg(m_profile.name, redis.error().message));
        return;
    }
    if (m_profile.firestoreProject.isEmpty()) {
        Q_EMIT failed(
            tr("Profile %1 has no Firestore project. Set it under File > Connection profiles.").arg(m_profile.name));
        return;
    }
    RedisConfig redisConfig = *redis;
    // The emulator's Redis is a local server without a password: use one if the profile stores it, but never stop
    // every start with a password prompt. Production asks once and keeps the answer in the keychain.
    readSecret(models::ProfileSecret::RedisPassword, true, !emulator, [this, redisConfig](QString password) mutable {
        if (!password.isEmpty()) {
            redisConfig.password = password;
        }
        auto client = std::make_shared<RedisClient>(redisConfig);
        m_connection->owned.push_back(client);
        m_connection->backend.usage = std::make_shared<RedisUsageStore>(client.get());
        startAuth();
    });
}

void Composer::startAuth() {
    const bool emulator = m_profile.kind == models::ProfileKind::Emulator;
    FirebaseAuthConfig config =
        FirebaseAuthConfig::fromEnvironment(m_profile.signInProject(), m_profile.firebaseApiKey);
    if (!emulator && config.isEmulator()) {
        Q_EMIT failed(tr("FIREBASE_AUTH_EMULATOR_HOST is set (to %1) and profile %2 is a production profile: reviewers "
                         "would sign in to the emulator instead of project %3. Unset FIREBASE_AUTH_EMULATOR_HOST and "
                         "start the console again, or connect with an emulator profile.")
                          .arg(config.emulatorHost, m_profile.name, m_profile.signInProject()));
        return;
    }
    if (emulator && !config.isEmulator()) {
        config.emulatorHost = m_profile.authEmulatorHost;
    }
    if (emulator && !config.isEmulator()) {
        Q_EMIT failed(tr("Profile %1 is an emulator profile without a Firebase Auth emulator: set its host under "
                         "File > Connection profiles or in FIREBASE_AUTH_EMULATOR_HOST.")
                          .arg(m_profile.name));
        return;
    }
    if (config.apiKey.isEmpty()) {
        Q_EMIT failed(tr("Profile %1 has no Firebase Web API key: reviewers cannot sign in without it. Set it under "
                         "File > Connection profiles (Firebase console, Project settings).")
                          .arg(m_profile.name));
        return;
    }
    m_authClient = std::make_shared<FirebaseAuthClient>(config);
    m_connection->owned.push_back(m_authClient);
    Q_EMIT progress(tr("Restoring your sign-in…"));
    models::whenFinished(this, AuthSession::restore(m_authClient, m_secrets),
                         [this](const Result<std::shared_ptr<AuthSession>>& restored) {
                             if (restored.ok()) {
                                 const Result<Reviewer> who = (*restored)->identity();
                                 if (who.ok()) {
                                     useSession(*restored);
                                     return;
                                 }
                                 requestSignIn(who.error().message);
                                 return;
                             }
                             switch (restored.error().kind) {
                             case ErrorKind::NotFound:
                                 requestSignIn(QString());
                                 break;
                             case ErrorKind::Permission:
                                 requestSignIn(tr("Your sign-in has expired or was revoked: sign in again."));
                                 break;
                             default:
                                 requestSignIn(
                                     tr("Your sign-in could not be restored: %1").arg(restored.error().message));
                             }
                         });
}

void Composer::requestSignIn(const QString& reason) {
    SignInRequest request;
    request.client = m_authClient;
    request.project = m_profile.signInProject();
    request.password = m_profile.passwordSignIn;
    request.reason = reason;
    if (m_profile.signInProvider.isEmpty()) {
        Q_EMIT signInRequired(request);
        return;
    }
    readSecret(models::ProfileSecret::OAuthClientSecret, true, false, [this, request](QString clientSecret) mutable {
        OAuthLoopbackConfig provider = OAuthLoopbackConfig::google(m_profile.oauthClientId, clientSecret);
        provider.providerId = m_profile.signInProvider;
        if (!m_profile.oauthAuthorizationUrl.isEmpty()) {
            provider.authorizationUrl = QUrl(m_profile.oauthAuthorizationUrl);
        }
        if (!m_profile.oauthTokenUrl.isEmpty()) {
            provider.tokenUrl = QUrl(m_profile.oauthTokenUrl);
        }
        if (const Status valid = provider.validate(); valid.ok()) {
            request.provider = provider;
        } else {
            qCWarning(lcApp) << "identity provider of profile" << m_profile.name
                             << "not offered:" << valid.error().message;
        }
        Q_EMIT signInRequired(request);
    });
}

void Composer::continueSignIn(const AuthTokens& tokens) {
    if (!m_connection || !m_authClient) {
        return;
    }
    if (const Result<Reviewer> who = AuthSession::identityOf(tokens.claims); !who.ok()) {
        requestSignIn(who.error().message);
        return;
    }
    models::whenFinished(this, AuthSession::signedIn(m_authClient, m_secrets, tokens),
                         [this, tokens](const Result<std::shared_ptr<AuthSession>>& session) {
                             if (session.ok()) {
                                 useSession(*session);
                                 return;
                             }
                             // No keychain to keep the refresh token in: this session works, the next start asks again.
                             qCWarning(lcApp)
                                 << "the sign-in is kept for this session only:" << session.error().message;
                             useSession(std::make_shared<AuthSession>(m_authClient, m_secrets, tokens));
                         });
}

void Composer::cancelSignIn() {
    Q_EMIT failed(tr("Not signed in: the console acts only as a signed-in reviewer."));
}

void Composer::useSession(std::shared_ptr<AuthSession> session) {
    const Result<Reviewer> who = session->identity();
    if (!who.ok()) {
        requestSignIn(who.error().message);
        return;
    }
    m_connection->session = session;
    m_connection->owned.push_back(session);
    models::Backend& b = m_connection->backend;
    b.reviewer = *who;
    b.signInMethod = session->claims().signInProvider;
    qCInfo(lcApp) << "signed in as" << who->email << toString(who->role) << "with" << b.signInMethod;

    // Every Firestore request carries this reviewer's ID token; the security rules check it.
    FirestoreConfig fs = FirestoreConfig::fromEnvironment(m_profile.firestoreProject);
    if (m_profile.kind == models::ProfileKind::Emulator && !m_profile.firestoreEmulatorHost.isEmpty() &&
        fs.emulatorHost.isEmpty()) {
        fs.emulatorHost = m_profile.firestoreEmulatorHost;
    }
    auto client = std::make_shared<FirestoreClient>(fs, session);
    m_connection->owned.push_back(client);
    FirestoreCaseStore::Options options;
    options.clientVersion = m_clientVersion;
    // The queue reads open cases and last action for the rows on screen only (QueueModel), not two queries per row
    // of every page.
    options.enrichQueueRows = false;
    b.cases = std::make_shared<FirestoreCaseStore>(client, options);
    buildClassifier(client);
}

void Composer::buildClassifier(const std::shared_ptr<FirestoreClient>& firestore) {
    const auto done = [this] {
        m_connection->backend.now = clock();
        Q_EMIT ready();
    };
    if (m_profile.rerunByService) {
        // The service answers the re-run's audit record with its own classifier: no LLM key on this computer.
        m_connection->backend.classifier =
            std::make_shared<ServiceRerunClassifier>(firestore, m_connection->backend.reviewer);
        done();
        return;
    }
    if (m_profile.llmBaseUrl.isEmpty()) {
        m_connection->backend.classifier = std::make_shared<HeuristicClassifierService>();
        done();
        return;
    }
    readSecret(models::ProfileSecret::LlmApiKey, false, true, [this, done](QString apiKey) {
        OpenAiClassifierConfig config;
        config.baseUrl = QUrl(m_profile.llmBaseUrl);
        if (!m_profile.llmModel.isEmpty()) {
            config.model = m_profile.llmModel;
        }
        auto classifier = std::make_shared<OpenAiClassifier>(config, apiKey);
        // The console's own classifier runs are LLM spend too: priced in a ledger and written to the case store.
        new ClassifierSpendBooking(classifier.get(), m_connection->backend.cases, PriceTable::defaults(),
                                   classifier.get());
        m_connection->backend.classifier = classifier;
        done();
    });
}

} // namespace fairuse::console
