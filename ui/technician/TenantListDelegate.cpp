// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/TenantListDelegate.h"

#include "ui/common/StatusChip.h"
#include "ui/models/TenantListModel.h"

#include <QApplication>
#include <QLoggingCategory>
#include <QPainter>

Q_LOGGING_CATEGORY(lcTenantListDelegate, "stint.ui.tenantlistdelegate")

namespace stint::ui {

namespace {
constexpr int kPadX = 10;
constexpr int kPadY = 6;
constexpr int kLineGap = 2;

struct Tone
{
    QColor background;
    QColor text;
};

Tone toneColours(const char* tone)
{
    // The same colours as the StatusChip style (ui/common/Style.cpp).
    if (qstrcmp(tone, "good") == 0)
        return {QColor(0xe3, 0xf4, 0xe8), QColor(0x1b, 0x6b, 0x36)};
    if (qstrcmp(tone, "warn") == 0)
        return {QColor(0xfd, 0xf1, 0xd8), QColor(0x8a, 0x53, 0x00)};
    if (qstrcmp(tone, "bad") == 0)
        return {QColor(0xfd, 0xe7, 0xe6), QColor(0xa4, 0x22, 0x1a)};
    if (qstrcmp(tone, "busy") == 0)
        return {QColor(0xe4, 0xed, 0xfb), QColor(0x1d, 0x4f, 0x9c)};
    return {QColor(0xec, 0xef, 0xf2), QColor(0x3e, 0x4c, 0x59)};
}
} // namespace

QSize TenantListDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const
{
    QFont bold = option.font;
    bold.setBold(true);
    const int h = QFontMetrics(bold).height() + kLineGap + option.fontMetrics.height() + 2 * kPadY;
    return {200, h};
}

void TenantListDelegate::paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    // The background, selection and focus as the style draws them; the text is ours.
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, p, widget);

    const bool selected = option.state & QStyle::State_Selected;
    const QPalette::ColorGroup group = option.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    const QColor text = option.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    const QColor muted = selected ? text : option.palette.color(group, QPalette::PlaceholderText).darker(115);

    const QRect r = option.rect.adjusted(kPadX, kPadY, -kPadX, -kPadY);
    QFont bold = option.font;
    bold.setBold(true);
    const QFontMetrics boldMetrics(bold);

    // The chip: my access here, else a connection that is not simply "connected".
    QString chipText;
    const char* tone = "neutral";
    const QString state = index.data(TenantListModel::OpenCheckoutStateRole).toString();
    if (!state.isEmpty()) {
        if (auto s = models::checkoutStateFromString(state)) {
            chipText = StatusChip::checkoutStateText(*s);
            tone = StatusChip::checkoutStateTone(*s);
        }
    } else {
        const QString status = index.data(TenantListModel::ConnectionStatusRole).toString();
        if (status != QLatin1String("connected")) {
            chipText = StatusChip::connectionStatusText(status);
            tone = StatusChip::connectionStatusTone(status);
        }
    }
    int chipWidth = 0;
    p->save();
    if (!chipText.isEmpty()) {
        QFont small = option.font;
        small.setPointSizeF(option.font.pointSizeF() * 0.9);
        small.setBold(true);
        const QFontMetrics sm(small);
        chipWidth = sm.horizontalAdvance(chipText) + 16;
        const QRect chip(r.right() - chipWidth, r.top() + (boldMetrics.height() - sm.height() - 2) / 2, chipWidth,
                         sm.height() + 2);
        const Tone c = toneColours(tone);
        p->setRenderHint(QPainter::Antialiasing);
        p->setPen(Qt::NoPen);
        p->setBrush(c.background);
        p->drawRoundedRect(chip, chip.height() / 2.0, chip.height() / 2.0);
        p->setPen(c.text);
        p->setFont(small);
        p->drawText(chip, Qt::AlignCenter, chipText);
        chipWidth += 8;
    }

    p->setFont(bold);
    p->setPen(text);
    const QRect nameRect(r.left(), r.top(), r.width() - chipWidth, boldMetrics.height());
    p->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                boldMetrics.elidedText(index.data(Qt::DisplayRole).toString(), Qt::ElideRight, nameRect.width()));

    p->setFont(option.font);
    p->setPen(muted);
    const QRect summaryRect(r.left(), nameRect.bottom() + 1 + kLineGap, r.width(), option.fontMetrics.height());
    p->drawText(summaryRect, Qt::AlignLeft | Qt::AlignVCenter,
                option.fontMetrics.elidedText(index.data(TenantListModel::SummaryRole).toString(), Qt::ElideRight,
                                              summaryRect.width()));
    p->restore();
}

} // namespace stint::ui
