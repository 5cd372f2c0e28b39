#pragma once

#include "Backend.h"
#include "audit/PageVerification.h"
#include "common/Domain.h"
#include "common/Stores.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>

namespace fairuse::models {

class AuditChainCheck;
class AuditPager;

/**
 * The audit log as a table, newest record first, with a verification verdict on every row.
 *
 * Loading (load()): rows come from the case store page by page (AuditPager, CaseStore::listAuditPage), never the
 * whole collection: the first page at once, the next one when the view scrolls near the end (canFetchMore() /
 * fetchMore()). Each page is inserted with one beginInsertRows/endInsertRows.
 *
 * Verification (AuditChainCheck): every page is verified off the GUI thread as it arrives; until then its rows are
 * Pending. An unfiltered log is verified as a chain: the newest record against the chain head the store keeps, each
 * other record against the newer one above it (core/audit/PageVerification.h), so a broken record is shown as
 * broken with its reason while every other row keeps its own verdict. A filtered log shows records that are not
 * consecutive, so each is checked against its own hash only (HashOnly). Verdicts are announced with dataChanged
 * for the rows of the page and the roles that changed. chainSummary() says in one line what the rows loaded so
 * far prove.
 *
 * Without a backend (the default constructor) the model only shows rows given with appendRows().
 */
class AuditModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        SequenceColumn,
        VerificationColumn,
        TimeColumn,
        ReviewerColumn,
        RoleColumn,
        ActionColumn,
        UserColumn,
        CaseColumn,
        StagesColumn,
        ReasonColumn,
        ClientColumn,
        ColumnCount
    };
    enum Role {
        /** Raw values for export: numbers for sequence and time (ms since the epoch), the verdict's wire name
         *  (verified, broken, hash_only, pending) for the verification column, strings otherwise. */
        RawValueRole = Qt::UserRole + 1,
        /** The row's RecordVerdict::State as an int, on every column. */
        VerdictStateRole,
        /** Why the row is broken (translated), or what its verdict covers; on every column. */
        VerdictTextRole,
    };

    /** Rows per page read from the store. */
    static constexpr int kDefaultPageSize = 100;

    explicit AuditModel(QObject* parent = nullptr);
    explicit AuditModel(Backend& backend, QObject* parent = nullptr);
    ~AuditModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

    /** Clears the rows and loads the first page of `filter` (its limit is not used). A filter on reviewer, user,
     *  action or time makes the log unlinked (records checked against their own hashes only). */
    void load(const services::AuditFilter& filter);
    /** After a failed page: reads it again. */
    void retry();
    void setPageSize(int rows) { m_pageSize = rows; }
    int pageSize() const { return m_pageSize; }

    /** Appends records (newest first) with no verification (Pending), for callers without a store. */
    void appendRows(const QList<AuditRecord>& newestFirst);

    const AuditRecord& rowAt(int row) const { return m_rows.at(row); }
    const QList<AuditRecord>& rows() const { return m_rows; }
    const RecordVerdict& verdictAt(int row) const { return m_verdicts.at(row); }

    /** A page is being read from the store. */
    bool isLoading() const;
    /** Rows are waiting for their verdicts. */
    bool isVerifying() const;
    /** The last page read failed (loadError() says why) and nothing newer has been read since. */
    bool hasLoadError() const { return !m_loadError.isEmpty(); }
    QString loadError() const { return m_loadError; }
    /** The chain head as the store reported it (sequence 0 before it is read or without one). */
    const services::AuditHead& head() const { return m_head; }

    /** One line on what the loaded rows prove ("Chain verified from the head (#250) down to #151; …",
     *  "Record #42 is broken: …"). */
    QString chainSummary() const;
    /** Why a verdict is what it is, for tooltips and the summary (translated). */
    static QString verdictText(const RecordVerdict& verdict);

Q_SIGNALS:
    void loadingChanged(bool loading);
    void summaryChanged();
    void loadFailed(const QString& message);
    /** Nothing is being read or verified: every loaded row has its verdict. */
    void settled();

private:
    void onPage(const QList<AuditRecord>& newestFirst, bool more);
    void onVerified(qsizetype firstRow, const QList<RecordVerdict>& verdicts);
    void maybeSettled();

    Backend* m_backend = nullptr;
    AuditPager* m_pager = nullptr;
    AuditChainCheck* m_check = nullptr;
    int m_pageSize = kDefaultPageSize;
    bool m_loaded = false; ///< load() was called
    bool m_linked = true;
    bool m_more = false;
    bool m_headKnown = false;
    QString m_headError;
    services::AuditHead m_head;
    QString m_loadError;

    QList<AuditRecord> m_rows;
    QList<RecordVerdict> m_verdicts;
    int m_pending = 0;
    int m_broken = 0;
    int m_firstBroken = -1; ///< row of the newest broken record, -1 when none
};

} // namespace fairuse::models
