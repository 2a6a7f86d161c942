// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/AdminView.h"

#include "client/Workspace.h"
#include "ui/admin/AlertsPage.h"
#include "ui/admin/ApprovalsPage.h"
#include "ui/admin/AuditPage.h"
#include "ui/admin/GroupsPage.h"
#include "ui/admin/LiveCheckoutsPage.h"
#include "ui/admin/PeoplePage.h"
#include "ui/admin/PoliciesPage.h"
#include "ui/admin/TenantsPage.h"
#include "ui/admin/WebhooksPage.h"
#include "ui/common/Banner.h"
#include "ui/common/EmptyState.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QLoggingCategory>
#include <QPainter>
#include <QShortcut>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcAdminView, "stint.ui.admin.view")

namespace stint::ui {

using client::Workspace;

namespace {

constexpr int kBadgeRole = Qt::UserRole + 20;
constexpr int kPageRole = Qt::UserRole + 21;

// A navigation entry: icon, text, and a count pill at the right when something waits there.
class NavDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        size.setHeight(std::max(size.height(), option.fontMetrics.height() + 16));
        size.setWidth(size.width() + 36);
        return size;
    }

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QStyledItemDelegate::paint(painter, option, index);
        const int count = index.data(kBadgeRole).toInt();
        if (count <= 0)
            return;
        const QString text = count > 99 ? QStringLiteral("99+") : QString::number(count);
        QFont font = option.font;
        font.setBold(true);
        font.setPointSizeF(font.pointSizeF() * 0.85);
        const QFontMetrics metrics(font);
        const int h = metrics.height() + 2;
        const int w = std::max(h, metrics.horizontalAdvance(text) + 12);
        const QRect pill(option.rect.right() - w - 10, option.rect.center().y() - h / 2, w, h);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(index.data(kPageRole).toInt() == int(AdminView::Page::Alerts) ? QColor(0xb4, 0x23, 0x18)
                                                                                        : QColor(0x1d, 0x5f, 0xbf));
        painter->drawRoundedRect(pill, h / 2.0, h / 2.0);
        painter->setPen(Qt::white);
        painter->setFont(font);
        painter->drawText(pill, Qt::AlignCenter, text);
        painter->restore();
    }
};

QIcon glyphIcon(QChar glyph)
{
    QPixmap pixmap(40, 40);
    pixmap.setDevicePixelRatio(2.0);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPixelSize(15);
    p.setFont(font);
    p.setPen(QColor(0x3e, 0x4c, 0x59));
    p.drawText(QRect(0, 0, 20, 20), Qt::AlignCenter, QString(glyph));
    return QIcon(pixmap);
}

} // namespace

struct AdminView::Parts
{
    explicit Parts(UiContext& c)
        : context(c)
    {
    }

    UiContext& context;
    QListWidget* nav = nullptr;
    QStackedWidget* stack = nullptr;
    Banner* banner = nullptr;
    QTimer ticker;
    TenantsPage* tenants = nullptr;
    PeoplePage* people = nullptr;
    GroupsPage* groups = nullptr;
    PoliciesPage* policies = nullptr;
    ApprovalsPage* approvals = nullptr;
    LiveCheckoutsPage* live = nullptr;
    AlertsPage* alerts = nullptr;
    AuditPage* audit = nullptr;
    WebhooksPage* webhooks = nullptr;
    QWidget* notAdmin = nullptr;
    QWidget* body = nullptr;
    int alertCount = -1;
    int approvalCount = -1;
};

AdminView::AdminView(UiContext& context, QWidget* parent)
    : QWidget(parent)
    , d(std::make_unique<Parts>(context))
{
    setObjectName(QStringLiteral("adminView"));
    setAccessibleName(tr("Administration"));
    // A disabled destructive button must look disabled, not red (the app's sheet colours it either way).
    setStyleSheet(QStringLiteral("QPushButton[role=\"danger\"]:disabled { color: #9aa5b1; }"));
    Workspace& ws = context.workspace;

    d->banner = new Banner(this);
    d->banner->setObjectName(QStringLiteral("adminBanner"));
    d->nav = new QListWidget(this);
    d->nav->setObjectName(QStringLiteral("adminNav"));
    d->nav->setAccessibleName(tr("Admin pages"));
    d->nav->setItemDelegate(new NavDelegate(d->nav));
    d->nav->setIconSize(QSize(20, 20));
    d->nav->setFrameShape(QFrame::NoFrame);
    d->nav->setFixedWidth(200);
    d->nav->setStyleSheet(QStringLiteral("QListWidget#adminNav { background: #eef1f5; padding-top: 8px; outline: 0; }"
                                         "QListWidget#adminNav::item { padding: 4px 8px; border-radius: 4px; "
                                         "margin: 1px 6px; color: #1f2933; }"
                                         "QListWidget#adminNav::item:selected { background: #dbe6f7; "
                                         "color: #123a75; }"));
    d->stack = new QStackedWidget(this);

    d->tenants = new TenantsPage(context, d->stack);
    d->people = new PeoplePage(context, d->stack);
    d->groups = new GroupsPage(context, d->stack);
    d->policies = new PoliciesPage(context, d->stack);
    d->approvals = new ApprovalsPage(context, d->stack);
    d->live = new LiveCheckoutsPage(context, d->stack);
    d->alerts = new AlertsPage(context, d->stack);
    d->audit = new AuditPage(context, d->stack);
    d->webhooks = new WebhooksPage(context, d->stack);
    const QList<std::tuple<Page, AdminPage*, QString, QChar>> pages {
        {Page::Tenants, d->tenants, tr("Tenants"), QChar(0x2601)},
        {Page::People, d->people, tr("People"), QChar(0x263A)},
        {Page::Groups, d->groups, tr("Groups"), QChar(0x2637)},
        {Page::Policies, d->policies, tr("Policies"), QChar(0x2696)},
        {Page::Approvals, d->approvals, tr("Approvals"), QChar(0x2611)},
        {Page::LiveCheckouts, d->live, tr("Live checkouts"), QChar(0x25F7)},
        {Page::Alerts, d->alerts, tr("Alerts"), QChar(0x26A0)},
        {Page::Audit, d->audit, tr("Audit log"), QChar(0x2630)},
        {Page::Webhooks, d->webhooks, tr("Webhooks"), QChar(0x21C4)},
    };
    for (const auto& [page, widget, label, glyph] : pages) {
        auto* item = new QListWidgetItem(glyphIcon(glyph), label, d->nav);
        item->setData(kPageRole, int(page));
        item->setData(Qt::AccessibleTextRole, label);
        d->stack->addWidget(widget);
    }

    d->body = new QWidget(this);
    d->body->setObjectName(QStringLiteral("adminBody"));
    auto* bodyLayout = new QHBoxLayout(d->body);
    bodyLayout->setContentsMargins(0, 0, 0, 0);
    bodyLayout->setSpacing(0);
    bodyLayout->addWidget(d->nav);
    bodyLayout->addWidget(d->stack, 1);
    auto* notAdmin = new EmptyState(this);
    notAdmin->setObjectName(QStringLiteral("notAdminState"));
    notAdmin->setContent(tr("For admins only"),
                         tr("These pages manage tenants, people and policies. Ask an admin of your organization if "
                            "you need them."));
    d->notAdmin = notAdmin;

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto* bannerBox = new QVBoxLayout;
    bannerBox->setContentsMargins(style::kMargin, style::kGap, style::kMargin, 0);
    bannerBox->addWidget(d->banner);
    layout->addLayout(bannerBox);
    layout->addWidget(d->body, 1);
    layout->addWidget(d->notAdmin, 1);

    connect(d->nav, &QListWidget::currentRowChanged, d->stack, &QStackedWidget::setCurrentIndex);
    // One Ctrl+F for the view (a shortcut per page would be ambiguous): the shown page's search.
    auto* find = new QShortcut(QKeySequence::Find, this, nullptr, nullptr, Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, [this]() {
        if (auto* page = qobject_cast<AdminPage*>(d->stack->currentWidget()))
            page->focusSearch();
    });
    connect(d->stack, &QStackedWidget::currentChanged, this, [this]() {
        if (auto* page = qobject_cast<AdminPage*>(d->stack->currentWidget()))
            page->tick();
    });
    d->nav->setCurrentRow(0);

    connect(d->alerts, &AlertsPage::openTenant, this, &AdminView::showTenant);
    connect(d->alerts, &AlertsPage::openCheckout, this, [this](const QString& id) {
        showPage(Page::LiveCheckouts);
        d->live->showCheckout(id);
    });
    connect(d->banner, &Banner::actionTriggered, &ws, &Workspace::refresh);

    auto updateAttention = [this]() {
        const int alerts = d->context.workspace.unacknowledgedAlerts();
        const int approvals = d->approvals->waitingForMe();
        auto setBadge = [this](Page page, int count, const QString& what) {
            QListWidgetItem* item = d->nav->item(int(page));
            item->setData(kBadgeRole, count);
            const QString label = item->text();
            item->setData(Qt::AccessibleTextRole, count > 0 ? tr("%1, %2").arg(label, what) : label);
        };
        setBadge(Page::Alerts, alerts, tr("%n new", nullptr, alerts));
        setBadge(Page::Approvals, approvals, tr("%n waiting", nullptr, approvals));
        if (alerts != d->alertCount || approvals != d->approvalCount) {
            d->alertCount = alerts;
            d->approvalCount = approvals;
            emit attentionChanged(alerts, approvals);
        }
    };
    auto updateRole = [this]() {
        const bool admin = d->context.workspace.isAdmin() || !d->context.workspace.me();
        d->body->setVisible(admin);
        d->notAdmin->setVisible(!admin);
    };
    connect(&ws, &Workspace::changed, this, [updateAttention, updateRole](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Alerts || kind == Workspace::Kind::Checkouts || kind == Workspace::Kind::Me)
            updateAttention();
        if (kind == Workspace::Kind::Me)
            updateRole();
    });
    connect(&ws, &Workspace::approvalArrived, this, updateAttention);
    connect(&ws, &Workspace::linkChanged, this, &AdminView::updateLink);
    updateAttention();
    updateRole();
    updateLink();
    // Whoever connects right after construction (the main window) hears the counts too.
    QMetaObject::invokeMethod(
        this, [this]() { emit attentionChanged(d->alertCount, d->approvalCount); }, Qt::QueuedConnection);

    // One clock for the whole view, on the second of the service's time, so every countdown turns together.
    d->ticker.setSingleShot(true);
    d->ticker.setTimerType(Qt::PreciseTimer);
    connect(&d->ticker, &QTimer::timeout, this, &AdminView::tick);
    tick();
}

AdminView::~AdminView() = default;

void AdminView::tick()
{
    const TimeMs now = d->context.workspace.serverNow();
    d->ticker.start(int(1000 - (now % 1000 + 1000) % 1000) + 2);
    if (!isVisible())
        return;
    if (auto* page = qobject_cast<AdminPage*>(d->stack->currentWidget()))
        page->tick();
    if (d->context.workspace.link() == Workspace::Link::Offline)
        updateLink();
}

void AdminView::updateLink()
{
    const Workspace& ws = d->context.workspace;
    const TimeMs now = ws.serverNow();
    switch (ws.link()) {
    case Workspace::Link::Live:
        d->banner->clear();
        break;
    case Workspace::Link::Connecting:
        if (ws.showingCachedState())
            d->banner->showMessage(tr("Showing what Stint last knew%1; connecting to the service…")
                                       .arg(ws.lastSyncedAt() > 0
                                                ? tr(" (%1)").arg(TimeText::relative(ws.lastSyncedAt(), now))
                                                : QString()),
                                   "busy");
        else
            d->banner->clear();
        break;
    case Workspace::Link::Offline: {
        if (!ws.me()) {
            d->banner->clear();
            break;
        }
        QString text = tr("Offline: showing what Stint last knew");
        if (ws.lastSyncedAt() > 0)
            text += tr(" (%1)").arg(TimeText::relative(ws.lastSyncedAt(), now));
        text += QStringLiteral(". ");
        const TimeMs retry = ws.nextRetryAt();
        // nextRetryAt is this machine's time; so is the clock it was set from.
        const qint64 in = retry - d->context.clock.now();
        text += in > 0 ? tr("Trying again in %n s.", nullptr, int((in + 999) / 1000)) : tr("Trying again…");
        d->banner->showMessage(text, "warn", tr("&Retry now"));
        d->banner->setToolTip(ws.linkDetail());
        break;
    }
    }
}

void AdminView::showPage(Page page)
{
    d->nav->setCurrentRow(int(page));
}

void AdminView::showApproval(const QString& checkoutId)
{
    showPage(Page::Approvals);
    d->approvals->showApproval(checkoutId);
}

void AdminView::showTenant(const QString& tenantId)
{
    showPage(Page::Tenants);
    d->tenants->showTenant(tenantId);
}

} // namespace stint::ui
