// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/WorkerPool.h"

namespace stint::cloud {

WorkerPool::WorkerPool(int threads, QObject* parent)
    : QObject(parent)
{
    m_pool.setMaxThreadCount(qMax(1, threads));
    m_pool.setExpiryTimeout(-1); // keep threads (and their network managers) alive
}

WorkerPool::~WorkerPool()
{
    stop();
}

void WorkerPool::stop()
{
    m_stopped = true;
    m_pool.clear();
    m_pool.waitForDone();
}

} // namespace stint::cloud
