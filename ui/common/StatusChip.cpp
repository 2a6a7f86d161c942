// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/StatusChip.h"

#include "ui/common/Style.h"

namespace stint::ui {

using models::CheckoutState;

StatusChip::StatusChip(QWidget* parent)
    : QLabel(parent)
{
    setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    setAlignment(Qt::AlignCenter);
}

void StatusChip::show(const QString& text, const char* tone)
{
    setText(text);
    setAccessibleName(text);
    style::setTone(this, tone);
}

void StatusChip::showCheckoutState(CheckoutState state)
{
    show(checkoutStateText(state), checkoutStateTone(state));
}

void StatusChip::showConnectionStatus(const QString& status)
{
    show(connectionStatusText(status), connectionStatusTone(status));
}

QString StatusChip::checkoutStateText(CheckoutState state)
{
    switch (state) {
    case CheckoutState::Requested:
        return tr("Requested");
    case CheckoutState::AwaitingApproval:
        return tr("Awaiting approval");
    case CheckoutState::Provisioning:
        return tr("Preparing access");
    case CheckoutState::Ready:
        return tr("Ready");
    case CheckoutState::Revoking:
        return tr("Ending");
    case CheckoutState::Ended:
        return tr("Ended");
    case CheckoutState::Denied:
        return tr("Denied");
    case CheckoutState::Cancelled:
        return tr("Cancelled");
    case CheckoutState::Expired:
        return tr("Expired");
    case CheckoutState::Failed:
        return tr("Failed");
    case CheckoutState::RevokeFailed:
        return tr("Revocation failing");
    }
    return {};
}

const char* StatusChip::checkoutStateTone(CheckoutState state)
{
    switch (state) {
    case CheckoutState::Ready:
        return "good";
    case CheckoutState::Requested:
    case CheckoutState::Provisioning:
    case CheckoutState::Revoking:
        return "busy";
    case CheckoutState::AwaitingApproval:
        return "warn";
    case CheckoutState::Denied:
    case CheckoutState::Failed:
    case CheckoutState::RevokeFailed:
        return "bad";
    case CheckoutState::Ended:
    case CheckoutState::Cancelled:
    case CheckoutState::Expired:
        return "neutral";
    }
    return "neutral";
}

QString StatusChip::connectionStatusText(const QString& status)
{
    if (status == QLatin1String("connected"))
        return tr("Connected");
    if (status == QLatin1String("unhealthy"))
        return tr("Unhealthy");
    if (status == QLatin1String("connecting"))
        return tr("Connecting");
    if (status == QLatin1String("verifying"))
        return tr("Verifying");
    return tr("Not connected");
}

const char* StatusChip::connectionStatusTone(const QString& status)
{
    if (status == QLatin1String("connected"))
        return "good";
    if (status == QLatin1String("unhealthy"))
        return "bad";
    if (status == QLatin1String("connecting") || status == QLatin1String("verifying"))
        return "busy";
    return "neutral";
}

} // namespace stint::ui
