#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

/**
 * @file
 * The notes and casework tables of the embedded store (schema 6): pinned notes on users (named after the pin_note
 * record that wrote them) and each user's casework document (escalation, snooze), their versions bumped on every
 * write (casework/Casework.h).
 */
namespace fairuse::services::embedded {

/** The user's notes, newest first. */
Result<QList<UserNote>> readNotes(QSqlDatabase& db, const QString& uid);
Result<std::optional<Casework>> readCasework(QSqlDatabase& db, const QString& uid);
/** Every user's casework document, by user id. */
Result<QList<Casework>> readAllCasework(QSqlDatabase& db);

/** Conflict unless an unpinned note still has its expected version (a new note has no precondition). */
Status checkNotePrecondition(QSqlDatabase& db, const QString& uid, const ChangeSet::NoteChange& change);
/** Conflict unless the user's casework still has change.expectedVersion ("" = none may exist). */
Status checkCaseworkPrecondition(QSqlDatabase& db, const QString& uid, const ChangeSet::CaseworkChange& change);

/** Writes the note: a new one under `newId`, an existing one (its pin) with version + 1. Returns {id, version}. */
Result<std::pair<QString, QString>> writeNoteChange(QSqlDatabase& db, const QString& uid,
                                                    const ChangeSet::NoteChange& change, const QString& newId);
/** Writes change.casework (version + 1) or deletes the user's casework; returns the new version ("" after a delete). */
Result<QString> writeCaseworkChange(QSqlDatabase& db, const QString& uid, const ChangeSet::CaseworkChange& change);

} // namespace fairuse::services::embedded
