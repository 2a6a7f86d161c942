// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/metrics/Metrics.h"

#include <QDateTime>

#include <algorithm>

namespace stint::cloud {

Metrics::Metrics()
    : m_startedAtMs(QDateTime::currentMSecsSinceEpoch())
{
}

void Metrics::observeRequest(const QString& method, const QString& route, int status, double seconds)
{
    const QString route_ = QStringLiteral("method=\"%1\",route=\"%2\"").arg(method, route);
    ++m_requests[route_ + QStringLiteral(",status=\"%1\"").arg(status)];
    Histogram& h = m_latencies[route_];
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i])
            ++h.buckets[i];
    }
    ++h.count;
    h.sum += seconds;
}

void Metrics::increment(const QString& name, const QString& labels, qint64 by)
{
    m_counters[name][labels] += by;
}

void Metrics::setGauge(const QString& name, double value)
{
    m_gauges[name] = value;
}

QByteArray Metrics::render() const
{
    QByteArray out;
    auto sorted = [](auto keys) {
        std::sort(keys.begin(), keys.end());
        return keys;
    };
    out += "# HELP stint_http_requests_total HTTP requests answered, by route and status.\n"
           "# TYPE stint_http_requests_total counter\n";
    for (const QString& k : sorted(m_requests.keys()))
        out += "stint_http_requests_total{" + k.toUtf8() + "} " + QByteArray::number(m_requests.value(k)) + '\n';
    out += "# HELP stint_http_request_duration_seconds Time to answer, by route.\n"
           "# TYPE stint_http_request_duration_seconds histogram\n";
    for (const QString& k : sorted(m_latencies.keys())) {
        const Histogram& h = m_latencies[k];
        const QByteArray labels = k.toUtf8();
        for (size_t i = 0; i < kBuckets.size(); ++i)
            out += "stint_http_request_duration_seconds_bucket{" + labels + ",le=\"" + QByteArray::number(kBuckets[i])
                + "\"} " + QByteArray::number(h.buckets[i]) + '\n';
        out += "stint_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " + QByteArray::number(h.count)
            + '\n';
        out += "stint_http_request_duration_seconds_sum{" + labels + "} " + QByteArray::number(h.sum, 'g', 9) + '\n';
        out += "stint_http_request_duration_seconds_count{" + labels + "} " + QByteArray::number(h.count) + '\n';
    }
    for (const QString& name : sorted(m_counters.keys())) {
        out += "# TYPE " + name.toUtf8() + " counter\n";
        const auto& series = m_counters[name];
        for (const QString& labels : sorted(series.keys())) {
            out += name.toUtf8();
            if (!labels.isEmpty())
                out += '{' + labels.toUtf8() + '}';
            out += ' ' + QByteArray::number(series.value(labels)) + '\n';
        }
    }
    for (const QString& name : sorted(m_gauges.keys()))
        out += "# TYPE " + name.toUtf8() + " gauge\n" + name.toUtf8() + ' '
            + QByteArray::number(m_gauges.value(name), 'g', 12) + '\n';
    out += "# TYPE stint_process_start_time_seconds gauge\nstint_process_start_time_seconds "
        + QByteArray::number(m_startedAtMs / 1000) + '\n';
    return out;
}

} // namespace stint::cloud
