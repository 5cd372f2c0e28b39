#pragma once

#include "common/ClassifierLabel.h"
#include "enforcement/Policy.h"

#include <optional>

class QComboBox;
class QWidget;

/**
 * @file
 * The fields every decision form shares (the action dialog, bulk resolve): the reason code from the policy's list and
 * the reviewer's verdict on the classifier.
 */
namespace fairuse::ui {

/** A combo box of the policy's reason codes, each shown by its label with the code in its tooltip and as its data
 *  (object name reasonCodeCombo). */
QComboBox* makeReasonCodeCombo(const enforcement::Policy& policy, QWidget* parent);
/** The code the combo box shows; empty when it has none. */
QString reasonCodeOf(const QComboBox* combo);

/** A combo box of the classifier verdicts, "Not assessed" first (object name verdictCombo). */
QComboBox* makeVerdictCombo(QWidget* parent);
/** The verdict the combo box shows; nullopt for a null combo box. */
std::optional<ClassifierVerdict> verdictOf(const QComboBox* combo);

} // namespace fairuse::ui
