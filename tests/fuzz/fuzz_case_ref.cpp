// Case references typed or pasted by a reviewer.
#include "audit/CaseRef.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const QString normalised = fairuse::normaliseCaseRef(text);
    if (!normalised.isEmpty() && !fairuse::isValidCaseRef(normalised)) {
        std::abort(); // a normalised reference is valid or empty
    }
    if (fairuse::isValidCaseRef(text) && normalised != text) {
        std::abort(); // a valid reference normalises to itself
    }
    return 0;
}
