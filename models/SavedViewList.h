#pragma once

#include "Backend.h"
#include "casework/SavedViews.h"

#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace fairuse::models {

/**
 * The saved views the signed-in reviewer can read (every shared view and their own personal ones), kept from the
 * store and changed through it: each save or delete is built by the core (casework/SavedViews.h) and applied with its
 * audit record; the list is read again after each change, so another reviewer's change shows up too.
 *
 * Failures (a store without saved views, a conflict with someone else's change, a refused permission) are reported
 * through failed() with the store's or the core's message; nothing is changed locally then.
 */
class SavedViewList : public QObject {
    Q_OBJECT
public:
    explicit SavedViewList(Backend& backend, QObject* parent = nullptr);

    /** The views as last read, shared first, then personal, each by name. */
    QList<SavedView> views() const { return m_views; }
    std::optional<SavedView> find(const QString& id) const;
    /** False once the store said it has no saved views (the embedded store before schema 8 cannot happen; a store
     *  that does not implement listViews() can). */
    bool supported() const { return m_supported; }
    /** True when the signed-in reviewer may change or delete `view` (casework::mayChangeView). */
    bool mayChange(const SavedView& view) const;

public Q_SLOTS:
    /** Reads the views again; changed() when they differ. */
    void reload();

public:
    /** Saves `filter` as a new view (existing nullopt) or over `existing`; saved(id) when stored. */
    void save(const QString& name, bool shared, const casework::ViewFilter& filter,
              const std::optional<SavedView>& existing);
    /** Deletes `view`; deleted(name) when done. */
    void remove(const SavedView& view);

Q_SIGNALS:
    void changed();
    void saved(const QString& id);
    void deleted(const QString& name);
    void failed(const QString& message);

private:
    enforcement::ActionContext context() const;
    void applyChange(const Result<ChangeSet>& change, bool isDelete, const QString& name);

    Backend& m_backend;
    QList<SavedView> m_views;
    bool m_supported = true;
};

} // namespace fairuse::models
