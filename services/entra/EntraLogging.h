// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

// The one logging category of services/entra. Lines name the operation, Graph's request-id and the status — never a
// body, a token, a secret, a password or a Temporary Access Pass.
Q_DECLARE_LOGGING_CATEGORY(lcEntra)
