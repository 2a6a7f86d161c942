// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QPointer>
#include <QRunnable>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>

namespace stint::cloud {

// Runs blocking work (Graph calls through entra::EntraGateway) on worker threads and hands each result back on the
// thread that owns the pool — the one that serves HTTP and owns the store — so that only that thread touches the
// database, the audit log and the live events. Work must not touch them; it gets its inputs by value.
//
// Destroying the pool waits for running work and drops completions not yet delivered; so does stop().
class WorkerPool : public QObject
{
    Q_OBJECT
public:
    explicit WorkerPool(int threads, QObject* parent = nullptr);
    ~WorkerPool() override;

    // `work` runs on a worker thread and may be move-only; `done` gets its result on this object's thread.
    template <typename Work, typename Done> void run(Work work, Done done)
    {
        using T = std::invoke_result_t<Work&>;
        auto slot = std::make_shared<std::optional<T>>();
        auto finish = std::make_shared<Done>(std::move(done));
        ++m_pending;
        QPointer<WorkerPool> self(this);
        auto job = [self, slot, finish, work = std::move(work)]() mutable {
            slot->emplace(work());
            if (!self)
                return;
            QMetaObject::invokeMethod(
                self.data(),
                [self, slot, finish]() {
                    if (!self || self->m_stopped)
                        return;
                    --self->m_pending;
                    (*finish)(std::move(**slot));
                },
                Qt::QueuedConnection);
        };
        m_pool.start(new Job<decltype(job)>(std::move(job)));
    }

    // Jobs started and not yet delivered.
    int pending() const { return m_pending; }
    int threads() const { return m_pool.maxThreadCount(); }

    // Waits for running work; nothing more is delivered afterwards. For shutdown.
    void stop();

private:
    template <typename F> class Job : public QRunnable
    {
    public:
        explicit Job(F f)
            : m_f(std::move(f))
        {
            setAutoDelete(true);
        }
        void run() override { m_f(); }

    private:
        F m_f;
    };

    QThreadPool m_pool;
    int m_pending = 0;
    bool m_stopped = false;
};

} // namespace stint::cloud
