// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QMetaObject>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

// One asynchronous outcome: what every call of the desktop side that waits on something (the cloud, the keychain, a
// security key, the browser) returns at once, and resolves later with a Result<T>.
//
// Why not QFuture: the continuations must run on the thread of a QObject that may be gone by then (a dialog the
// person closed), never at all in that case, and always *after* the caller has returned — even when a fake resolves
// at once — so that code after `.then()` never runs before it. A Call does exactly that and nothing else: waiters are
// (context, function) pairs, each run through a queued invocation on its context, dropped with the context.
namespace stint::client {

template <typename T> class Call
{
public:
    using Handler = std::function<void(const Result<T>&)>;

    // A pending call; the producer keeps a copy and resolves it.
    Call()
        : m_state(std::make_shared<State>())
    {
    }

    static Call resolved(Result<T> result)
    {
        Call call;
        call.resolve(std::move(result));
        return call;
    }
    static Call failed(Error error) { return resolved(Result<T>(std::move(error))); }

    // Runs `handler` on `context`'s thread once the outcome is known (later, never inside this call), unless
    // `context` is destroyed first. Several handlers may wait on one call.
    const Call& then(QObject* context, Handler handler) const
    {
        if (m_state->result) {
            deliver(context, std::move(handler), *m_state->result);
        } else {
            m_state->waiters.push_back({QPointer<QObject>(context), std::move(handler)});
        }
        return *this;
    }

    // The producer's side: the first resolve wins; later ones are ignored (a reply that also times out).
    void resolve(Result<T> result) const
    {
        if (m_state->result)
            return;
        m_state->result.emplace(std::move(result));
        auto waiters = std::move(m_state->waiters);
        m_state->waiters.clear();
        for (auto& w : waiters) {
            if (w.context)
                deliver(w.context.data(), std::move(w.handler), *m_state->result);
        }
    }
    void fail(Error error) const { resolve(Result<T>(std::move(error))); }

    bool isFinished() const { return m_state->result.has_value(); }
    // The outcome, once finished (tests and the command line, which wait on the event loop).
    const std::optional<Result<T>>& result() const { return m_state->result; }

    // A call that resolves with `f(value)` when this one succeeds, and with the same error otherwise.
    template <typename U, typename F> Call<U> map(QObject* context, F f) const
    {
        Call<U> out;
        then(context, [out, f](const Result<T>& r) {
            if (!r.ok())
                out.fail(r.error());
            else
                out.resolve(f(r));
        });
        return out;
    }

private:
    struct Waiter
    {
        QPointer<QObject> context;
        Handler handler;
    };
    struct State
    {
        std::optional<Result<T>> result;
        std::vector<Waiter> waiters;
    };

    static void deliver(QObject* context, Handler handler, const Result<T>& result)
    {
        if (!context)
            return;
        // The state outlives the queued call through this copy of the result; results here are small values.
        QMetaObject::invokeMethod(
            context, [handler = std::move(handler), result]() { handler(result); }, Qt::QueuedConnection);
    }

    std::shared_ptr<State> m_state;
};

// For calls that only succeed or fail.
using Done = Call<void>;

} // namespace stint::client
