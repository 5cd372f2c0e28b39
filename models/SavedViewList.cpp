#include "SavedViewList.h"

#include "BulkResolver.h"
#include "FutureWatch.h"

namespace fairuse::models {

SavedViewList::SavedViewList(Backend& backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {}

std::optional<SavedView> SavedViewList::find(const QString& id) const {
    for (const SavedView& v : m_views) {
        if (v.id == id) {
            return v;
        }
    }
    return std::nullopt;
}

bool SavedViewList::mayChange(const SavedView& view) const {
    return static_cast<bool>(casework::mayChangeView(view, m_backend.reviewer));
}

enforcement::ActionContext SavedViewList::context() const {
    enforcement::ActionContext ctx;
    ctx.reviewer = m_backend.reviewer;
    ctx.now = backendNow(m_backend);
    ctx.clientVersion = m_backend.clientVersion;
    return ctx;
}

void SavedViewList::reload() {
    if (!m_backend.cases) {
        return;
    }
    whenFinished(this, m_backend.cases->listViews(m_backend.reviewer), [this](const Result<QList<SavedView>>& r) {
        if (!r) {
            if (r.error().kind == ErrorKind::Unavailable && m_views.isEmpty()) {
                m_supported = false;
            }
            Q_EMIT failed(tr("Could not read the saved views: %1").arg(r.error().message));
            return;
        }
        m_supported = true;
        QList<SavedView> views = casework::sortedViews(r.value());
        if (views != m_views) {
            m_views = std::move(views);
            Q_EMIT changed();
        }
    });
}

void SavedViewList::save(const QString& name, bool shared, const casework::ViewFilter& filter,
                         const std::optional<SavedView>& existing) {
    applyChange(casework::buildSaveView(m_views, existing, name, shared, filter, context()), false, name);
}

void SavedViewList::remove(const SavedView& view) {
    applyChange(casework::buildDeleteView(view, context()), true, view.name);
}

void SavedViewList::applyChange(const Result<ChangeSet>& change, bool isDelete, const QString& name) {
    if (!change) {
        Q_EMIT failed(change.error().message);
        return;
    }
    if (!m_backend.cases) {
        Q_EMIT failed(tr("No store is connected"));
        return;
    }
    const QString id = change->viewChange ? change->viewChange->id : QString();
    whenFinished(this, m_backend.cases->apply(*change), [this, isDelete, name, id](const Result<CommitResult>& r) {
        if (!r) {
            Q_EMIT failed(r.error().message);
            reload(); // a conflict means the list is stale
            return;
        }
        if (isDelete) {
            Q_EMIT deleted(name);
        } else {
            Q_EMIT saved(id);
        }
        reload();
    });
}

} // namespace fairuse::models
