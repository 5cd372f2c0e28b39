#pragma once
// Shared fixtures of the embedded store tests.

#include "TestTime.h"
#include "common/Await.h"
#include "common/Time.h"
#include "embedded/EmbeddedStore.h"

#include <QTemporaryDir>
#include <QTest>

namespace fairuse::testing {

using std::chrono::hours;
using std::chrono::minutes;

/** Wire name of a domain enum: QCOMPARE cannot print the enums (their toString returns QString). */
template <typename E>
QString nm(E value) {
    return toString(value);
}

/** A store in a fresh temporary folder. */
struct TempStore {
    QTemporaryDir dir;
    services::EmbeddedStores stores;

    explicit TempStore(services::EmbeddedDatabase::Options options = {})
        : stores(services::makeEmbeddedStores(dir.filePath(QStringLiteral("store.sqlite")), std::move(options))) {}
    QString path() const { return stores.database->path(); }
    services::EmbeddedUsageStore& usage() { return *stores.usage; }
    services::EmbeddedCaseStore& cases() { return *stores.cases; }
};

inline FairUseState makeState(const QString& uid, Stage stage, TimePoint updated) {
    FairUseState s;
    s.uid = uid;
    s.stage = stage;
    s.updatedAt = updated;
    s.lastViolationAt = updated;
    s.violationCount7d = 1;
    s.violationCount30d = 1;
    s.lastClassifierScore = 0.9;
    s.lastClassifierType = UsageType::Audiobook;
    s.lastCaseRef = QStringLiteral("FU-0A1B2C3D4E5F");
    return s;
}

inline FairUseEvent makeEvent(const QString& uid, const QString& id, const QString& caseRef, TimePoint created) {
    FairUseEvent e;
    e.id = id;
    e.uid = uid;
    e.createdAt = created;
    e.caseRef = caseRef;
    e.sessionId = QStringLiteral("sess-1");
    e.trigger = CapWindow::ThreeDay;
    e.windowSpeech = SpeechTotals{7'000'000, 29'000'000, 30'000'000};
    e.previousStage = Stage::None;
    e.newStage = Stage::Warning;
    e.enforcementAction = QStringLiteral("warning_sent");
    ClassifierResult c;
    c.misuseScore = 0.91;
    c.usageType = UsageType::Audiobook;
    c.confidence = 0.8;
    c.evidence = {Evidence{QStringLiteral("conv-1"), QStringLiteral("Chapter 1: Dawn"), QStringLiteral("narration")}};
    c.reasoning = QStringLiteral("chapters read aloud");
    c.model = QStringLiteral("gpt-5.1");
    c.promptVersion = QStringLiteral("purpose-v3");
    e.classifier = c;
    return e;
}

inline AuditRecord makeAudit(const QString& uid, AuditAction action, TimePoint when, const QString& reason) {
    AuditRecord a;
    a.at = when;
    a.reviewer = QStringLiteral("alex.reviewer@fairuse.example");
    a.role = Role::SeniorReviewer;
    a.action = action;
    a.uid = uid;
    a.reason = reason;
    a.clientVersion = QStringLiteral("test/1");
    return a;
}

} // namespace fairuse::testing
