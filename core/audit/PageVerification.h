#pragma once

#include "common/Domain.h"

#include <QList>
#include <QString>

#include <cstdint>

namespace fairuse {

/** The verdict on one audit record of a view that shows the chain newest first, page by page. */
struct RecordVerdict {
    enum class State {
        Pending,  ///< not verified yet
        Verified, ///< its hash matches its content and it is the record the newer record (or the chain head) names
        HashOnly, ///< its hash matches its content; its place in the chain was not checked (filtered view, no head)
        Broken,   ///< see `fault`
    };
    /** Why a record is broken. */
    enum class Fault {
        None,
        Invalid,      ///< validateAuditRecord() refused it; `detail` says why
        HashMismatch, ///< the stored hash is not the hash of the record's content: a field was edited
        NotNamed,     ///< content and hash agree, but the newer record (or the head) names another hash: the record
                      ///< was edited and re-hashed, or replaced
        Missing,      ///< records between this one and the newer one are missing: `expectedSequence` down to
                      ///< `sequence + 1` were deleted
        Unexpected,   ///< a sequence other than `expectedSequence` and not lower: duplicated, reordered, or newer
                      ///< than the chain head
        FirstLinked,  ///< record #1 names a predecessor
    };

    State state = State::Pending;
    Fault fault = Fault::None;
    QString detail;                    ///< validateAuditRecord()'s message for Fault::Invalid
    std::int64_t expectedSequence = 0; ///< the sequence the newer record (or the head) names
    std::int64_t namedBy = 0;          ///< sequence of the newer record that names this one; 0 for the chain head

    bool isBroken() const { return state == State::Broken; }
};

/** What the next older record must be, as the newer record above it or the chain head says. */
struct ChainLink {
    std::int64_t sequence = 0; ///< sequence the next record must have; 0 when no record may follow (below #1)
    QString hash;              ///< hash the next record must have; empty with sequence 0
    std::int64_t namedBy = 0;  ///< sequence of the record that names it; 0 when it is the chain head
};

/** The link the chain head gives: the newest record is #`headSequence` with `headHash` (0 and "" for an empty
 *  chain). */
ChainLink linkFromHead(std::int64_t headSequence, const QString& headHash);

/** The link `record` gives to its predecessor: #sequence - 1 with hash prevHash (none below #1). */
ChainLink linkBelow(const AuditRecord& record);

/**
 * Verifies consecutive records of an unfiltered chain given newest first (sequence descending, as a store pages
 * them). The newest one is checked against `above` (the chain head for the first page; linkBelow() of the previous
 * page's last record for the next pages), each further one against the record before it in the list. So every
 * record is verified when it arrives, and the link between two pages when the older page arrives.
 *
 * A record is Verified when it is valid (validateAuditRecord), its hash matches its content (hashRecord), and its
 * sequence and hash are what the newer record (or the head) names. Otherwise it is Broken with the first fault in
 * that order. A broken record does not break the ones below it: each is checked against the link its newer
 * neighbour gives, so one edited record shows as one broken record.
 */
QList<RecordVerdict> verifyNewestFirst(const QList<AuditRecord>& newestFirst, const ChainLink& above);

/**
 * Verifies records one by one, without their places in the chain (a filtered view, or a first page whose chain
 * head could not be read): Broken when invalid or when the hash does not match the content, else HashOnly.
 */
QList<RecordVerdict> verifyRecordsOnly(const QList<AuditRecord>& records);

} // namespace fairuse
