#include "audit/AuditChain.h"

#include <QCryptographicHash>

namespace fairuse {

namespace {

void appendJsonString(QByteArray& out, const QString& value) {
    static const char hexDigits[] = "0123456789abcdef";
    out.append('"');
    const QByteArray utf8 = value.toUtf8();
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (c < 0x20) {
                out.append("\\u00");
                out.append(hexDigits[c >> 4]);
                out.append(hexDigits[c & 0xf]);
            } else {
                out.append(ch);
            }
        }
    }
    out.append('"');
}

void appendKey(QByteArray& out, const char* key) {
    if (out.size() > 1) {
        out.append(',');
    }
    out.append('"');
    out.append(key);
    out.append("\":");
}

void appendField(QByteArray& out, const char* key, const QString& value) {
    appendKey(out, key);
    appendJsonString(out, value);
}

void appendStage(QByteArray& out, const char* key, const std::optional<Stage>& stage) {
    appendKey(out, key);
    if (stage) {
        appendJsonString(out, toString(*stage));
    } else {
        out.append("null");
    }
}

bool isLowerHex64(const QString& s) {
    if (s.size() != 64) {
        return false;
    }
    for (const QChar c : s) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'))) {
            return false;
        }
    }
    return true;
}

ChainVerification broken(int index, QString reason) {
    return ChainVerification{false, index, std::move(reason)};
}

} // namespace

QByteArray canonicalAuditRecord(const AuditRecord& r) {
    // Keys in sorted order; keep it so when adding fields, or older hashes stop verifying (add a version then).
    QByteArray out;
    out.reserve(512);
    out.append('{');
    appendField(out, "action", toString(r.action));
    appendField(out, "at", formatRfc3339(r.at));
    appendField(out, "case_ref", r.caseRef);
    appendField(out, "client_version", r.clientVersion);
    appendField(out, "event_id", r.eventId);
    appendField(out, "prev_hash", r.prevHash);
    appendField(out, "reason", r.reason);
    appendField(out, "reviewer", r.reviewer);
    // Added with sign-in: only present when set, so records written before it still verify.
    if (!r.reviewerUid.isEmpty()) {
        appendField(out, "reviewer_uid", r.reviewerUid);
    }
    appendField(out, "role", toString(r.role));
    appendKey(out, "sequence");
    out.append(QByteArray::number(static_cast<qlonglong>(r.sequence)));
    appendStage(out, "stage_after", r.stageAfter);
    appendStage(out, "stage_before", r.stageBefore);
    appendField(out, "uid", r.uid);
    out.append('}');
    return out;
}

QString hashRecord(const AuditRecord& record) {
    return QString::fromLatin1(
        QCryptographicHash::hash(canonicalAuditRecord(record), QCryptographicHash::Sha256).toHex());
}

AuditRecord chain(const AuditRecord* previous, AuditRecord next) {
    next.sequence = previous ? previous->sequence + 1 : 1;
    next.prevHash = previous ? previous->hash : QString();
    next.hash = hashRecord(next);
    return next;
}

Status validateAuditRecord(const AuditRecord& record) {
    const QString reviewer = record.reviewer.trimmed();
    if (reviewer.isEmpty()) {
        return Error::invalid(QStringLiteral("audit record has no reviewer: every action needs a named reviewer"));
    }
    if (reviewer.compare(QLatin1String("admin"), Qt::CaseInsensitive) == 0) {
        return Error::invalid(QStringLiteral("audit record names the placeholder \"admin\" instead of a reviewer"));
    }
    const bool teamAction = record.action == AuditAction::SaveView || record.action == AuditAction::DeleteView;
    if (record.uid.trimmed().isEmpty() != teamAction) {
        return Error::invalid(teamAction ? QStringLiteral("a saved view's audit record names no user")
                                         : QStringLiteral("audit record has no user id"));
    }
    // The service's decisions and only those are recorded under the service's role, so a reviewer's record can
    // never pass for the enforcer's and the reverse.
    if ((record.action == AuditAction::Enforce) != (record.role == Role::Service)) {
        return Error::invalid(record.action == AuditAction::Enforce
                                  ? QStringLiteral("an enforce record must name the service's role")
                                  : QStringLiteral("the service's role records enforce and nothing else"));
    }
    if (record.action == AuditAction::OverrideStage && record.reason.trimmed().isEmpty()) {
        return Error::invalid(QStringLiteral("a stage override needs a reason"));
    }
    return {};
}

ChainVerification verifyChain(const QList<AuditRecord>& records, const QString& expectedHeadHash) {
    for (qsizetype i = 0; i < records.size(); ++i) {
        const AuditRecord& r = records.at(i);
        const int index = static_cast<int>(i);
        if (const Status valid = validateAuditRecord(r); !valid) {
            return broken(index, valid.error().message);
        }
        if (!isLowerHex64(r.hash) || hashRecord(r) != r.hash) {
            return broken(index,
                          QStringLiteral("record %1 does not match its hash (edited or forged)").arg(r.sequence));
        }
        const std::int64_t expectedSequence = i == 0 ? 1 : records.at(i - 1).sequence + 1;
        if (r.sequence != expectedSequence) {
            return broken(index, QStringLiteral("sequence %1 where %2 was expected (record deleted, inserted or "
                                                "reordered)")
                                     .arg(r.sequence)
                                     .arg(expectedSequence));
        }
        const QString expectedPrev = i == 0 ? QString() : records.at(i - 1).hash;
        if (r.prevHash != expectedPrev) {
            return broken(index, QStringLiteral("record %1 does not link to the record before it (previous record "
                                                "replaced, deleted or reordered)")
                                     .arg(r.sequence));
        }
    }
    if (!expectedHeadHash.isEmpty()) {
        const QString head = records.isEmpty() ? QString() : records.constLast().hash;
        if (head != expectedHeadHash) {
            const int index = records.isEmpty() ? 0 : static_cast<int>(records.size() - 1);
            return broken(index, QStringLiteral("the newest record is not the chain head the store recorded "
                                                "(last record edited, dropped or appended without the store)"));
        }
    }
    return {};
}

} // namespace fairuse
