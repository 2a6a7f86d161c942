// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QWidget>

class QLabel;

// The status line beside an action: a spinner and "Saving…" while a call runs, then either nothing, a short
// confirmation ("Saved.") or the error in words (ErrorText), with the technical code in the tooltip. Every admin page
// and dialog shows its calls' progress and failures here, in place, instead of in pop-ups.
namespace stint::ui {

class BusySpinner;

class ActionStatus : public QWidget
{
    Q_OBJECT
public:
    explicit ActionStatus(QWidget* parent = nullptr);

    void busy(const QString& text);
    void succeeded(const QString& text = {});
    void failed(const Error& error);
    // A problem found before asking the service (a required field left empty).
    void refused(const QString& text);
    void clear();

    bool isBusy() const;
    QString text() const;

private:
    BusySpinner* m_spinner;
    QLabel* m_text;
};

} // namespace stint::ui
