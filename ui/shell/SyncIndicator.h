// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"

#include <QLabel>

namespace stint::client {
class Workspace;
}

// The status bar's word on how fresh the window is: "Up to date · synced 14:03", "Showing saved data from 13:58 ·
// connecting…", "Offline · showing saved data from 14:03". A coloured dot goes with it; the words carry the meaning.
namespace stint::ui {

class SyncIndicator : public QLabel
{
    Q_OBJECT
public:
    SyncIndicator(client::Workspace& workspace, const Clock& clock, QWidget* parent = nullptr);

    void refresh();
    // What it says, without the dot and markup.
    QString statusText() const { return m_text; }

private:
    client::Workspace& m_workspace;
    const Clock& m_clock;
    QString m_text;
};

} // namespace stint::ui
