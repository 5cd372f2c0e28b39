#include "EmulatorProcesses.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

namespace fairuse::bench {

volatile pid_t g_emulatorGroup = 0;
volatile pid_t g_authGroup = 0;

void killGroupOnSignal(int sig) {
    if (g_emulatorGroup > 0) {
        ::kill(-g_emulatorGroup, SIGTERM);
    }
    if (g_authGroup > 0) {
        ::kill(-g_authGroup, SIGTERM);
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

QString findEmulator(const QString& given) {
    QStringList candidates;
    if (!given.isEmpty()) {
        return given;
    }
    const QString env = qEnvironmentVariable("FIRESTORE_EMULATOR_BIN");
    if (!env.isEmpty()) {
        return env;
    }
    candidates << QStringLiteral("/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator")
               << QStringLiteral(
                      "/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator");
    const QString gcloud = QStandardPaths::findExecutable(QStringLiteral("gcloud"));
    if (!gcloud.isEmpty()) {
        const QDir sdk = QFileInfo(QFileInfo(QFileInfo(gcloud).canonicalFilePath()).absolutePath()).absolutePath();
        candidates << sdk.filePath(QStringLiteral("platform/cloud-firestore-emulator/cloud_firestore_emulator"));
    }
    for (const QString& c : std::as_const(candidates)) {
        if (QFileInfo(c).isExecutable()) {
            return c;
        }
    }
    return {};
}

Status loadShippedRules(const QString& host, const QString& project) {
    QFile file(QStringLiteral(FAIRUSE_SOURCE_DIR "/packaging/firestore/firestore.rules"));
    if (!file.open(QIODevice::ReadOnly)) {
        return Error::internal(QStringLiteral("cannot read %1").arg(file.fileName()));
    }
    const QJsonObject body{
        {QStringLiteral("rules"),
         QJsonObject{{QStringLiteral("files"),
                      QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("firestore.rules")},
                                             {QStringLiteral("content"), QString::fromUtf8(file.readAll())}}}}}}};
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(QStringLiteral("http://%1/emulator/v1/projects/%2:securityRules").arg(host, project)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply* reply = nam.put(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200) {
        return Error::invalid(QStringLiteral("the emulator refused the shipped rules: HTTP %1 %2")
                                  .arg(status)
                                  .arg(QString::fromUtf8(reply->readAll().left(500))));
    }
    return {};
}

} // namespace fairuse::bench
