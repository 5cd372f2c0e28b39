// FirestoreCaseStore's reads of one user or reviewer: the state with its exemption and subscription, the cases, a
// case by its reference, the conversations, and a reviewer's role (read and set).
#include "firestore/FirestoreCaseStore.h"
#include "firestore/FirestoreCaseStoreParts.h"
#include "firestore/UserDocument.h"

#include "audit/CaseRef.h"

#include <algorithm>

namespace fairuse::services {

using namespace casestore;

namespace {

using V = FirestoreValue;

/** The documents of one of `uid`'s subcollections, newest first (created_at descending). */
FirestoreQuery newestFirst(const QString& uid, const QString& collection) {
    FirestoreQuery q;
    q.parent = QStringLiteral("users/%1").arg(uid);
    q.collectionId = collection;
    q.orderBy = {{QStringLiteral("created_at"), true}};
    return q;
}

} // namespace

Async<FairUseState> FirestoreCaseStore::getState(const QString& uid) {
    return readState(uid, false);
}

Async<FairUseState> FirestoreCaseStore::getStateOrNew(const QString& uid) {
    return readState(uid, true);
}

Async<FairUseState> FirestoreCaseStore::readState(const QString& uid, bool orNew) {
    if (auto ok = checkId(QStringLiteral("user id"), uid); !ok) {
        return ready<FairUseState>(ok.error());
    }
    return m_client->batchGet({statePath(uid), exemptionPath(uid), userDocumentPath(uid)})
        .then(guarded(this,
                      [uid, orNew](const Result<QList<std::optional<FirestoreDocument>>>& r) -> Result<FairUseState> {
                          if (!r) {
                              return r.error();
                          }
                          FairUseState state;
                          state.uid = uid;
                          if (r->value(0)) {
                              auto decoded = decodeState(*r->at(0));
                              if (!decoded) {
                                  return decoded.error();
                              }
                              state = std::move(decoded.value());
                          } else if (!orNew) {
                              return Error::notFound(QStringLiteral("no fair-use state for %1").arg(uid));
                          }
                          state.exempt = exempts(r->value(1));
                          const auto& user = r->value(2);
                          state.subscription = user ? decodeSubscription(user->fields) : std::nullopt;
                          return state;
                      }));
}

Async<QList<FairUseEvent>> FirestoreCaseStore::listEvents(const QString& uid) {
    if (auto ok = checkId(QStringLiteral("user id"), uid); !ok) {
        return ready<QList<FairUseEvent>>(ok.error());
    }
    return decodeAll(this, m_client.get(), newestFirst(uid, kEventsCollection), &decodeEvent);
}

Async<FairUseEvent> FirestoreCaseStore::findByCaseRef(const QString& typed) {
    const QString caseRef = normaliseCaseRef(typed);
    if (caseRef.isEmpty()) {
        return ready<FairUseEvent>(Error::invalid(
            QStringLiteral("\"%1\" is not a case reference (FU- and 12 hex digits)").arg(typed.left(64))));
    }
    FirestoreQuery q;
    q.collectionId = kEventsCollection;
    q.allDescendants = true;
    q.filters = {{QStringLiteral("case_ref"), QStringLiteral("EQUAL"), V::string(caseRef)}};
    q.limit = 2;
    return m_client->runQuery(q).then(
        guarded(this, [caseRef](const Result<QList<FirestoreDocument>>& r) -> Result<FairUseEvent> {
            if (!r) {
                return r.error();
            }
            if (r->isEmpty()) {
                return Error::notFound(QStringLiteral("no case with reference %1").arg(caseRef.left(40)));
            }
            if (r->size() > 1) {
                return Error::internal(QStringLiteral("two cases share the reference %1").arg(caseRef.left(40)));
            }
            return decodeEvent(r->first());
        }));
}

Async<QList<Conversation>> FirestoreCaseStore::listConversations(const QString& uid, TimePoint since, int limit) {
    if (auto ok = checkId(QStringLiteral("user id"), uid); !ok) {
        return ready<QList<Conversation>>(ok.error());
    }
    FirestoreQuery q = newestFirst(uid, QStringLiteral("conversations"));
    q.filters = {{QStringLiteral("created_at"), QStringLiteral("GREATER_THAN_OR_EQUAL"), V::timestamp(since)}};
    q.limit = std::max(limit, 1);
    return decodeAll(this, m_client.get(), q, &decodeConversation);
}

Async<Role> FirestoreCaseStore::reviewerRole(const QString& email) {
    const QString id = email.trimmed().toLower();
    if (auto ok = checkId(QStringLiteral("reviewer e-mail"), id); !ok) {
        return ready<Role>(ok.error());
    }
    return m_client->get(QStringLiteral("%1/%2").arg(kReviewersCollection, id))
        .then(guarded(this, [id](const Result<FirestoreDocument>& r) -> Result<Role> {
            if (!r) {
                if (r.error().kind == ErrorKind::NotFound) {
                    return Error::notFound(QStringLiteral("%1 has no reviewer role").arg(id));
                }
                return r.error();
            }
            const QString name = r->fields.value(QStringLiteral("role")).toText();
            const auto role = roleFromString(name);
            if (!role) {
                return Error::invalid(QStringLiteral("%1 has an unknown role \"%2\"").arg(id, name.left(40)));
            }
            return *role;
        }));
}

Async<bool> FirestoreCaseStore::setReviewerRole(const QString& email, Role role) {
    const QString id = email.trimmed().toLower();
    if (auto ok = checkId(QStringLiteral("reviewer e-mail"), id); !ok) {
        return ready<bool>(ok.error());
    }
    return m_client->commit({reviewerWrite(id, role)})
        .then(guarded(this, [](const Result<CommitResponse>& r) -> Result<bool> {
            if (!r) {
                return r.error();
            }
            return true;
        }));
}

} // namespace fairuse::services
