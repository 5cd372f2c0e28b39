#include "audit/CaseRef.h"

namespace fairuse {

namespace {
constexpr int kHexDigits = 12;
constexpr std::uint64_t kMask = (std::uint64_t{1} << (4 * kHexDigits)) - 1;
} // namespace

QString makeCaseRef(std::uint64_t randomBits) {
    return QStringLiteral("FU-%1")
        .arg(static_cast<qulonglong>(randomBits & kMask), kHexDigits, 16, QLatin1Char('0'))
        .toUpper();
}

bool isValidCaseRef(const QString& ref) {
    if (ref.size() != 3 + kHexDigits || !ref.startsWith(QLatin1String("FU-"))) {
        return false;
    }
    for (qsizetype i = 3; i < ref.size(); ++i) {
        const QChar c = ref.at(i);
        if (!((c >= u'0' && c <= u'9') || (c >= u'A' && c <= u'F'))) {
            return false;
        }
    }
    return true;
}

QString normaliseCaseRef(const QString& input) {
    // toUpper() only after the trim, and validation after both: "fu-" and lower-case hex are accepted, but
    // nothing that only becomes valid through Unicode case folding (isValidCaseRef checks ASCII ranges).
    QString candidate = input.trimmed().toUpper();
    if (candidate.size() == kHexDigits) {
        candidate.prepend(QLatin1String("FU-"));
    }
    return isValidCaseRef(candidate) ? candidate : QString();
}

} // namespace fairuse
