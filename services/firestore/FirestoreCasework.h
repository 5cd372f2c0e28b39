#pragma once

#include "common/Domain.h"
#include "common/Result.h"
#include "firestore/FirestoreDocument.h"
#include "firestore/FirestoreValue.h"

#include <QString>

/**
 * @file
 * users/{uid}/fair_use_notes/{id} and fair_use_casework/{uid} documents (docs/data-model.md): pinned notes, and each
 * user's escalation and snooze; versions are the documents' update times.
 */
namespace fairuse::services {

/** "users/{uid}/fair_use_notes/{id}". */
QString notePath(const QString& uid, const QString& id);
/** A new note's fields (text, author, author_uid, created_at, case_ref, pinned); the store adds audit_record. */
FirestoreFields encodeNote(const UserNote& note);
/** The fields an unpin changes (pinned, unpinned_by, unpinned_at). */
FirestoreFields encodeUnpin(const UserNote& note);
/** Invalid for a note without text, author or created_at, or with fields of the wrong type. */
Result<UserNote> decodeNote(const FirestoreDocument& doc);

/** "fair_use_casework/{uid}". */
QString caseworkPath(const QString& uid);
/** The casework's fields; an escalation's and a snooze's fields are present only while each is in force (so the
 *  security rules see exactly which part an action changed). The store adds audit_record. */
FirestoreFields encodeCasework(const Casework& casework);
Result<Casework> decodeCasework(const FirestoreDocument& doc);

} // namespace fairuse::services
