#include "firestore/ClassifierRunDocument.h"

#include "firestore/FieldReader.h"
#include "firestore/FirestoreMapping.h"

namespace fairuse::services {

namespace {

const QString kOk = QStringLiteral("ok");
const QString kFailed = QStringLiteral("failed");

} // namespace

QString classifierRunPath(const QString& auditRecordId) {
    return kClassifierRunCollection + QLatin1Char('/') + auditRecordId;
}

FirestoreFields encodeClassifierRun(const ClassifierRun& run) {
    using V = FirestoreValue;
    return {{QStringLiteral("uid"), V::string(run.uid)},
            {QStringLiteral("requested_by"), V::string(run.requestedBy)},
            {QStringLiteral("requested_sequence"), V::integer(run.requestedSequence)},
            {QStringLiteral("finished_at"), V::timestamp(run.finishedAt)},
            {QStringLiteral("status"), V::string(run.ok ? kOk : kFailed)},
            {QStringLiteral("error"), V::string(run.error)},
            {QStringLiteral("classifier"),
             run.ok && run.classifier ? V::map(encodeClassifier(*run.classifier)) : V::null()},
            {QStringLiteral("instance"), V::string(run.instance)}};
}

Result<ClassifierRun> decodeClassifierRun(const FirestoreDocument& doc) {
    const QString path = doc.relativePath().isEmpty() ? QStringLiteral("classifier run") : doc.relativePath();
    FieldReader r(doc.fields, path);
    r.requireAll({"uid", "requested_sequence", "finished_at", "status"});
    ClassifierRun run;
    const QStringList segments = doc.pathSegments();
    run.auditRecordId = segments.isEmpty() ? QString() : segments.last();
    run.uid = r.string(QStringLiteral("uid"));
    run.requestedBy = r.string(QStringLiteral("requested_by"));
    run.requestedSequence = r.integer(QStringLiteral("requested_sequence"));
    run.finishedAt = r.time(QStringLiteral("finished_at")).value_or(TimePoint{});
    const QString status = r.string(QStringLiteral("status"));
    run.error = r.string(QStringLiteral("error"));
    run.instance = r.string(QStringLiteral("instance"));
    const std::optional<FirestoreFields> classifier = r.map(QStringLiteral("classifier"));
    if (r.error()) {
        return *r.error();
    }
    if (run.uid.isEmpty()) {
        r.fail(QStringLiteral("uid"), QStringLiteral("is empty"));
    } else if (run.requestedSequence <= 0) {
        r.fail(QStringLiteral("requested_sequence"), QStringLiteral("is not a positive sequence"));
    } else if (status == kFailed) {
        if (run.error.trimmed().isEmpty()) {
            r.fail(QStringLiteral("error"), QStringLiteral("is empty, but the run failed"));
        }
    } else if (status != kOk) {
        r.fail(QStringLiteral("status"),
               QStringLiteral("has unknown value \"%1\" (ok or failed)").arg(status.left(40)));
    } else if (!classifier) {
        r.fail(QStringLiteral("classifier"), QStringLiteral("is missing, but the run is ok"));
    } else {
        run.ok = true;
        Result<ClassifierResult> verdict = decodeClassifier(*classifier);
        if (!verdict) {
            r.fail(verdict.error());
        } else {
            // decodeClassifier takes a missing score as 0: an answer without one is no answer.
            FieldReader scores(*classifier, QStringLiteral("classifier"));
            for (const char* name : {"misuse_score", "confidence"}) {
                const QString field = QString::fromLatin1(name);
                const std::optional<double> x = scores.number(field);
                if (!scores.error() && !(x && *x >= 0.0 && *x <= 1.0)) {
                    scores.fail(field, QStringLiteral("is missing or outside 0..1"));
                }
            }
            if (scores.error()) {
                r.fail(*scores.error());
            }
            run.classifier = std::move(verdict.value());
        }
    }
    return r.result(std::move(run));
}

} // namespace fairuse::services
