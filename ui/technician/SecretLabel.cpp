// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/SecretLabel.h"

#include <QFontDatabase>
#include <QLoggingCategory>
#include <QPainter>
#include <algorithm>

Q_LOGGING_CATEGORY(lcSecretLabel, "stint.ui.secretlabel")

namespace stint::ui {

namespace {
constexpr int kPadding = 6;

// Draws or measures the secret through a string that is wiped afterwards (it is never shared, so the wipe reaches
// the only copy).
template <typename F> void withText(const crypto::SecretBytes& secret, F use)
{
    QString text = QString::fromUtf8(secret.bytes());
    use(static_cast<const QString&>(text));
    std::fill(text.begin(), text.end(), QChar(0));
}
} // namespace

SecretLabel::SecretLabel(QWidget* parent)
    : QWidget(parent)
{
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(font().pointSizeF() * 1.1);
    setFont(mono);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

void SecretLabel::setSecret(QByteArrayView secret)
{
    m_secret = crypto::SecretBytes(secret.toByteArray());
    withText(m_secret, [&](const QString& text) { m_textWidth = fontMetrics().horizontalAdvance(text); });
    updateGeometry();
    update();
}

void SecretLabel::clear()
{
    m_secret = crypto::SecretBytes();
    m_textWidth = 0;
    updateGeometry();
    update();
}

bool SecretLabel::shows(QByteArrayView expected) const
{
    return !m_secret.isEmpty() && QByteArrayView(m_secret.bytes()) == expected;
}

QSize SecretLabel::sizeHint() const
{
    return {std::max(m_textWidth, fontMetrics().horizontalAdvance(QLatin1Char('x')) * 16) + 2 * kPadding,
            fontMetrics().height() + 2 * kPadding};
}

QSize SecretLabel::minimumSizeHint() const
{
    return {fontMetrics().horizontalAdvance(QLatin1Char('x')) * 8, fontMetrics().height() + 2 * kPadding};
}

void SecretLabel::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF box = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.setPen(QColor(0xd9, 0xde, 0xe4));
    p.setBrush(QColor(0xf7, 0xf9, 0xfb));
    p.drawRoundedRect(box, 4, 4);
    p.setPen(palette().color(QPalette::Text));
    const QRect textRect = rect().adjusted(kPadding, 0, -kPadding, 0);
    if (m_secret.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft, QStringLiteral("••••••••••••"));
        return;
    }
    withText(m_secret, [&](const QString& text) {
        p.drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft | Qt::TextSingleLine, text);
    });
}

} // namespace stint::ui
