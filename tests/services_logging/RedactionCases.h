#pragma once

#include <QList>

/** One row of the redaction table: a log message and what must be left of it (UTF-8). */
struct RedactionCase {
    const char* name;
    const char* input;
    const char* expected;
};

/** Secrets that must be redacted, then near misses that must stay untouched. */
QList<RedactionCase> redactionCases();
