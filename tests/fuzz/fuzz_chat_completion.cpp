// The LLM's chat-completions HTTP body (success envelope) and its error answers.
#include "classifier/ChatCompletion.h"

#include <cstddef>
#include <cstdint>

using namespace fairuse::classifier;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray body(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    (void)parseChatCompletion(body);
    const int status = size > 0 ? 400 + data[0] % 200 : 500;
    (void)parseApiError(status, body);
    return 0;
}
