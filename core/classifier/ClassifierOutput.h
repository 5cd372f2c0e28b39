#pragma once

#include "common/Domain.h"
#include "common/Result.h"

#include <QByteArray>
#include <QList>

namespace fairuse::classifier {

/**
 * Parses the model's JSON answer (the message content) strictly. `input` is the list of conversations that was sent
 * (ClassifierRequest::input); evidence must cite one of them.
 *
 * Errors (all ErrorKind::Invalid; a malformed answer escalates nobody, the caller gets the error):
 * more than 1 MiB (not parsed), not UTF-8, empty, truncated or malformed JSON, text before or after the JSON object
 * (trailing junk is an error, not a correction: we cannot know which part the model meant), a top-level array or
 * scalar, nesting deeper than 8, a repeated key, a missing required field (misuse_score, usage_type, confidence,
 * evidence, reasoning), a field of the wrong type (numbers must be finite JSON numbers; "0.9" is a string), an
 * evidence entry that is not an object or lacks a string conversation_id, title or reason, an unterminated code fence.
 *
 * Corrections (recorded in ClassifierResult::corrections, result still returned):
 * - a Markdown code fence (```json ... ``` or ``` ... ```) around the object is removed;
 * - misuse_score and confidence outside 0..1 are clamped;
 * - a usage_type in the wrong case or with surrounding spaces is normalised; an unknown one becomes unknown;
 * - evidence naming a conversation not in `input` is dropped and counted in droppedEvidence;
 * - a second entry for the same conversation is dropped;
 * - an empty reason becomes "(no reason given)";
 * - evidence titles are replaced by the stored title of the cited conversation (the model may paraphrase);
 * - more than 10 remaining entries are truncated to the first 10;
 * - fields the schema does not define are ignored;
 * - reasoning over 4000 and reasons over 1000 characters are cut.
 *
 * The result carries promptVersion = kPromptVersion and heuristic = false; model is left empty for the caller, who
 * knows it from the chat completion (parseClassifierResponse fills it in).
 */
Result<ClassifierResult> parseClassifierOutput(const QByteArray& content, const QList<Conversation>& input);

/**
 * Parses a whole chat-completions HTTP body (parseChatCompletion) and then its content (parseClassifierOutput);
 * model is taken from the response, or from requestedModel when the response does not name one.
 */
Result<ClassifierResult> parseClassifierResponse(const QByteArray& httpBody, const QList<Conversation>& input,
                                                 const QString& requestedModel);

} // namespace fairuse::classifier
