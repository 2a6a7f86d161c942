// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/Style.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QWidget>

namespace stint::ui::style {

namespace {
// Colours: a neutral grey scale, one accent (Stint blue) and the three status colours, all with enough contrast for
// text on white (WCAG AA at 14 px).
constexpr auto kSheet = R"(
QWidget { font-size: 10pt; }
QLabel[role="title"] { font-size: 15pt; font-weight: 600; color: #1f2933; }
QLabel[role="subtitle"] { font-size: 11pt; font-weight: 600; color: #323f4b; }
QLabel[role="muted"] { color: #616e7c; }
QLabel[role="mono"] { font-family: "DejaVu Sans Mono", monospace; }
QLabel[role="danger"] { color: #b42318; }
QPushButton[role="danger"] { color: #b42318; }
QPushButton[role="link"] { border: none; background: transparent; color: #1d5fbf; text-decoration: underline;
                           padding: 0 2px; }
QPushButton[role="link"]:disabled { color: #7b8794; }
QPushButton[role="primary"] { background: #1d5fbf; color: white; border: 1px solid #174c99; border-radius: 4px;
                              padding: 5px 14px; }
QPushButton[role="primary"]:hover { background: #174c99; }
QPushButton[role="primary"]:disabled { background: #9fb7de; border-color: #9fb7de; }
QFrame[card="true"] { background: white; border: 1px solid #d9dee4; border-radius: 6px; }
QLabel[tone] { border-radius: 9px; padding: 1px 8px; font-size: 9pt; font-weight: 600; }
QLabel[tone="good"] { background: #e3f4e8; color: #1b6b36; }
QLabel[tone="warn"] { background: #fdf1d8; color: #8a5300; }
QLabel[tone="bad"] { background: #fde7e6; color: #a4221a; }
QLabel[tone="busy"] { background: #e4edfb; color: #1d4f9c; }
QLabel[tone="neutral"] { background: #eceff2; color: #3e4c59; }
QFrame[banner="true"] { border-radius: 4px; }
QFrame[banner="true"][tone="warn"] { background: #fdf1d8; border: 1px solid #f0c36d; }
QFrame[banner="true"][tone="bad"] { background: #fde7e6; border: 1px solid #f2a29c; }
QFrame[banner="true"][tone="busy"] { background: #e4edfb; border: 1px solid #a9c3ee; }
QFrame[banner="true"][tone="good"] { background: #e3f4e8; border: 1px solid #9fd3ad; }
QListView::item, QTreeView::item, QTableView::item { padding: 3px; }
)";
} // namespace

void apply(QApplication& app)
{
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p = app.palette();
    p.setColor(QPalette::Window, QColor(0xf5, 0xf7, 0xfa));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf7, 0xf9, 0xfb));
    p.setColor(QPalette::Text, QColor(0x1f, 0x29, 0x33));
    p.setColor(QPalette::WindowText, QColor(0x1f, 0x29, 0x33));
    p.setColor(QPalette::Button, QColor(0xfb, 0xfc, 0xfd));
    p.setColor(QPalette::Highlight, QColor(0x1d, 0x5f, 0xbf));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x1d, 0x5f, 0xbf));
    p.setColor(QPalette::PlaceholderText, QColor(0x7b, 0x87, 0x94));
    app.setPalette(p);
    app.setStyleSheet(QString::fromLatin1(kSheet));
}

namespace {
void repolish(QWidget* widget)
{
    widget->style()->unpolish(widget);
    widget->style()->polish(widget);
    widget->update();
}
} // namespace

void setRole(QWidget* widget, const char* role)
{
    widget->setProperty("role", QString::fromLatin1(role));
    repolish(widget);
}

void setTone(QWidget* widget, const char* tone)
{
    widget->setProperty("tone", QString::fromLatin1(tone));
    repolish(widget);
}

void markCard(QWidget* frame)
{
    frame->setProperty("card", true);
    repolish(frame);
}

} // namespace stint::ui::style
