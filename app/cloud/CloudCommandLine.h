// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudConfig.h"
#include "core/Result.h"

#include <QStringList>

// The stint-cloud command line: `stint-cloud <command> [options]`.
namespace stint::app {

struct Invocation
{
    QString command;    // serve | init | invite | migrate | backup | audit
    QString subcommand; // audit: verify | export
    cloud::CloudConfig config;
    QString org, admin, email, role, out, from, to;
    bool help = false;
};

// Builds the configuration from, in increasing precedence: the config file (--config, or
// <data-dir>/stint-cloud.conf when present), STINT_* environment variables, and flags.
Result<Invocation> parseCommandLine(const QStringList& arguments);
QString usage();

} // namespace stint::app
