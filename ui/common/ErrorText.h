// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QCoreApplication>
#include <QString>

// What went wrong, said so that a person knows what to do next. Every view shows errors through this, so the same
// failure reads the same everywhere ("The Stint service cannot be reached. Check your network; Stint retries on its
// own."), and a person never sees a bare error code. The code stays available for support in the tooltip.
namespace stint::ui {

class ErrorText
{
    Q_DECLARE_TR_FUNCTIONS(stint::ui::ErrorText)
public:
    // One or two sentences: what happened and what to do.
    static QString describe(const Error& error);
    // The detail for support: the code and, when the service gave one, its request id.
    static QString technical(const Error& error);

private:
    static QString describeSecurityKey(const Error& error);
};

} // namespace stint::ui
