// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/AdminPage.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/common/Style.h"
#include "ui/models/RowSearchProxy.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace stint::ui {

AdminPage::AdminPage(UiContext& context, const QString& title, const QString& explanation, QWidget* parent)
    : QWidget(parent)
    , m_context(context)
    , m_toolbar(new QHBoxLayout)
    , m_content(new QVBoxLayout)
    , m_status(new ActionStatus(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* heading = new QLabel(title, this);
    heading->setObjectName(QStringLiteral("pageTitle"));
    style::setRole(heading, "title");
    auto* line = new QLabel(explanation, this);
    line->setObjectName(QStringLiteral("pageExplanation"));
    line->setWordWrap(true);
    style::setRole(line, "muted");
    layout->addWidget(heading);
    layout->addWidget(line);
    layout->addSpacing(style::kGap / 2);
    m_toolbar->setSpacing(style::kGap);
    layout->addLayout(m_toolbar);
    m_status->setObjectName(QStringLiteral("pageStatus"));
    layout->addWidget(m_status);
    m_content->setSpacing(style::kGap);
    layout->addLayout(m_content, 1);
    setAccessibleName(title);
    setAccessibleDescription(explanation);
}

client::Workspace& AdminPage::workspace() const
{
    return m_context.workspace;
}

QPushButton* AdminPage::addToolbarButton(const QString& text, const QString& objectName, const char* role)
{
    auto* button = new QPushButton(text, this);
    button->setObjectName(objectName);
    if (role)
        style::setRole(button, role);
    // Before the stretch and the search field, in the order added (which is the tab order).
    int at = 0;
    while (at < m_toolbar->count() && m_toolbar->itemAt(at)->widget())
        ++at;
    m_toolbar->insertWidget(at, button);
    return button;
}

QLineEdit* AdminPage::addSearchField(RowSearchProxy* proxy, const QString& placeholder, const QString& objectName)
{
    auto* field = new QLineEdit(this);
    field->setObjectName(objectName);
    field->setPlaceholderText(placeholder);
    field->setClearButtonEnabled(true);
    field->setAccessibleName(tr("Search"));
    field->setAccessibleDescription(placeholder);
    field->setMinimumWidth(220);
    field->setMaximumWidth(320);
    m_toolbar->addStretch(1);
    m_toolbar->addWidget(field);
    connect(field, &QLineEdit::textChanged, proxy, &RowSearchProxy::setSearchText);
    m_search = field;
    return field;
}

void AdminPage::focusSearch()
{
    if (m_search) {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    }
}

QTableView* AdminPage::makeTable(QAbstractItemModel* model, const QString& objectName, const QString& accessibleName)
{
    auto* table = new QTableView(this);
    table->setObjectName(objectName);
    table->setAccessibleName(accessibleName);
    table->setModel(model);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSortingEnabled(true);
    table->setAlternatingRowColors(true);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->setTabKeyNavigation(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 12);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table->horizontalHeader()->setMinimumSectionSize(60);
    table->horizontalHeader()->setDefaultSectionSize(110);
    table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    return table;
}

void AdminPage::fitColumns(QTableView* table, int stretch, const QList<int>& widths)
{
    QHeaderView* header = table->horizontalHeader();
    header->setStretchLastSection(false);
    for (int column = 0; column < widths.size(); ++column) {
        if (column == stretch)
            header->setSectionResizeMode(column, QHeaderView::Stretch);
        else if (widths.at(column) > 0)
            header->resizeSection(column, widths.at(column));
    }
}

QFrame* AdminPage::makeDetailsCard(const QString& objectName)
{
    auto* card = new QFrame(this);
    card->setObjectName(objectName);
    style::markCard(card);
    card->setMinimumWidth(300);
    return card;
}

QWidget* AdminPage::sideBySide(QWidget* main, QWidget* details)
{
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("pageSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(main);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    return splitter;
}

QLabel* AdminPage::makeValueLabel(const QString& objectName, QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setTextFormat(Qt::PlainText);
    return label;
}

} // namespace stint::ui
