#include "enforcement/DecisionReason.h"

#include <QRegularExpression>
#include <QStringList>

namespace fairuse::enforcement {

namespace {

const QRegularExpression& codedShape() {
    static const QRegularExpression re(QStringLiteral("^([a-z0-9_]{1,40})(: .*)?$"));
    return re;
}

} // namespace

Result<QString> codedReason(const Policy& policy, const QString& code, const QString& notes) {
    const QString c = code.trimmed();
    if (!policy.reasonCode(c)) {
        QStringList allowed;
        for (const ReasonCode& r : policy.reasonCodes) {
            allowed.append(r.code);
        }
        return Error::invalid(QStringLiteral("%1 is not a reason code of policy %2; use one of: %3")
                                  .arg(c.isEmpty() ? QStringLiteral("an empty code") : QStringLiteral("\"%1\"").arg(c),
                                       policy.label(), allowed.join(QStringLiteral(", "))));
    }
    const QString oneLine = notes.simplified();
    if (c == QLatin1String("other") && oneLine.isEmpty()) {
        return Error::invalid(QStringLiteral("notes for the reason \"other\" are required"));
    }
    return oneLine.isEmpty() ? c : QString(c + QStringLiteral(": ") + oneLine);
}

bool isCodedReason(const QString& reason) {
    return codedShape().match(reason).hasMatch();
}

QString reasonCodeOf(const QString& reason) {
    const QRegularExpressionMatch m = codedShape().match(reason);
    return m.hasMatch() ? m.captured(1) : QString();
}

Result<ClassifierLabel> buildLabel(const FairUseEvent& event, ClassifierVerdict verdict, const QString& outcome,
                                   const ActionContext& ctx) {
    if (event.id.isEmpty()) {
        return Error::invalid(QStringLiteral("the case has no id to label"));
    }
    if (!event.classifier) {
        return Error::invalid(
            QStringLiteral("case %1 has no classifier result to give a verdict on").arg(event.caseRef));
    }
    ClassifierLabel l;
    l.eventId = event.id;
    l.uid = event.uid;
    l.caseRef = event.caseRef;
    l.model = event.classifier->model;
    // Backend cases name the prompt version only when the classifier wrote it; the label keeps what the case holds.
    l.promptVersion = event.classifier->promptVersion;
    l.verdict = verdict;
    l.usageType = toString(event.classifier->usageType);
    l.outcome = outcome;
    l.reviewer = ctx.reviewer.email;
    l.reviewerUid = ctx.reviewer.uid;
    l.labelledAt = ctx.now;
    return l;
}

} // namespace fairuse::enforcement
