#include "Composition.h"

#include "FutureWatch.h"
#include "embedded/DemoGenerator.h"
#include "embedded/EmbeddedStore.h"
#include "firestore/FirestoreAuth.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"
#include "llm/HeuristicClassifierService.h"
#include "llm/OpenAiClassifier.h"
#include "logging/Logging.h"
#include "redis/RedisClient.h"
#include "redis/RedisConfig.h"
#include "redis/RedisUsageStore.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
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
    if (m_profile.reviewerEmail.isEmpty()) {
        Q_EMIT failed(
            tr("Profile %1 has no reviewer e-mail. Set it under File > Connection profiles.").arg(m_profile.name));
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
    readSecret(models::ProfileSecret::RedisPassword, true, !emulator,
               [this, redisConfig, emulator](QString password) mutable {
                   if (!password.isEmpty()) {
                       redisConfig.password = password;
                   }
                   auto client = std::make_shared<RedisClient>(redisConfig);
                   m_connection->owned.push_back(client);
                   m_connection->backend.usage = std::make_shared<RedisUsageStore>(client.get());

                   FirestoreConfig fs = FirestoreConfig::fromEnvironment(m_profile.firestoreProject);
                   if (emulator && !m_profile.firestoreEmulatorHost.isEmpty() && fs.emulatorHost.isEmpty()) {
                       fs.emulatorHost = m_profile.firestoreEmulatorHost;
                   }
                   auto buildRest = [this](FirestoreConfig config, std::shared_ptr<TokenProvider> tokens) {
                       auto client = std::make_shared<FirestoreClient>(config, std::move(tokens));
                       m_connection->owned.push_back(client);
                       FirestoreCaseStore::Options options;
                       options.clientVersion = m_clientVersion;
                       // The queue reads open cases and last action for the rows on screen only (QueueModel), not
                       // two queries per row of every page.
                       options.enrichQueueRows = false;
                       m_connection->backend.cases = std::make_shared<FirestoreCaseStore>(client, options);
                       buildClassifier();
                   };
                   if (fs.isEmulator()) {
                       buildRest(fs, StaticToken::emulatorOwner());
                   } else if (!m_profile.tokenCommand.isEmpty()) {
                       QStringList words = QProcess::splitCommand(m_profile.tokenCommand);
                       const QString program = words.isEmpty() ? QString() : words.takeFirst();
                       buildRest(fs, std::make_shared<CommandToken>(program, words));
                   } else {
                       readSecret(models::ProfileSecret::ServiceAccountKey, false, true,
                                  [this, fs, buildRest](QString keyJson) {
                                      auto token = ServiceAccountToken::fromKeyJson(keyJson.toUtf8());
                                      if (!token.ok()) {
                                          Q_EMIT failed(tr("The service-account key of profile %1 is not valid: %2")
                                                            .arg(m_profile.name, token.error().message));
                                          return;
                                      }
                                      buildRest(fs, *token);
                                  });
                   }
               });
}

void Composer::buildClassifier() {
    if (m_profile.llmBaseUrl.isEmpty()) {
        m_connection->backend.classifier = std::make_shared<HeuristicClassifierService>();
        signIn(m_profile.reviewerEmail);
        return;
    }
    readSecret(models::ProfileSecret::LlmApiKey, false, true, [this](QString apiKey) {
        OpenAiClassifierConfig config;
        config.baseUrl = QUrl(m_profile.llmBaseUrl);
        if (!m_profile.llmModel.isEmpty()) {
            config.model = m_profile.llmModel;
        }
        m_connection->backend.classifier = std::make_shared<OpenAiClassifier>(config, apiKey);
        signIn(m_profile.reviewerEmail);
    });
}

} // namespace fairuse::console
