// A saved view's filter (fair_use_views/{id}.filter, written by any reviewer's console): parsed strictly, and
// written back to the same filter.
#include "casework/SavedViews.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QString json = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto filter = fairuse::casework::parseViewFilter(json);
    if (!filter) {
        if (filter.error().message.isEmpty()) {
            std::abort(); // every refusal says why
        }
        return 0;
    }
    const auto again = fairuse::casework::parseViewFilter(fairuse::casework::toJson(*filter));
    if (!again || !(*again == *filter)) {
        std::abort(); // parse(toJson(f)) must give the same filter
    }
    if (filter->minScore > filter->maxScore || filter->minScore < 0.0 || filter->maxScore > 1.0) {
        std::abort(); // a parsed filter is always in range
    }
    return 0;
}
