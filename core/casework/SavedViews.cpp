#include "casework/SavedViews.h"

#include "enforcement/ActionSupport.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace fairuse::casework {

using enforcement::ActionContext;

namespace {

constexpr std::array kResolutions{std::pair{ViewFilter::Resolution::Any, "any"},
                                  std::pair{ViewFilter::Resolution::OpenOnly, "open"},
                                  std::pair{ViewFilter::Resolution::ResolvedOnly, "resolved"}};
constexpr std::array kClaims{std::pair{ViewFilter::Claims::All, "all"}, std::pair{ViewFilter::Claims::Mine, "mine"},
                             std::pair{ViewFilter::Claims::Unclaimed, "unclaimed"}};
constexpr std::array kCasework{
    std::pair{ViewFilter::CaseworkView::Active, "active"}, std::pair{ViewFilter::CaseworkView::Escalated, "escalated"},
    std::pair{ViewFilter::CaseworkView::Snoozed, "snoozed"}, std::pair{ViewFilter::CaseworkView::All, "all"}};

template <typename E, std::size_t N>
QString nameOf(const std::array<std::pair<E, const char*>, N>& table, E value) {
    for (const auto& [v, name] : table) {
        if (v == value) {
            return QString::fromLatin1(name);
        }
    }
    return {};
}

template <typename E, std::size_t N>
std::optional<E> valueOf(const std::array<std::pair<E, const char*>, N>& table, const QString& name) {
    for (const auto& [v, n] : table) {
        if (name == QLatin1String(n)) {
            return v;
        }
    }
    return std::nullopt;
}

template <typename E, std::size_t N>
QString namesOf(const std::array<std::pair<E, const char*>, N>& table) {
    QStringList names;
    for (const auto& entry : table) {
        names.append(QString::fromLatin1(entry.second));
    }
    return names.join(QStringLiteral(", "));
}

Error badFilter(const QString& why) {
    return Error::invalid(QStringLiteral("the view's filter is unreadable: %1").arg(why));
}

/** Reads one of `table`'s names from obj[key], keeping `out` when the key is absent. */
template <typename E, std::size_t N>
Status readName(const QJsonObject& obj, const char* key, const std::array<std::pair<E, const char*>, N>& table,
                E& out) {
    const QJsonValue v = obj.value(QLatin1String(key));
    if (v.isUndefined()) {
        return {};
    }
    const auto parsed = v.isString() ? valueOf(table, v.toString()) : std::nullopt;
    if (!parsed) {
        return badFilter(QStringLiteral("\"%1\" must be one of %2").arg(QLatin1String(key), namesOf(table)));
    }
    out = *parsed;
    return {};
}

Status readScore(const QJsonObject& obj, const char* key, double& out) {
    const QJsonValue v = obj.value(QLatin1String(key));
    if (v.isUndefined()) {
        return {};
    }
    if (!v.isDouble() || !std::isfinite(v.toDouble()) || v.toDouble() < 0.0 || v.toDouble() > 1.0) {
        return badFilter(QStringLiteral("\"%1\" must be a number from 0 to 1").arg(QLatin1String(key)));
    }
    out = v.toDouble();
    return {};
}

bool samePerson(const QString& email, const QString& uid, const Reviewer& r) {
    if (!uid.isEmpty() && !r.uid.isEmpty()) {
        return uid == r.uid;
    }
    return email.compare(r.email, Qt::CaseInsensitive) == 0;
}

ChangeSet viewChangeSet(const ActionContext& ctx, AuditAction action, const QString& reason) {
    ChangeSet cs;
    cs.checkStateVersion = false;
    cs.idempotencyKey = ctx.idempotencyKey;
    cs.audit = enforcement::actorRecord(ctx, action, reason); // names no user and no stage: the team's record
    return cs;
}

Status checkReviewer(const ActionContext& ctx) {
    if (ctx.reviewer.email.trimmed().isEmpty()) {
        return Error::invalid(QStringLiteral("the reviewer's identity is missing; sign in with a named credential"));
    }
    return {};
}

} // namespace

QString toJson(const ViewFilter& filter) {
    QJsonObject obj;
    obj.insert(QStringLiteral("version"), 1);
    if (filter.stage) {
        obj.insert(QStringLiteral("stage"), toString(*filter.stage));
    }
    if (filter.usageType) {
        obj.insert(QStringLiteral("usage_type"), toString(*filter.usageType));
    }
    obj.insert(QStringLiteral("min_score"), filter.minScore);
    obj.insert(QStringLiteral("max_score"), filter.maxScore);
    obj.insert(QStringLiteral("resolution"), nameOf(kResolutions, filter.resolution));
    obj.insert(QStringLiteral("claims"), nameOf(kClaims, filter.claims));
    obj.insert(QStringLiteral("casework"), nameOf(kCasework, filter.casework));
    return QString::fromUtf8(QJsonDocument(obj).toJson(QJsonDocument::Compact));
}

Result<ViewFilter> parseViewFilter(const QString& json) {
    if (json.size() > kMaxViewFilterChars) {
        return badFilter(QStringLiteral("%1 characters, at most %2").arg(json.size()).arg(kMaxViewFilterChars));
    }
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError) {
        return badFilter(QStringLiteral("not JSON (%1 at offset %2)").arg(error.errorString()).arg(error.offset));
    }
    if (!doc.isObject()) {
        return badFilter(QStringLiteral("not a JSON object"));
    }
    const QJsonObject obj = doc.object();
    static const QStringList known{QStringLiteral("version"),    QStringLiteral("stage"),
                                   QStringLiteral("usage_type"), QStringLiteral("min_score"),
                                   QStringLiteral("max_score"),  QStringLiteral("resolution"),
                                   QStringLiteral("claims"),     QStringLiteral("casework")};
    for (auto it = obj.constBegin(); it != obj.constEnd(); ++it) {
        if (!known.contains(it.key())) {
            return badFilter(QStringLiteral("unknown key \"%1\" (saved by a newer console?)").arg(it.key()));
        }
    }
    const QJsonValue version = obj.value(QStringLiteral("version"));
    if (!version.isDouble() || version.toDouble() != 1.0) {
        return badFilter(QStringLiteral("\"version\" must be 1"));
    }
    ViewFilter f;
    if (const QJsonValue v = obj.value(QStringLiteral("stage")); !v.isUndefined()) {
        f.stage = v.isString() ? stageFromString(v.toString()) : std::nullopt;
        if (!f.stage) {
            return badFilter(QStringLiteral("\"stage\" must be none, warning, throttle or restrict"));
        }
    }
    if (const QJsonValue v = obj.value(QStringLiteral("usage_type")); !v.isUndefined()) {
        f.usageType = v.isString() ? usageTypeFromString(v.toString()) : std::nullopt;
        if (!f.usageType) {
            return badFilter(QStringLiteral("\"usage_type\" is not a usage type of the classifier"));
        }
    }
    for (const Status& st :
         {readScore(obj, "min_score", f.minScore), readScore(obj, "max_score", f.maxScore),
          readName(obj, "resolution", kResolutions, f.resolution), readName(obj, "claims", kClaims, f.claims),
          readName(obj, "casework", kCasework, f.casework)}) {
        if (!st) {
            return st.error();
        }
    }
    if (f.minScore > f.maxScore) {
        return badFilter(QStringLiteral("the minimum score %1 is above the maximum %2")
                             .arg(f.minScore, 0, 'f', 2)
                             .arg(f.maxScore, 0, 'f', 2));
    }
    return f;
}

QString describeFilter(const ViewFilter& filter) {
    QStringList parts;
    if (filter.stage) {
        parts << toString(*filter.stage);
    }
    if (filter.usageType) {
        parts << toString(*filter.usageType);
    }
    if (filter.minScore > 0.0 || filter.maxScore < 1.0) {
        parts << QStringLiteral("score %1-%2").arg(filter.minScore, 0, 'f', 2).arg(filter.maxScore, 0, 'f', 2);
    }
    switch (filter.resolution) {
    case ViewFilter::Resolution::Any:
        break;
    case ViewFilter::Resolution::OpenOnly:
        parts << QStringLiteral("open cases");
        break;
    case ViewFilter::Resolution::ResolvedOnly:
        parts << QStringLiteral("resolved cases");
        break;
    }
    switch (filter.claims) {
    case ViewFilter::Claims::All:
        break;
    case ViewFilter::Claims::Mine:
        parts << QStringLiteral("my cases");
        break;
    case ViewFilter::Claims::Unclaimed:
        parts << QStringLiteral("unclaimed");
        break;
    }
    switch (filter.casework) {
    case ViewFilter::CaseworkView::Active:
        break;
    case ViewFilter::CaseworkView::Escalated:
        parts << QStringLiteral("escalated");
        break;
    case ViewFilter::CaseworkView::Snoozed:
        parts << QStringLiteral("snoozed");
        break;
    case ViewFilter::CaseworkView::All:
        parts << QStringLiteral("snoozed too");
        break;
    }
    return parts.isEmpty() ? QStringLiteral("every flagged user") : parts.join(QStringLiteral(" \u00b7 "));
}

Result<QString> checkViewName(const QString& name) {
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty()) {
        return Error::invalid(QStringLiteral("a saved view needs a name"));
    }
    if (trimmed.size() > kMaxViewNameChars) {
        return Error::invalid(
            QStringLiteral("the view's name has %1 characters; at most %2").arg(trimmed.size()).arg(kMaxViewNameChars));
    }
    if (std::any_of(trimmed.cbegin(), trimmed.cend(), [](QChar c) { return c.category() == QChar::Other_Control; })) {
        return Error::invalid(QStringLiteral("the view's name holds a control character"));
    }
    return trimmed;
}

QString newViewId(const Reviewer& owner, const QString& name, TimePoint now) {
    const QByteArray key = (owner.uid.isEmpty() ? owner.email.toLower() : owner.uid).toUtf8() + '\n' + name.toUtf8() +
                           '\n' + QByteArray::number(static_cast<qint64>(toUnixMs(now)));
    const QByteArray hex = QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex();
    return QStringLiteral("v") + QString::fromLatin1(hex.left(19));
}

bool ownsView(const SavedView& view, const Reviewer& reviewer) {
    return samePerson(view.owner, view.ownerUid, reviewer);
}

Status mayChangeView(const SavedView& view, const Reviewer& reviewer) {
    if (ownsView(view, reviewer)) {
        return {};
    }
    if (!view.shared) {
        return Error::permission(
            QStringLiteral("view \"%1\" is %2's own; only they can change it").arg(view.name, view.owner));
    }
    ActionContext ctx;
    ctx.reviewer = reviewer;
    return enforcement::requireRole(ctx, Role::SeniorReviewer,
                                    QStringLiteral("changing %1's shared view \"%2\"").arg(view.owner, view.name));
}

Result<ChangeSet> buildSaveView(const QList<SavedView>& visible, const std::optional<SavedView>& existing,
                                const QString& name, bool shared, const ViewFilter& filter, const ActionContext& ctx) {
    if (Status st = checkReviewer(ctx); !st) {
        return st.error();
    }
    const Result<QString> checkedName = checkViewName(name);
    if (!checkedName) {
        return checkedName.error();
    }
    const QString json = toJson(filter);
    if (const auto parsed = parseViewFilter(json); !parsed) {
        return parsed.error(); // a score out of range
    }
    const QString ownId = existing ? existing->id : QString();
    for (const SavedView& v : visible) {
        if (v.id != ownId && v.name.compare(*checkedName, Qt::CaseInsensitive) == 0) {
            return Error::invalid(
                QStringLiteral("a %1 view named \"%2\" exists already (%3's); choose another name")
                    .arg(v.shared ? QStringLiteral("shared") : QStringLiteral("personal"), v.name, v.owner));
        }
    }
    SavedView view;
    if (existing) {
        if (Status st = mayChangeView(*existing, ctx.reviewer); !st) {
            return st.error();
        }
        if (existing->shared != shared && !ownsView(*existing, ctx.reviewer)) {
            return Error::permission(QStringLiteral("only %1 can change whether view \"%2\" is shared")
                                         .arg(existing->owner, existing->name));
        }
        view = *existing;
    } else {
        const auto owned = std::count_if(visible.cbegin(), visible.cend(),
                                         [&ctx](const SavedView& v) { return ownsView(v, ctx.reviewer); });
        if (owned >= kMaxViewsPerReviewer) {
            return Error::invalid(QStringLiteral("you have %1 saved views, the most one reviewer may keep; delete one "
                                                 "first")
                                      .arg(owned));
        }
        view.id = newViewId(ctx.reviewer, *checkedName, ctx.now);
        view.owner = ctx.reviewer.email;
        view.ownerUid = ctx.reviewer.uid;
        view.createdAt = ctx.now;
    }
    view.name = *checkedName;
    view.shared = shared;
    view.filter = json;
    view.updatedAt = ctx.now;
    view.updatedBy = ctx.reviewer.email;
    view.version.clear();

    ChangeSet cs =
        viewChangeSet(ctx, AuditAction::SaveView, QStringLiteral("view %1 saved: %2").arg(view.id, view.name));
    cs.viewChange = ChangeSet::ViewChange{view.id, view, existing ? existing->version : QString()};
    return cs;
}

Result<ChangeSet> buildDeleteView(const SavedView& view, const ActionContext& ctx) {
    if (Status st = checkReviewer(ctx); !st) {
        return st.error();
    }
    if (Status st = mayChangeView(view, ctx.reviewer); !st) {
        return st.error();
    }
    ChangeSet cs =
        viewChangeSet(ctx, AuditAction::DeleteView, QStringLiteral("view %1 deleted: %2").arg(view.id, view.name));
    cs.viewChange = ChangeSet::ViewChange{view.id, std::nullopt, view.version};
    return cs;
}

QList<SavedView> sortedViews(QList<SavedView> views) {
    std::stable_sort(views.begin(), views.end(), [](const SavedView& a, const SavedView& b) {
        if (a.shared != b.shared) {
            return a.shared;
        }
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
    });
    return views;
}

} // namespace fairuse::casework
