// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Crypto.h"

#include <QWidget>

// Shows a secret (a checkout's password or Temporary Access Pass) while the technician asked to see it, without
// handing it to a QLabel: a QLabel keeps its own copy of the text that nothing wipes. This widget holds the bytes in
// a SecretBytes (wiped when cleared or destroyed) and draws them from a temporary string it wipes after each paint.
// It has no text of its own for accessibility tools: its accessible name says what it shows, not the secret.
namespace stint::ui {

class SecretLabel : public QWidget
{
    Q_OBJECT
public:
    explicit SecretLabel(QWidget* parent = nullptr);

    void setSecret(QByteArrayView secret);
    void clear();
    bool isShowing() const { return !m_secret.isEmpty(); }
    // True when the secret shown is `expected` (for tests; compares without making a copy).
    bool shows(QByteArrayView expected) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    crypto::SecretBytes m_secret;
    int m_textWidth = 0;
};

} // namespace stint::ui
