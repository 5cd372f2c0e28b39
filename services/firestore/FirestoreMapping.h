#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "firestore/FirestoreDocument.h"
#include "firestore/FirestoreValue.h"

#include <QStringList>

namespace fairuse::services {

// Our documents (SPEC 4.2 field names) to and from Firestore fields.
//
// Decoding rules, the same for every document type:
//  - a field that is missing or nullValue takes its default (0, empty, nullopt, false) unless listed as required;
//  - a field of the wrong type is an Error::invalid naming the field, never a silent default;
//  - integers may also be stored as integral doubles (Python clients write floats), doubles as integers,
//    timestamps as RFC 3339 strings (older backend writes);
//  - an unknown stage, trigger, outcome, role or action name is an error; an unknown classifier usage type
//    becomes UsageType::Unknown (the classifier contract) and is recorded in ClassifierResult::corrections.

/** State fields written by the console: every SPEC 4.2 field plus our additions last_classifier_at (start of the
 *  classifier cooldown), classifier_failed_at and classifier_failures (failed classifier runs in a row, for the retry
 *  wait). uid, exempt and version are not fields (they come from the path, the exemptions collection and
 *  updateTime). */
FirestoreFields encodeState(const FairUseState& state);
/** Field paths encodeState() writes, for an update mask that leaves the backend's other fields alone. */
QStringList stateFieldPaths();
/** The fields of stateFieldPaths() whose encoded values differ between `before` and `after`. */
QStringList changedStateFieldPaths(const FairUseState& before, const FairUseState& after);
/** Decodes users/{uid}/fair_use_state/current. Required: stage. uid is taken from the document path,
 *  version from updateTime. */
Result<FairUseState> decodeState(const FirestoreDocument& doc);

FirestoreFields encodeEvent(const FairUseEvent& event);
QStringList eventFieldPaths();
/** The fields a reviewer changes on an existing event (resolved, resolved_at, resolved_by, admin_notes, outcome);
 *  the backend's fields (timestamps, classifier, totals) are never rewritten. */
QStringList eventResolutionFieldPaths();
/** Decodes users/{uid}/fair_use_events/{id}. Required: created_at. */
Result<FairUseEvent> decodeEvent(const FirestoreDocument& doc);

FirestoreFields encodeClassifier(const ClassifierResult& result);
Result<ClassifierResult> decodeClassifier(const FirestoreFields& fields);

FirestoreFields encodeConversation(const Conversation& conversation);
/** Decodes users/{uid}/conversations/{id}. Required: created_at; started_at and finished_at default to it. */
Result<Conversation> decodeConversation(const FirestoreDocument& doc);

FirestoreFields encodeAudit(const AuditRecord& record);
/** Decodes fair_use_audit/{sequence}. Required: sequence, at, reviewer, action, hash. */
Result<AuditRecord> decodeAudit(const FirestoreFields& fields);

FirestoreFields encodeSpend(const LlmSpendRecord& record);
/** Decodes llm_spend/{id}. Required: uid, at, model. */
Result<LlmSpendRecord> decodeSpend(const FirestoreFields& fields);

} // namespace fairuse::services
