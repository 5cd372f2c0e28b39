#include "secrets/KeychainSecretStore.h"

#include "common/Promise.h"

#include <qt6keychain/keychain.h>

#include <QFuture>
#include <QPromise>

#include <memory>

namespace fairuse::services {

namespace {

/** Maps a failed QtKeychain job to our error kinds. Anything that is not "missing" or "refused" means the
 *  keychain could not be used at all (no D-Bus session, no Secret Service, backend error): Unavailable, with
 *  QtKeychain's own text for the person who has to fix it. */
Error toError(const QKeychain::Job& job, const QString& what) {
    const QString detail = job.errorString().isEmpty() ? QStringLiteral("no details") : job.errorString();
    switch (job.error()) {
    case QKeychain::NoError:
        return Error::internal(QStringLiteral("%1: keychain reported an error without a code").arg(what));
    case QKeychain::EntryNotFound:
        return Error::notFound(QStringLiteral("%1: not in the keychain").arg(what));
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return Error::permission(QStringLiteral("%1: the keychain refused access (%2)").arg(what, detail));
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    return Error::unavailable(QStringLiteral("%1: no OS keychain reachable (%2). Secrets are never stored in plain "
                                             "text: unlock or start the keyring (Secret Service), or keep the secret "
                                             "for this session only.")
                                  .arg(what, detail));
}

/** Starts a job and turns its `finished` signal into a future. The job is its own context object (it deletes
 *  itself after finishing), so the continuation can never outlive what it touches. */
template <typename T, typename Job, typename OnSuccess>
Async<T> run(Job* job, const QString& service, const QString& key, const QString& what, OnSuccess onSuccess,
             bool missingIsSuccess = false) {
    auto promise = std::make_shared<QPromise<Result<T>>>();
    promise->start();
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plain-text QSettings file
    job->setKey(key);
    const QString label = QStringLiteral("%1 \"%2\" (service %3)").arg(what, key, service);
    QObject::connect(job, &QKeychain::Job::finished, job,
                     [promise, label, onSuccess, missingIsSuccess](QKeychain::Job* finished) {
                         if (finished->error() == QKeychain::NoError ||
                             (missingIsSuccess && finished->error() == QKeychain::EntryNotFound)) {
                             promise->addResult(onSuccess(*static_cast<Job*>(finished)));
                         } else {
                             promise->addResult(Result<T>(toError(*finished, label)));
                         }
                         promise->finish();
                     });
    job->start();
    return promise->future();
}

Error emptyKey() {
    return Error::invalid(QStringLiteral("a secret needs a non-empty key"));
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service)
    : m_service(std::move(service)) {}

Async<QString> KeychainSecretStore::read(const QString& key) {
    if (key.isEmpty()) {
        return ready(Result<QString>(emptyKey()));
    }
    return run<QString>(new QKeychain::ReadPasswordJob(m_service), m_service, key, QStringLiteral("reading"),
                        [](const QKeychain::ReadPasswordJob& job) { return Result<QString>(job.textData()); });
}

Async<bool> KeychainSecretStore::write(const QString& key, const QString& secret) {
    if (key.isEmpty()) {
        return ready(Result<bool>(emptyKey()));
    }
    auto* job = new QKeychain::WritePasswordJob(m_service);
    job->setTextData(secret);
    return run<bool>(job, m_service, key, QStringLiteral("writing"),
                     [](const QKeychain::WritePasswordJob&) { return Result<bool>(true); });
}

Async<bool> KeychainSecretStore::remove(const QString& key) {
    if (key.isEmpty()) {
        return ready(Result<bool>(emptyKey()));
    }
    // Deleting what is not there leaves the keychain as the caller wants it: not an error.
    return run<bool>(
        new QKeychain::DeletePasswordJob(m_service), m_service, key, QStringLiteral("deleting"),
        [](const QKeychain::DeletePasswordJob&) { return Result<bool>(true); }, true);
}

} // namespace fairuse::services
