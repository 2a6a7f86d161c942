// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"

#include <QLabel>

// A small coloured pill that says where something stands ("Ready", "Awaiting approval", "Unhealthy"). Colour is never
// the only signal: the text says it, and the accessible name repeats it.
namespace stint::ui {

class StatusChip : public QLabel
{
    Q_OBJECT
public:
    explicit StatusChip(QWidget* parent = nullptr);

    // tone: "good" | "warn" | "bad" | "busy" | "neutral"
    void show(const QString& text, const char* tone);
    void showCheckoutState(models::CheckoutState state);
    void showConnectionStatus(const QString& status);

    static QString checkoutStateText(models::CheckoutState state);
    static const char* checkoutStateTone(models::CheckoutState state);
    static QString connectionStatusText(const QString& status);
    static const char* connectionStatusTone(const QString& status);
};

} // namespace stint::ui
