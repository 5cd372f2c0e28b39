#include "firestore/ServiceHeartbeatDocument.h"

#include "firestore/FieldReader.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"

namespace fairuse::services {

QString serviceHeartbeatPath(const QString& instance) {
    return kServiceHeartbeatCollection + QLatin1Char('/') + instance;
}

FirestoreFields encodeServiceHeartbeat(const ServiceHeartbeat& h) {
    using V = FirestoreValue;
    return {{QStringLiteral("instance"), V::string(h.instance)},
            {QStringLiteral("version"), V::string(h.version)},
            {QStringLiteral("last_pass_started"), V::timestamp(h.lastPassStarted)},
            {QStringLiteral("last_pass_finished"), V::timestamp(h.lastPassFinished)},
            {QStringLiteral("duration_ms"), V::integer(h.durationMs)},
            {QStringLiteral("users_evaluated"), V::integer(h.usersEvaluated)},
            {QStringLiteral("cases_written"), V::integer(h.casesWritten)},
            {QStringLiteral("errors"), V::integer(h.errors)},
            {QStringLiteral("shadow"), V::boolean(h.shadow)},
            {QStringLiteral("interval_s"), V::integer(h.intervalS)}};
}

Result<ServiceHeartbeat> decodeServiceHeartbeat(const FirestoreDocument& doc) {
    FieldReader r(doc.fields, doc.relativePath().isEmpty() ? QStringLiteral("heartbeat") : doc.relativePath());
    r.requireAll({"instance", "last_pass_started", "last_pass_finished"});
    ServiceHeartbeat h;
    h.instance = r.string(QStringLiteral("instance"));
    h.version = r.string(QStringLiteral("version"));
    h.lastPassStarted = r.time(QStringLiteral("last_pass_started")).value_or(TimePoint{});
    h.lastPassFinished = r.time(QStringLiteral("last_pass_finished")).value_or(TimePoint{});
    h.durationMs = r.integer(QStringLiteral("duration_ms"));
    h.usersEvaluated = static_cast<int>(r.integer(QStringLiteral("users_evaluated")));
    h.casesWritten = static_cast<int>(r.integer(QStringLiteral("cases_written")));
    h.errors = static_cast<int>(r.integer(QStringLiteral("errors")));
    h.shadow = r.boolean(QStringLiteral("shadow"));
    h.intervalS = r.integer(QStringLiteral("interval_s"));
    if (r.error()) {
        return *r.error();
    }
    return h;
}

Async<QList<ServiceHeartbeat>> FirestoreCaseStore::listServiceHeartbeats() {
    FirestoreQuery q;
    q.collectionId = kServiceHeartbeatCollection;
    q.limit = 100; // one document per instance that ever ran
    return casestore::decodeAll(this, m_client.get(), q, &decodeServiceHeartbeat);
}

} // namespace fairuse::services
