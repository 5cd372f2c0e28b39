#include "common/ClassifierLabel.h"

#include "common/WireNames.h"

namespace fairuse {

namespace {

constexpr WireNames<ClassifierVerdict, 5> kVerdicts{{
    {ClassifierVerdict::ModelRight, "model_right"},
    {ClassifierVerdict::ModelWrongLegitimate, "model_wrong_legitimate"},
    {ClassifierVerdict::ModelWrongMedia, "model_wrong_media"},
    {ClassifierVerdict::ModelWrongOther, "model_wrong_other"},
    {ClassifierVerdict::NotAssessed, "not_assessed"},
}};

} // namespace

QString toString(ClassifierVerdict v) {
    return wireName(kVerdicts, v);
}

std::optional<ClassifierVerdict> classifierVerdictFromString(const QString& s) {
    return fromWireName(kVerdicts, s);
}

QList<ClassifierVerdict> classifierVerdicts() {
    QList<ClassifierVerdict> out;
    for (const auto& [v, name] : kVerdicts) {
        out.append(v);
    }
    return out;
}

} // namespace fairuse
