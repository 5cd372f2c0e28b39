#pragma once

#include <QString>

#include <cstdint>

namespace fairuse {

/**
 * Public case references: "FU-" followed by 12 upper-case hex digits (48 bits), e.g. "FU-0A1B2C3D4E5F".
 * The caller supplies the randomness (the core reads no RNG); only the low 48 bits of `randomBits` are used.
 */
QString makeCaseRef(std::uint64_t randomBits);

/** Strict check of the stored form: exactly "FU-" + 12 characters of [0-9A-F]. */
bool isValidCaseRef(const QString& ref);

/** A reference as people type or paste it, in the stored form: surrounding whitespace trimmed, any case, "FU-"
 *  optional ("  fu-0a1b2c3d4e5f ", "0a1b2c3d4e5f" -> "FU-0A1B2C3D4E5F"). Every parser of a typed reference (search
 *  boxes, stores, command lines) goes through this one. Returns an empty string when the input is not a reference. */
QString normaliseCaseRef(const QString& input);

} // namespace fairuse
