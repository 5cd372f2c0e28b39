// Firestore documents as the REST API returns them ({"name", "fields", "updateTime"}), decoded as each of our
// document types: fair-use state, event, conversation, audit record, LLM spend, classifier result, the user
// document's subscription, a claim, an appeal, a saved view, a shadow decision (whose round trip must hold) and the
// enforcement service's answer to a re-run request.
#include "firestore/ClassifierRunDocument.h"
#include "firestore/FirestoreAppeals.h"
#include "firestore/FirestoreClaims.h"
#include "firestore/FirestoreMapping.h"
#include "firestore/FirestoreViews.h"
#include "firestore/ShadowDecisionDocument.h"
#include "firestore/UserDocument.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace fairuse::services;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QJsonDocument json = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)));
    if (!json.isObject()) {
        return 0;
    }
    auto doc = FirestoreDocument::fromJson(json.object());
    if (!doc) {
        return 0;
    }
    (void)doc->pathSegments();
    if (auto s = decodeState(*doc)) {
        (void)encodeState(*s);
    }
    if (auto e = decodeEvent(*doc)) {
        (void)encodeEvent(*e);
    }
    if (auto c = decodeConversation(*doc)) {
        (void)encodeConversation(*c);
    }
    if (auto a = decodeAudit(doc->fields)) {
        (void)encodeAudit(*a);
    }
    if (auto s = decodeSpend(doc->fields)) {
        (void)encodeSpend(*s);
    }
    if (auto c = decodeClassifier(doc->fields)) {
        (void)encodeClassifier(*c);
    }
    if (auto s = decodeSubscription(doc->fields)) {
        (void)encodeSubscription(*s);
    }
    if (auto c = decodeClaim(*doc)) {
        (void)encodeClaim(*c);
    }
    if (auto a = decodeAppeal(*doc)) {
        (void)encodeAppeal(*a);
    }
    if (auto v = decodeView(*doc)) {
        (void)encodeView(*v);
    }
    if (auto d = decodeShadowDecision(*doc)) {
        FirestoreDocument again = *doc;
        again.fields = encodeShadowDecision(*d);
        const auto back = decodeShadowDecision(again);
        if (!back || back->id != d->id || back->action != d->action || back->stageBefore != d->stageBefore ||
            back->stageAfter != d->stageAfter || back->totals != d->totals || back->score != d->score ||
            back->trigger != d->trigger || back->caseId != d->caseId || back->passAt != d->passAt) {
            std::abort();
        }
    }
    if (auto r = decodeClassifierRun(*doc)) {
        // What the console shows: an ok answer always has a verdict with its scores in range.
        if (r->ok && (!r->classifier || !(r->classifier->misuseScore >= 0.0 && r->classifier->misuseScore <= 1.0) ||
                      !(r->classifier->confidence >= 0.0 && r->classifier->confidence <= 1.0))) {
            __builtin_trap();
        }
        (void)encodeClassifierRun(*r);
    }
    return 0;
}
