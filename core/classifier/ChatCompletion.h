#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QString>

#include <cstdint>

namespace fairuse::classifier {

/** What we need from an OpenAI chat-completions response (SPEC 4.3): the answer and the tokens it cost. */
struct ChatCompletion {
    QString id;                        ///< response id, for support requests; may be empty
    QString model;                     ///< the model that answered, as the provider names it; may be empty
    QString content;                   ///< choices[0].message.content
    QString finishReason;              ///< "stop", or empty when the provider omits it
    std::int64_t promptTokens = 0;     ///< usage.prompt_tokens
    std::int64_t completionTokens = 0; ///< usage.completion_tokens
    /** True when usage was absent or malformed: the call still cost money, so spend accounting must estimate. */
    bool usageMissing = false;
};

/**
 * Parses a successful (HTTP 2xx) chat-completions body. Errors, all ErrorKind::Invalid:
 * body over 2 MiB, not a JSON object, an "error" object in the body, missing or empty choices, choices[0] without a
 * message, a non-empty message.refusal ("model refused: ..."), finish_reason "length" (output truncated),
 * "content_filter" or any other reason than "stop" (a missing or null finish_reason is accepted), and a missing,
 * non-string or empty content.
 * Usage that is missing, null or malformed (negative, fractional, non-numeric) is recorded as 0 tokens with
 * usageMissing set; it does not fail the call, whose answer is still good.
 */
Result<ChatCompletion> parseChatCompletion(const QByteArray& httpBody);

/**
 * Maps a failed HTTP exchange with an OpenAI-compatible API to an Error whose kind tells the caller what to do:
 * - error code or type "insufficient_quota" (OpenAI sends it with 429) -> Quota: never retry;
 * - 429 otherwise, 408, 5xx, and status 0 (no HTTP response) -> Unavailable: retry with backoff;
 * - 401, 403 -> Permission; 404 -> NotFound (unknown model or endpoint);
 * - 400 and every other 4xx -> Invalid;
 * - a status that is not an error (1xx-3xx) -> Internal: the caller should not have asked.
 * The message names the status, the provider's error code and its message (cut, with API keys masked). A body that
 * is not JSON, or too large, is reported by status alone.
 */
Error parseApiError(int httpStatus, const QByteArray& body);

} // namespace fairuse::classifier
