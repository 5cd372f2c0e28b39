#pragma once
// Shared by the emulator-backed tests: where the fixture's emulator is, a fresh project per test, rules loading.

#include "RequireBackend.h"
#include "TestResults.h"
#include "TestTime.h"
#include "common/Await.h"
#include "common/Stores.h"
#include "common/Time.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreClient.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTest>

namespace fairuse::testing {

using backends::emulatorHost;

/** A project id nobody else uses: the emulator keeps each project's data apart. */
inline QString freshProject(const QString& name) {
    return QStringLiteral("t-%1-%2-%3")
        .arg(name.toLower())
        .arg(QCoreApplication::applicationPid())
        .arg(QRandomGenerator::global()->bounded(1u << 30));
}

inline services::FirestoreConfig emulatorConfig(const QString& project, const QString& host) {
    services::FirestoreConfig c;
    c.projectId = project;
    c.emulatorHost = host;
    c.initialBackoffMs = 20;
    c.maxBackoffMs = 100;
    return c;
}

/** Loads security rules for one project into the emulator (PUT /emulator/v1/projects/P:securityRules). */
inline bool loadRules(const QString& host, const QString& project, const QByteArray& rules) {
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(QStringLiteral("http://%1/emulator/v1/projects/%2:securityRules").arg(host, project)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    const QJsonObject body{
        {QStringLiteral("rules"),
         QJsonObject{{QStringLiteral("files"),
                      QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("firestore.rules")},
                                             {QStringLiteral("content"), QString::fromUtf8(rules)}}}}}}};
    QNetworkReply* reply = nam.put(request, QJsonDocument(body).toJson());
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200) {
        qWarning("loading rules failed: HTTP %d %s", status, reply->readAll().constData());
    }
    reply->deleteLater();
    return status == 200;
}

/** A user as the backend leaves one at `stage`, updated at `updatedAt`: the violation 5 minutes and the classifier's
 *  run (an audiobook, score 0.9) 10 minutes before, a flagged user's violation counts, and the stage's timer. */
inline FairUseState backendStateAt(const QString& uid, Stage stage, TimePoint updatedAt, TimePoint throttleUntil,
                                   TimePoint restrictUntil) {
    FairUseState s;
    s.uid = uid;
    s.stage = stage;
    s.updatedAt = updatedAt;
    s.lastViolationAt = updatedAt - std::chrono::minutes(5);
    s.violationCount7d = stage == Stage::None ? 0 : 2;
    s.violationCount30d = stage == Stage::None ? 0 : 3;
    s.lastClassifierAt = updatedAt - std::chrono::minutes(10);
    s.lastClassifierScore = 0.9;
    s.lastClassifierType = UsageType::Audiobook;
    if (stage == Stage::Throttle) {
        s.throttleUntil = throttleUntil;
    }
    if (stage == Stage::Restrict) {
        s.restrictUntil = restrictUntil;
        s.restrictReason = QStringLiteral("third violation in 30 days");
    }
    return s;
}

/** Loads the shipped rules into `project`; false (with a warning) when they do not load. */
inline bool loadShippedRules(const QString& host, const QString& project) {
    QFile rules(qEnvironmentVariable("FAIRUSE_SOURCE_DIR") + QStringLiteral("/packaging/firestore/firestore.rules"));
    if (!rules.open(QIODevice::ReadOnly)) {
        qWarning("cannot read %s", qPrintable(rules.fileName()));
        return false;
    }
    return loadRules(host, project, rules.readAll());
}

/** A case store on a fresh project of the emulator at `host`, with the owner's access, and its client. */
struct Fixture {
    std::shared_ptr<services::FirestoreClient> client;
    std::unique_ptr<services::FirestoreCaseStore> store;
};

inline Fixture makeStore(const QString& host, const QString& name, services::FirestoreCaseStore::Options options = {}) {
    Fixture f;
    f.client = std::make_shared<services::FirestoreClient>(emulatorConfig(freshProject(name), host),
                                                           services::StaticToken::emulatorOwner());
    f.store = std::make_unique<services::FirestoreCaseStore>(f.client, options);
    return f;
}

} // namespace fairuse::testing

/** The emulator's host:port in `hostVar`, or the test fails or skips (REQUIRE_BACKEND) when the fixture started
 *  none. */
#define FAIRUSE_REQUIRE_EMULATOR(hostVar)                                                                              \
    const QString hostVar = fairuse::testing::emulatorHost();                                                          \
    REQUIRE_FIRESTORE_EMULATOR(hostVar)

/** Fails the test with the error's reason unless `expr` (a Result or Status, evaluated once) is ok. */
#define VERIFY_OK(expr)                                                                                                \
    do {                                                                                                               \
        const auto& verifyOk_ = (expr);                                                                                \
        QVERIFY2(verifyOk_.ok(), qPrintable(verifyOk_.ok() ? QString() : fairuse::testing::why(verifyOk_.error())));   \
    } while (false)
