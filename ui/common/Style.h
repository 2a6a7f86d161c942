// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QApplication;
class QWidget;

// The app's look in one place: the Fusion style with a calm light palette, one style sheet, and a few roles that
// widgets opt into with a dynamic property instead of styling themselves:
//   role = "title" | "subtitle" | "muted" | "mono" | "danger"   on labels and buttons; "link" on a button that reads
//          as a link ("Change…")
//   tone = "good" | "warn" | "bad" | "busy" | "neutral"          on StatusChip and Banner
//   card = true                                                  on a QFrame drawn as a card
namespace stint::ui::style {

void apply(QApplication& app);
// Sets a role/tone property and re-polishes the widget so the style sheet applies at once.
void setRole(QWidget* widget, const char* role);
void setTone(QWidget* widget, const char* tone);
void markCard(QWidget* frame);

// Spacing used throughout: the layouts' margins and spacing come from here.
inline constexpr int kGap = 8;
inline constexpr int kMargin = 12;

} // namespace stint::ui::style
