// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/TechnicianView.h"

#include "client/CredentialKeeper.h"
#include "client/Portals.h"
#include "client/Workspace.h"
#include "ui/common/Banner.h"
#include "ui/common/EmptyState.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/TenantFilterProxy.h"
#include "ui/models/TenantListModel.h"
#include "ui/technician/AccessOptions.h"
#include "ui/technician/CheckoutActions.h"
#include "ui/technician/CheckoutCard.h"
#include "ui/technician/HistoryView.h"
#include "ui/technician/MyAccessPage.h"
#include "ui/technician/RequestAccessDialog.h"
#include "ui/technician/SecondTicker.h"
#include "ui/technician/TenantListDelegate.h"
#include "ui/technician/TenantPanel.h"

#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QLoggingCategory>
#include <QPointer>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcTechnicianView, "stint.ui.technicianview")

namespace stint::ui {

using models::CheckoutState;

namespace {
enum Tab
{
    TenantsTab,
    MyAccessTab,
    HistoryTab,
};

// Up/Down/Enter in the search field act on the list below it, so a technician types, arrows and presses Enter
// without leaving the keyboard's home row.
class SearchKeys : public QObject
{
public:
    SearchKeys(QLineEdit* search, QListView* list, std::function<void()> enter)
        : QObject(search)
        , m_list(list)
        , m_enter(std::move(enter))
    {
        search->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject*, QEvent* event) override
    {
        if (event->type() != QEvent::KeyPress)
            return false;
        const auto* key = static_cast<QKeyEvent*>(event);
        QAbstractItemModel* model = m_list->model();
        if (!model || model->rowCount() == 0)
            return false;
        const int row = m_list->currentIndex().isValid() ? m_list->currentIndex().row() : -1;
        switch (key->key()) {
        case Qt::Key_Down:
            m_list->setCurrentIndex(model->index(std::min(row + 1, model->rowCount() - 1), 0));
            return true;
        case Qt::Key_Up:
            m_list->setCurrentIndex(model->index(std::max(row - 1, 0), 0));
            return true;
        case Qt::Key_Return:
        case Qt::Key_Enter:
            if (row < 0)
                m_list->setCurrentIndex(model->index(0, 0));
            m_enter();
            return true;
        default:
            return false;
        }
    }

private:
    QListView* m_list;
    std::function<void()> m_enter;
};
} // namespace

struct TechnicianView::Parts
{
    explicit Parts(UiContext& context)
        : ctx(context)
    {
    }

    UiContext& ctx;
    Banner* banner = nullptr;
    QTabWidget* tabs = nullptr;
    QLineEdit* search = nullptr;
    QListView* tenantList = nullptr;
    TenantListModel* tenants = nullptr;
    TenantFilterProxy* filter = nullptr;
    QLabel* tenantCount = nullptr;
    QStackedWidget* listStack = nullptr;
    EmptyState* listEmpty = nullptr;
    TenantPanel* panel = nullptr;
    MyAccessPage* myAccess = nullptr;
    HistoryView* history = nullptr;
    CheckoutActions* actions = nullptr;
    SecondTicker* ticker = nullptr;
    QPointer<RequestAccessDialog> requestDialog;
    QString selectedTenantId;
    bool sessionUsable = true;
};

TechnicianView::TechnicianView(UiContext& context, QWidget* parent)
    : QWidget(parent)
    , d(std::make_unique<Parts>(context))
{
    setObjectName(QStringLiteral("technicianView"));
    client::Workspace& ws = context.workspace;
    d->actions = new CheckoutActions(context, this, this);
    d->ticker = new SecondTicker([&ws]() { return ws.serverNow(); }, this);

    d->banner = new Banner(this);
    d->banner->setObjectName(QStringLiteral("technicianBanner"));

    // --- tenants: search and list on the left, the selected tenant on the right ---
    auto* left = new QWidget(this);
    left->setObjectName(QStringLiteral("tenantSide"));
    d->search = new QLineEdit(left);
    d->search->setObjectName(QStringLiteral("tenantSearch"));
    d->search->setPlaceholderText(tr("Search tenants, domains, roles (Ctrl+K)"));
    d->search->setClearButtonEnabled(true);
    d->search->setAccessibleName(tr("Search tenants"));
    d->search->setAccessibleDescription(tr("Filters the tenant list as you type. Down moves into the list, Enter "
                                           "chooses the tenant."));
    d->tenants = new TenantListModel(ws, this);
    d->filter = new TenantFilterProxy(this);
    d->filter->setSourceModel(d->tenants);
    d->tenantList = new QListView(left);
    d->tenantList->setObjectName(QStringLiteral("tenantList"));
    d->tenantList->setAccessibleName(tr("Tenants you may access"));
    d->tenantList->setModel(d->filter);
    d->tenantList->setItemDelegate(new TenantListDelegate(d->tenantList));
    d->tenantList->setUniformItemSizes(true); // thousands of rows: no per-row measuring
    d->tenantList->setSelectionMode(QAbstractItemView::SingleSelection);
    d->tenantList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    d->tenantList->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    d->listEmpty = new EmptyState(left);
    d->listEmpty->setObjectName(QStringLiteral("tenantListEmpty"));
    d->listStack = new QStackedWidget(left);
    d->listStack->addWidget(d->tenantList);
    d->listStack->addWidget(d->listEmpty);
    d->tenantCount = new QLabel(left);
    d->tenantCount->setObjectName(QStringLiteral("tenantCount"));
    style::setRole(d->tenantCount, "muted");

    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(style::kMargin, style::kMargin, 0, style::kMargin);
    leftLayout->setSpacing(style::kGap);
    leftLayout->addWidget(d->search);
    leftLayout->addWidget(d->listStack, 1);
    leftLayout->addWidget(d->tenantCount);

    d->panel = new TenantPanel(context, *d->actions, *d->ticker, this);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->setObjectName(QStringLiteral("tenantSplitter"));
    split->setChildrenCollapsible(false);
    split->addWidget(left);
    split->addWidget(d->panel);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({340, 660});
    left->setMinimumWidth(260);

    d->myAccess = new MyAccessPage(context, *d->actions, *d->ticker, this);
    d->history = new HistoryView(context, this);

    d->tabs = new QTabWidget(this);
    d->tabs->setObjectName(QStringLiteral("technicianTabs"));
    d->tabs->setDocumentMode(true);
    d->tabs->addTab(split, tr("&Tenants"));
    d->tabs->addTab(d->myAccess, tr("&My access"));
    d->tabs->addTab(d->history, tr("&History"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto* bannerRow = new QVBoxLayout;
    bannerRow->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, 0);
    bannerRow->addWidget(d->banner);
    layout->addLayout(bannerRow);
    layout->addWidget(d->tabs, 1);

    setTabOrder(d->search, d->tenantList);

    // --- behaviour ---
    const auto updateCount = [this]() {
        const int all = d->tenants->rowCount();
        const int shown = d->filter->rowCount();
        const QLocale locale;
        if (d->filter->query().trimmed().isEmpty())
            d->tenantCount->setText(tr("%n tenant(s)", nullptr, all));
        else
            d->tenantCount->setText(tr("%1 of %2 tenants match").arg(locale.toString(shown), locale.toString(all)));
        if (all == 0) {
            d->listEmpty->setContent(tr("No tenants for you yet"),
                                     tr("No access policy grants you roles in a customer tenant. Ask an administrator "
                                        "to add you to one."));
            d->listStack->setCurrentWidget(d->listEmpty);
        } else if (shown == 0) {
            d->listEmpty->setContent(tr("No tenant matches"),
                                     tr("Nothing matches \"%1\". Search by tenant name, domain, tenant id or role.")
                                         .arg(d->filter->query().trimmed()),
                                     tr("Clear search"));
            d->listStack->setCurrentWidget(d->listEmpty);
        } else {
            d->listStack->setCurrentWidget(d->tenantList);
        }
    };
    connect(d->listEmpty, &EmptyState::actionTriggered, this, [this]() {
        d->search->clear();
        d->search->setFocus();
    });
    connect(d->search, &QLineEdit::textChanged, this, [this, updateCount](const QString& text) {
        d->filter->setQuery(text);
        updateCount();
        // Keep the chosen tenant highlighted when it is still in the list.
        const int row = d->tenants->rowOf(d->selectedTenantId);
        if (row >= 0) {
            const QModelIndex index = d->filter->mapFromSource(d->tenants->index(row));
            if (index.isValid())
                d->tenantList->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
        }
    });
    connect(d->filter, &QAbstractItemModel::modelReset, this, updateCount);
    connect(d->filter, &QAbstractItemModel::rowsInserted, this, updateCount);
    connect(d->filter, &QAbstractItemModel::rowsRemoved, this, updateCount);
    connect(d->tenantList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (!current.isValid())
                    return;
                d->selectedTenantId = current.data(TenantListModel::TenantIdRole).toString();
                d->panel->setTenant(d->selectedTenantId);
            });
    // A reset (tenants came or went) loses the current index: find the chosen tenant again.
    connect(d->filter, &QAbstractItemModel::modelReset, this, [this]() {
        const int row = d->tenants->rowOf(d->selectedTenantId);
        if (row < 0)
            return;
        const QModelIndex index = d->filter->mapFromSource(d->tenants->index(row));
        if (index.isValid()) {
            const QSignalBlocker block(d->tenantList->selectionModel());
            d->tenantList->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
        }
        d->panel->setTenant(d->selectedTenantId);
    });
    const auto enterOnTenant = [this]() {
        if (d->panel->canRequest())
            requestAccess();
        else if (CheckoutCard* card = d->panel->card())
            card->highlight();
    };
    connect(d->tenantList, &QListView::activated, this, enterOnTenant);
    new SearchKeys(d->search, d->tenantList, enterOnTenant);

    connect(d->panel, &TenantPanel::requestClicked, this, &TechnicianView::requestAccess);
    connect(d->myAccess, &MyAccessPage::countChanged, this, [this](int n) {
        d->tabs->setTabText(MyAccessTab, n > 0 ? tr("&My access (%1)").arg(n) : tr("&My access"));
    });
    connect(d->myAccess, &MyAccessPage::requestHint, this, &TechnicianView::focusTenantSearch);
    connect(d->history, &HistoryView::checkoutActivated, this, &TechnicianView::showCheckout);

    const auto updateBanner = [this]() {
        client::Workspace& ws = d->ctx.workspace;
        if (!d->sessionUsable) {
            d->banner->showMessage(tr("Your session has ended. Sign in again to continue; until then this is what "
                                      "Stint last knew."),
                                   "bad");
        } else if (ws.link() == client::Workspace::Link::Offline) {
            const qint64 wait = ws.nextRetryAt() > 0 ? ws.nextRetryAt() - d->ctx.clock.now() : 0;
            const QString retry
                = wait > 1000 ? tr(" Retrying in %n s.", nullptr, int((wait + 999) / 1000)) : tr(" Retrying…");
            d->banner->showMessage(tr("Offline: showing what Stint last knew. Countdowns run on from the last known "
                                      "end times; states may be out of date.")
                                       + retry,
                                   "warn", tr("Retry &now"));
        } else if (ws.showingCachedState()) {
            d->banner->showMessage(tr("Connecting to the Stint service… showing what Stint last knew."), "busy");
        } else {
            d->banner->clear();
        }
    };
    connect(d->banner, &Banner::actionTriggered, this, [this]() { d->ctx.workspace.refresh(); });
    connect(&ws, &client::Workspace::linkChanged, this, [this, updateBanner]() {
        if (d->ctx.workspace.link() == client::Workspace::Link::Live && !d->sessionUsable) {
            d->sessionUsable = true; // signed in again
            d->panel->setSessionUsable(true);
            d->myAccess->setSessionUsable(true);
        }
        updateBanner();
    });
    connect(&ws, &client::Workspace::sessionEnded, this, [this, updateBanner](const Error&) {
        d->sessionUsable = false;
        // A credential must not outlive the session it was fetched in.
        d->ctx.credentials.forgetAll();
        d->panel->setSessionUsable(false);
        d->myAccess->setSessionUsable(false);
        updateBanner();
    });
    connect(d->ticker, &SecondTicker::tick, this, [this, updateBanner](TimeMs) {
        if (d->ctx.workspace.link() == client::Workspace::Link::Offline)
            updateBanner();
    });

    updateCount();
    updateBanner();
    d->ticker->start();
}

TechnicianView::~TechnicianView() = default;

void TechnicianView::focusTenantSearch()
{
    d->tabs->setCurrentIndex(TenantsTab);
    d->search->setFocus(Qt::ShortcutFocusReason);
    d->search->selectAll();
}

void TechnicianView::requestAccess()
{
    if (d->tabs->currentIndex() != TenantsTab)
        d->tabs->setCurrentIndex(TenantsTab);
    const models::Tenant* tenant = d->ctx.workspace.tenant(d->selectedTenantId);
    if (!tenant) {
        // Nothing chosen: one match is as good as a choice; otherwise help choose.
        if (d->filter->rowCount() == 1) {
            d->tenantList->setCurrentIndex(d->filter->index(0, 0));
            tenant = d->ctx.workspace.tenant(d->selectedTenantId);
        }
        if (!tenant) {
            focusTenantSearch();
            return;
        }
    }
    if (d->requestDialog) {
        if (d->requestDialog->tenantId() == tenant->id) {
            d->requestDialog->raise();
            d->requestDialog->activateWindow();
            return;
        }
        d->requestDialog->close();
    }
    if (!d->panel->canRequest()) {
        if (CheckoutCard* card = d->panel->card())
            card->highlight();
        return;
    }
    auto* dialog = new RequestAccessDialog(d->ctx, *tenant, this);
    connect(dialog, &RequestAccessDialog::requested, this, [this](const models::Checkout& c) { showCheckout(c.id); });
    d->requestDialog = dialog;
    dialog->open();
}

void TechnicianView::launchPortal()
{
    client::Workspace& ws = d->ctx.workspace;
    // The selected tenant's ready checkout; else the only ready one anywhere.
    QString id;
    if (CheckoutCard* card = d->panel->card();
        card && card->checkout().state == CheckoutState::Ready && d->tabs->currentIndex() == TenantsTab)
        id = card->checkoutId();
    if (id.isEmpty()) {
        QStringList ready;
        for (const models::Checkout& c : ws.myLiveCheckouts()) {
            if (c.state == CheckoutState::Ready)
                ready << c.id;
        }
        if (ready.size() == 1) {
            id = ready.first();
        } else if (ready.size() > 1) {
            // Several: let the technician pick from their cards.
            d->tabs->setCurrentIndex(MyAccessTab);
            return;
        }
    }
    if (id.isEmpty()) {
        d->banner->showMessage(tr("Nothing to launch: none of your access is ready. Request access first (Ctrl+R)."),
                               "warn");
        return;
    }
    d->actions->launch(id, client::portals::kDefault);
}

void TechnicianView::showCheckout(const QString& checkoutId)
{
    const models::Checkout* c = d->ctx.workspace.checkout(checkoutId);
    if (!c)
        return;
    const QString tenantId = c->tenantId;
    d->tabs->setCurrentIndex(TenantsTab);
    int row = d->tenants->rowOf(tenantId);
    if (row >= 0) {
        QModelIndex index = d->filter->mapFromSource(d->tenants->index(row));
        if (!index.isValid()) {
            d->search->clear(); // filtered out: show everything again
            index = d->filter->mapFromSource(d->tenants->index(row));
        }
        d->tenantList->setCurrentIndex(index);
        d->tenantList->scrollTo(index);
    }
    d->selectedTenantId = tenantId;
    d->panel->setTenant(tenantId);
    d->panel->refresh();
    if (CheckoutCard* card = d->panel->card(); card && card->checkoutId() == checkoutId)
        card->highlight();
}

void TechnicianView::extendCheckout(const QString& checkoutId)
{
    const models::Checkout* c = d->ctx.workspace.checkout(checkoutId);
    if (!c)
        return;
    showCheckout(checkoutId);
    const models::Tenant* tenant = d->ctx.workspace.tenant(c->tenantId);
    const std::optional<int> allowance = tenant ? access::extendAllowance(*tenant, *c) : std::nullopt;
    d->actions->extend(checkoutId, access::oneClickExtendMinutes(allowance));
}

void TechnicianView::endCheckout(const QString& checkoutId)
{
    if (!d->ctx.workspace.checkout(checkoutId))
        return;
    showCheckout(checkoutId);
    d->actions->confirmEnd(checkoutId);
}

} // namespace stint::ui
