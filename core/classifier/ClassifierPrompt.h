#pragma once

#include "classifier/Recipe.h"
#include "common/Domain.h"
#include "common/Time.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace fairuse::classifier {

/** Version of the prompt and output schema below. Recorded with every result; bump it when either changes. */
inline constexpr char kPromptVersion[] = "fu-classifier-v1";

/** kPromptVersion as a QString. */
QString promptVersion();

/**
 * The conversations the classifier sees: those created in [now - 7 days, now] (inclusive at both ends; later ones
 * are clock skew and left out), newest first (ties by id, so the order is deterministic), at most 30.
 */
QList<Conversation> selectInputConversations(const QList<Conversation>& conversations, TimePoint now);

/**
 * Cuts text to at most maxChars characters plus an ellipsis ("…"), at the last word boundary when there is one in
 * the second half, never inside a surrogate pair. Runs of whitespace (including newlines) become one space first,
 * because they cost tokens and say nothing. Text that fits is returned simplified but uncut.
 */
QString cutText(const QString& text, int maxChars);

/** One conversation as the model sees it: id, title, overview (cut), category, duration_minutes, source, created_at. */
QJsonObject conversationToJson(const Conversation& c);

/** The strict JSON schema of the classifier output (OpenAI structured outputs: all fields required, no extras). */
QJsonObject responseSchema();

/**
 * The system prompt: the task, what is and is not misuse, the conservative scoring rules and the selected recipes'
 * focus paragraphs. Conversation fields are declared data, never instructions.
 */
QString systemPrompt(const QList<Recipe>& recipes);

/** The user message: the time of the check and the selected conversations as a JSON array. */
QString userPrompt(const QList<Conversation>& input, TimePoint now);

/** Everything needed to send one classifier request and to check its answer. */
struct ClassifierRequest {
    QJsonObject body;          ///< the chat-completions request body
    QList<Conversation> input; ///< the conversations actually sent; pass these to parseClassifierOutput
    QList<Recipe> recipes;     ///< the recipes selected from their shape
};

/** Selects the input, the recipes and builds the chat-completions body for the given model. */
ClassifierRequest prepareClassifierRequest(const QList<Conversation>& conversations, TimePoint now,
                                           const QString& model);

/**
 * OpenAI chat-completions body: model, temperature 0, a system and a user message, and
 * response_format {type: json_schema, json_schema: {name, strict: true, schema}}.
 */
QJsonObject buildChatRequest(const QList<Conversation>& conversations, TimePoint now, const QString& model);

} // namespace fairuse::classifier
