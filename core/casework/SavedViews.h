#pragma once

#include "common/ChangeSet.h"
#include "common/Domain.h"
#include "common/Result.h"
#include "common/Time.h"
#include "enforcement/ReviewerActions.h"

#include <QList>
#include <QString>

#include <optional>

/**
 * @file
 * Saved views: named queue filters kept in the store (fair_use_views/{id}), shared with the team or personal.
 *
 * - A reviewer saves the queue's current filter under a name, for the team (`shared`) or only for themselves. Shared
 *   views are read by every reviewer; a personal view only by its owner (the rules refuse anyone else's read).
 * - Saving, renaming, re-filtering and deleting write a `save_view` / `delete_view` record in the same commit. These
 *   records are the team's, not a user's: they name no user, and their reason names the view:
 *   "view <id> saved: <name>" or "view <id> deleted: <name>".
 * - Its owner changes or deletes a view; a senior reviewer may also change or delete a shared view (a team's view
 *   that went stale). Only the owner changes whether it is shared.
 * - The filter is stored as canonical JSON (toJson); parseViewFilter reads it back strictly: a view written by a newer
 *   console, or edited by hand, is reported as unreadable with the reason instead of being half applied.
 */
namespace fairuse::casework {

/** The longest view name (the rules refuse longer ones). */
inline constexpr qsizetype kMaxViewNameChars = 80;
/** The longest filter text a view may store (the rules refuse longer ones). */
inline constexpr qsizetype kMaxViewFilterChars = 2000;
/** The most views one reviewer may own (personal and shared together). */
inline constexpr int kMaxViewsPerReviewer = 50;

/** The queue filter a view names: the store's filter parts plus the console's claim and casework views. */
struct ViewFilter {
    std::optional<Stage> stage; ///< nullopt: every flagged stage
    std::optional<UsageType> usageType;
    double minScore = 0.0;
    double maxScore = 1.0;
    enum class Resolution { Any, OpenOnly, ResolvedOnly } resolution = Resolution::Any;
    enum class Claims { All, Mine, Unclaimed } claims = Claims::All;
    enum class CaseworkView { Active, Escalated, Snoozed, All } casework = CaseworkView::Active;
    bool operator==(const ViewFilter&) const = default;
};

/** Canonical JSON of `filter`: one line, keys sorted, "version": 1, defaults written out. */
QString toJson(const ViewFilter& filter);

/** Reads a view's filter. Invalid, naming the problem, for anything but an object of the known keys with values of
 *  the known kinds: not JSON, over kMaxViewFilterChars, an unknown key or version, a stage or usage type the core
 *  does not know, a score outside 0..1 or a minimum above the maximum. */
Result<ViewFilter> parseViewFilter(const QString& json);

/** "throttle · media · score 0.50-1.00 · open cases · my cases · escalated"; "every flagged user" for the default. */
QString describeFilter(const ViewFilter& filter);

/** A view's name as stored: trimmed; Invalid when empty, over kMaxViewNameChars or holding control characters. */
Result<QString> checkViewName(const QString& name);

/** The id of a new view: "v" and 19 hex digits of a hash of the owner, the name and the time, so a retried save of
 *  the same view names the same document. */
QString newViewId(const Reviewer& owner, const QString& name, TimePoint now);

/** True when `reviewer` owns `view` (by uid when both have one, else by e-mail). */
bool ownsView(const SavedView& view, const Reviewer& reviewer);

/** Permission unless `reviewer` may change or delete `view`: its owner, or a senior reviewer for a shared view. */
Status mayChangeView(const SavedView& view, const Reviewer& reviewer);

/**
 * Save a view. With `existing` nullopt a new view is created, owned by the acting reviewer; otherwise `existing` is
 * changed on condition of its version (its owner stays). Invalid for a bad name or filter, or a name another visible
 * view already has (case-insensitive), or when the reviewer would own more than kMaxViewsPerReviewer views;
 * Permission when the reviewer may not change `existing` or, not owning it, would change whether it is shared.
 * `visible` is every view the reviewer can read (the store's listViews()).
 */
Result<ChangeSet> buildSaveView(const QList<SavedView>& visible, const std::optional<SavedView>& existing,
                                const QString& name, bool shared, const ViewFilter& filter,
                                const enforcement::ActionContext& ctx);

/** Delete a view, on condition of its version (mayChangeView). */
Result<ChangeSet> buildDeleteView(const SavedView& view, const enforcement::ActionContext& ctx);

/** The order a view list shows: shared views first, then personal ones, each by name (case-insensitive). */
QList<SavedView> sortedViews(QList<SavedView> views);

} // namespace fairuse::casework
