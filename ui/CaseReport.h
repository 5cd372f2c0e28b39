#pragma once

#include "common/Domain.h"
#include "common/Result.h"

#include <QImage>
#include <QList>
#include <QString>

#include <optional>

namespace fairuse::ui {

/** Everything a case report shows, collected by the user view. */
struct CaseReportData {
    FairUseState state;
    /** The state panel's text (stage, counts, timers, policy, STT budget, LLM spend), as the reviewer saw it. */
    QString stateText;
    QList<FairUseEvent> events;
    std::optional<ClassifierResult> classifier;
    QList<Conversation> conversations;
    QImage chart;
    QList<AuditRecord> audit;
    QString auditError; ///< why the audit trail is missing, if it is
    QString generatedBy;
    TimePoint generatedAt{};
    QString policyLabel;
};

/** The report as HTML (QTextDocument subset); the chart is referenced as the resource "chart.png". */
QString caseReportHtml(const CaseReportData& data);

/** Writes the report as a PDF (QPrinter PdfFormat). Unavailable with the reason when the file cannot be written. */
Status writeCaseReportPdf(const CaseReportData& data, const QString& path);

} // namespace fairuse::ui
