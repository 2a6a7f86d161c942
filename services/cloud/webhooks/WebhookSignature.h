// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

// How a receiver knows a webhook delivery came from Stint (docs/operations.md "Webhooks"):
//   Stint-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// The key is the webhook's secret as shown at creation (its UTF-8 bytes, "whsec_" prefix included).
namespace stint::cloud::webhooks {

QByteArray signatureHeader(const QByteArray& secret, qint64 unixSeconds, const QByteArray& body);

// Checks a header against the body, with a tolerance for the timestamp (seconds, either way). For receivers and
// tests; constant-time on the MAC.
bool verifySignature(const QByteArray& secret, const QByteArray& header, const QByteArray& body, qint64 nowSeconds,
                     qint64 toleranceSeconds = 300);

} // namespace stint::cloud::webhooks
