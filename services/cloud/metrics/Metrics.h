// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <array>

namespace stint::cloud {

// Prometheus metrics, rendered in the text exposition format at /metrics.
class Metrics
{
public:
    Metrics();

    // One answered HTTP request; `route` is the route pattern (never the raw path, which would explode cardinality).
    void observeRequest(const QString& method, const QString& route, int status, double seconds);
    // A labelled counter, e.g. increment("stint_signins_total", "outcome=\"success\"").
    void increment(const QString& name, const QString& labels = {}, qint64 by = 1);
    void setGauge(const QString& name, double value);

    QByteArray render() const;

private:
    static constexpr std::array<double, 10> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};
    struct Histogram
    {
        std::array<qint64, kBuckets.size()> buckets{};
        qint64 count = 0;
        double sum = 0;
    };
    QHash<QString, qint64> m_requests;      // labels → count
    QHash<QString, Histogram> m_latencies;  // labels → histogram
    QHash<QString, QHash<QString, qint64>> m_counters;
    QHash<QString, double> m_gauges;
    qint64 m_startedAtMs;
};

} // namespace stint::cloud
