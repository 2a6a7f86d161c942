// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "models/Checkout.h"
#include "models/Tenant.h"

#include <QCoreApplication>
#include <QString>

// What a checkout's state means to the technician, in words: the progress line under its state chip ("Still
// preparing: Microsoft Graph asked to slow down, retrying (attempt 3)"), and why it ended. The service's stateReason
// is a short code for the common cases ("expired", "ended_early", "policy_removed") and a sentence otherwise; both
// read as sentences here. One place, so the cards and the history say the same.
namespace stint::ui {

class CheckoutText
{
    Q_DECLARE_TR_FUNCTIONS(stint::ui::CheckoutText)
public:
    // One or two sentences on where the checkout stands now. `tenant` may be null (not known to this app).
    static QString progress(const models::Checkout& checkout, const models::Tenant* tenant, TimeMs now);
    // Why it is ending or ended, as a sentence; empty when the service gave no reason.
    static QString reason(const models::Checkout& checkout);
    // The engine's retry reason ("Retrying: <what Graph said>") said plainly: "Microsoft Graph asked to slow down".
    static QString retryCause(const QString& stateReason);
    // "Global Reader, Security Reader"
    static QString roleNames(const models::Checkout& checkout, const models::Tenant* tenant);
};

} // namespace stint::ui
