// FirestoreCaseStore's reads of pinned notes, casework documents and saved views (their writes are changeWrites').
#include "firestore/FirestoreCasework.h"
#include "firestore/FirestoreViews.h"

#include "common/Guarded.h"
#include "common/Promise.h"
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"

#include <QSet>

namespace fairuse::services {

namespace {

const QString kNotesCollection = QStringLiteral("fair_use_notes");
const QString kCaseworkCollection = QStringLiteral("fair_use_casework");

bool isUserId(const QString& uid) {
    return !uid.isEmpty() && !uid.contains(QLatin1Char('/'));
}

} // namespace

Async<QList<UserNote>> FirestoreCaseStore::listNotes(const QString& uid) {
    if (!isUserId(uid)) {
        return ready<QList<UserNote>>(Error::invalid(QStringLiteral("\"%1\" is not a user id").arg(uid)));
    }
    FirestoreQuery q;
    q.parent = QStringLiteral("users/%1").arg(uid);
    q.collectionId = kNotesCollection;
    q.orderBy = {{QStringLiteral("created_at"), true}};
    q.limit = 1000;
    return casestore::decodeAll(this, m_client.get(), q, &decodeNote);
}

Async<std::optional<Casework>> FirestoreCaseStore::getCasework(const QString& uid) {
    if (!isUserId(uid)) {
        return ready<std::optional<Casework>>(Error::invalid(QStringLiteral("\"%1\" is not a user id").arg(uid)));
    }
    return m_client->get(caseworkPath(uid))
        .then(guarded(this, [](const Result<FirestoreDocument>& r) -> Result<std::optional<Casework>> {
            if (!r) {
                if (r.error().kind == ErrorKind::NotFound) {
                    return std::optional<Casework>();
                }
                return r.error();
            }
            auto c = decodeCasework(*r);
            if (!c) {
                return c.error();
            }
            return std::optional<Casework>(c.value());
        }));
}

Async<QList<Casework>> FirestoreCaseStore::listCasework() {
    FirestoreQuery q;
    q.collectionId = kCaseworkCollection;
    // A team's escalated and snoozed cases at one time fit one page.
    q.limit = 1000;
    return casestore::decodeAll(this, m_client.get(), q, &decodeCasework);
}

Async<QList<SavedView>> FirestoreCaseStore::listViews(const Reviewer& reader) {
    // One query per disjunct of the rules' read condition (shared, or the reader's own), so the rules can prove each;
    // a query of the whole collection would be refused.
    FirestoreQuery shared;
    shared.collectionId = viewsCollection();
    shared.filters = {{QStringLiteral("shared"), QStringLiteral("EQUAL"), FirestoreValue::boolean(true)}};
    shared.limit = 1000;
    std::optional<FirestoreQuery> own;
    if (!reader.uid.isEmpty() || !reader.email.isEmpty()) {
        own = FirestoreQuery{};
        own->collectionId = viewsCollection();
        own->filters = {reader.uid.isEmpty()
                            ? FirestoreQuery::Filter{QStringLiteral("owner"), QStringLiteral("EQUAL"),
                                                     FirestoreValue::string(reader.email)}
                            : FirestoreQuery::Filter{QStringLiteral("owner_uid"), QStringLiteral("EQUAL"),
                                                     FirestoreValue::string(reader.uid)}};
        own->limit = 1000;
    }
    auto promise = makePromise<QList<SavedView>>();
    casestore::decodeAll(this, m_client.get(), shared, &decodeView)
        .then(guarded(this, [this, own, promise](const Result<QList<SavedView>>& first) {
            if (!first || !own) {
                finish(promise, first);
                return;
            }
            casestore::decodeAll(this, m_client.get(), *own, &decodeView)
                .then(guarded(this, [first, promise](const Result<QList<SavedView>>& second) {
                    if (!second) {
                        finish(promise, second);
                        return;
                    }
                    QList<SavedView> views = *first;
                    QSet<QString> seen;
                    for (const SavedView& v : views) {
                        seen.insert(v.id);
                    }
                    for (const SavedView& v : *second) {
                        if (!seen.contains(v.id)) {
                            views.append(v);
                        }
                    }
                    finish(promise, Result<QList<SavedView>>(std::move(views)));
                }));
        }));
    return promise->future();
}

} // namespace fairuse::services
