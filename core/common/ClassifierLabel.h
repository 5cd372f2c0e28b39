#pragma once

#include "common/Time.h"

#include <QList>
#include <QString>

#include <optional>

namespace fairuse {

/**
 * A reviewer's verdict on the classifier's result for one case. Wire names: model_right, model_wrong_legitimate
 * (the speech was legitimate: meetings, lectures, ...), model_wrong_media (the classifier missed that it was media),
 * model_wrong_other, not_assessed.
 */
enum class ClassifierVerdict { ModelRight, ModelWrongLegitimate, ModelWrongMedia, ModelWrongOther, NotAssessed };
QString toString(ClassifierVerdict v);
std::optional<ClassifierVerdict> classifierVerdictFromString(const QString& s);
/** Every verdict, in the order a reviewer is offered them. */
QList<ClassifierVerdict> classifierVerdicts();

/**
 * fair_use_labels/{eventId}: the reviewer's verdict on the classifier for one case, kept to evaluate the classifier
 * prompt. It holds only the structured fields of the classifier's result (model, prompt version, usage type) and the
 * reviewer's decision; never conversation text, titles or the classifier's reasoning.
 */
struct ClassifierLabel {
    QString eventId;
    QString uid;
    QString caseRef;
    QString model;         ///< the classifier's model as the case records it ("heuristic" for the offline one)
    QString promptVersion; ///< as the case records it; empty when the case does not name one
    ClassifierVerdict verdict = ClassifierVerdict::NotAssessed;
    QString usageType; ///< the classifier's usage type, wire name
    QString outcome;   ///< the reviewer's decision, wire name (confirmed, false_positive, upheld, keep, ...)
    QString reviewer;  ///< e-mail from the credential
    QString reviewerUid;
    TimePoint labelledAt{};
    bool operator==(const ClassifierLabel&) const = default;
};

} // namespace fairuse
