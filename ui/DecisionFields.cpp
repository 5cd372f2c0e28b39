#include "DecisionFields.h"

#include "DetailFormat.h"

#include <QComboBox>
#include <QCoreApplication>

namespace fairuse::ui {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("fairuse::ui::DecisionFields", text);
}
} // namespace

QComboBox* makeReasonCodeCombo(const enforcement::Policy& policy, QWidget* parent) {
    auto* combo = new QComboBox(parent);
    combo->setObjectName(QStringLiteral("reasonCodeCombo"));
    combo->setAccessibleName(tr("Reason code"));
    for (const enforcement::ReasonCode& r : policy.reasonCodes) {
        combo->addItem(r.label, r.code);
        combo->setItemData(combo->count() - 1, r.code, Qt::ToolTipRole);
    }
    return combo;
}

QString reasonCodeOf(const QComboBox* combo) {
    return combo != nullptr ? combo->currentData().toString() : QString();
}

QComboBox* makeVerdictCombo(QWidget* parent) {
    auto* combo = new QComboBox(parent);
    combo->setObjectName(QStringLiteral("verdictCombo"));
    combo->setAccessibleName(tr("Verdict on the classifier"));
    combo->setToolTip(tr("Was the classifier right about this case? Stored as a label to evaluate its prompt."));
    QList<ClassifierVerdict> order = classifierVerdicts();
    order.removeAll(ClassifierVerdict::NotAssessed);
    order.prepend(ClassifierVerdict::NotAssessed);
    for (ClassifierVerdict v : order) {
        combo->addItem(models::classifierVerdictLabel(v), toString(v));
    }
    return combo;
}

std::optional<ClassifierVerdict> verdictOf(const QComboBox* combo) {
    if (combo == nullptr) {
        return std::nullopt;
    }
    return classifierVerdictFromString(combo->currentData().toString());
}

} // namespace fairuse::ui
