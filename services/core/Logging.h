// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

// Logging set-up shared by the executables. Each file declares its own category
// (Q_LOGGING_CATEGORY(lcX, "stint.<part>.<file>")); nothing here may ever be handed a secret.
namespace stint::logging {

enum class Format
{
    Text,
    Json, // one JSON object per line: time, level, category, message, requestId
};

void install(Format format);

// The request being handled on this thread, added to every line logged while it is set.
void setRequestId(const QString& id);
QString requestId();

class RequestIdScope
{
public:
    explicit RequestIdScope(const QString& id) { setRequestId(id); }
    ~RequestIdScope() { setRequestId({}); }
};

} // namespace stint::logging
