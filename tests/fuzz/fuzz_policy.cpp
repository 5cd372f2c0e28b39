// Policy JSON (`fairuse replay --policy`, the console's policy file): parsed over the defaults and written back.
#include "enforcement/Policy.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using fairuse::enforcement::Policy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray json(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto p = Policy::fromJson(json);
    if (!p) {
        return 0;
    }
    auto again = Policy::fromJson(p->toJson());
    if (!again || !(*again == *p)) {
        std::abort(); // fromJson(toJson()) must give the same policy
    }
    return 0;
}
