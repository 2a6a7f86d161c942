// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudContext.h"
#include "cloud/events/EventHub.h"
#include "core/Result.h"
#include "store/Database.h"

#include <type_traits>

namespace stint::cloud {

// Runs `work` (returning Result<T>) in one store transaction, joining the caller's when one is open. A change and the
// live events it queued go together: when the transaction is ours, the events are sent after the commit, or dropped
// with a rollback; inside someone else's (an HTTP request's), its owner does that.
template <typename F> auto inCloudTransaction(CloudContext& cloud, F&& work) -> std::invoke_result_t<F>
{
    using R = std::invoke_result_t<F>;
    const bool own = !cloud.db.inTransaction();
    store::Transaction tx(cloud.db);
    if (!tx.started().ok())
        return R(tx.started().error());
    R result = work();
    if (result.ok()) {
        if (auto committed = tx.commit(); !committed)
            result = R(committed.error());
    }
    if (own) {
        if (result.ok())
            cloud.events.flushPending();
        else
            cloud.events.discardPending();
    }
    return result;
}

} // namespace stint::cloud
