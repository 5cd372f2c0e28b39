#include "audit/PageVerification.h"

#include "audit/AuditChain.h"

namespace fairuse {

namespace {

RecordVerdict broken(RecordVerdict::Fault fault, const ChainLink& link, QString detail = {}) {
    RecordVerdict v;
    v.state = RecordVerdict::State::Broken;
    v.fault = fault;
    v.detail = std::move(detail);
    v.expectedSequence = link.sequence;
    v.namedBy = link.namedBy;
    return v;
}

/** The record's own checks: valid, and its hash is the hash of its content. Pending when both pass. */
RecordVerdict checkContent(const AuditRecord& r, const ChainLink& link) {
    if (const Status valid = validateAuditRecord(r); !valid) {
        return broken(RecordVerdict::Fault::Invalid, link, valid.error().message);
    }
    if (hashRecord(r) != r.hash) {
        return broken(RecordVerdict::Fault::HashMismatch, link);
    }
    return {};
}

} // namespace

ChainLink linkFromHead(std::int64_t headSequence, const QString& headHash) {
    return {headSequence, headSequence > 0 ? headHash : QString(), 0};
}

ChainLink linkBelow(const AuditRecord& record) {
    if (record.sequence <= 1) {
        return {0, QString(), record.sequence};
    }
    return {record.sequence - 1, record.prevHash, record.sequence};
}

QList<RecordVerdict> verifyNewestFirst(const QList<AuditRecord>& newestFirst, const ChainLink& above) {
    QList<RecordVerdict> out;
    out.reserve(newestFirst.size());
    ChainLink link = above;
    for (const AuditRecord& r : newestFirst) {
        RecordVerdict v = checkContent(r, link);
        if (!v.isBroken()) {
            if (r.sequence < link.sequence) {
                v = broken(RecordVerdict::Fault::Missing, link);
            } else if (r.sequence != link.sequence) {
                v = broken(RecordVerdict::Fault::Unexpected, link);
            } else if (r.hash != link.hash) {
                v = broken(RecordVerdict::Fault::NotNamed, link);
            } else if (r.sequence == 1 && !r.prevHash.isEmpty()) {
                v = broken(RecordVerdict::Fault::FirstLinked, link);
            } else {
                v.state = RecordVerdict::State::Verified;
            }
        }
        out.append(std::move(v));
        // Even a broken record's own link is the best evidence of what comes below it, so one edited record does
        // not condemn the older ones.
        link = linkBelow(r);
    }
    return out;
}

QList<RecordVerdict> verifyRecordsOnly(const QList<AuditRecord>& records) {
    QList<RecordVerdict> out;
    out.reserve(records.size());
    for (const AuditRecord& r : records) {
        RecordVerdict v = checkContent(r, ChainLink{});
        if (!v.isBroken()) {
            v.state = RecordVerdict::State::HashOnly;
        }
        out.append(std::move(v));
    }
    return out;
}

} // namespace fairuse
