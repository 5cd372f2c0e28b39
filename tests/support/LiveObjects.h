#pragma once

// Counts the QObjects of one type that are alive, through Qt's object hooks (the ones GammaRay uses: QtCore calls
// qtHookData[AddQObject] from every QObject constructor and qtHookData[RemoveQObject] from every destructor). A test
// holds one LiveObjects for as long as it counts; the hooks it replaces are restored when it is destroyed.

#include <QMutex>
#include <QObject>
#include <QSet>

#include <cstdint>

extern Q_CORE_EXPORT quintptr qtHookData[];

namespace fairuse::testing {

class LiveObjects {
public:
    LiveObjects() {
        m_oldAdd = qtHookData[kAddQObject];
        m_oldRemove = qtHookData[kRemoveQObject];
        instance() = this;
        qtHookData[kAddQObject] = reinterpret_cast<quintptr>(&onAdd);
        qtHookData[kRemoveQObject] = reinterpret_cast<quintptr>(&onRemove);
    }
    ~LiveObjects() {
        qtHookData[kAddQObject] = m_oldAdd;
        qtHookData[kRemoveQObject] = m_oldRemove;
        instance() = nullptr;
    }
    LiveObjects(const LiveObjects&) = delete;
    LiveObjects& operator=(const LiveObjects&) = delete;

    /** Objects of type T (or derived) created since this counter was made and not destroyed yet. */
    template <typename T>
    int count() {
        QMutexLocker lock(&m_mutex);
        int n = 0;
        for (QObject* o : std::as_const(m_live)) {
            if (qobject_cast<T*>(o) != nullptr) {
                ++n;
            }
        }
        return n;
    }

private:
    // qhooks_p.h: QHooks::AddQObject and QHooks::RemoveQObject.
    static constexpr int kAddQObject = 3;
    static constexpr int kRemoveQObject = 4;

    static LiveObjects*& instance() {
        static LiveObjects* current = nullptr;
        return current;
    }
    static void onAdd(QObject* o) {
        if (LiveObjects* self = instance()) {
            QMutexLocker lock(&self->m_mutex);
            self->m_live.insert(o);
        }
    }
    static void onRemove(QObject* o) {
        if (LiveObjects* self = instance()) {
            QMutexLocker lock(&self->m_mutex);
            self->m_live.remove(o);
        }
    }

    QMutex m_mutex;
    QSet<QObject*> m_live;
    quintptr m_oldAdd = 0;
    quintptr m_oldRemove = 0;
};

} // namespace fairuse::testing
