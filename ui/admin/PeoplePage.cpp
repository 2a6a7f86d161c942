// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/PeoplePage.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/InviteDialog.h"
#include "ui/admin/SelectionKeeper.h"
#include "ui/common/ErrorText.h"
#include "ui/common/StatusChip.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/models/InvitesModel.h"
#include "ui/models/PeopleModel.h"
#include "ui/models/RowSearchProxy.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace stint::ui {

using client::Workspace;

PeoplePage::PeoplePage(UiContext& context, QWidget* parent)
    : AdminPage(context, tr("People"),
                tr("Everyone who signs in to Stint: technicians ask for access, admins manage and approve. New people "
                   "join by invite."),
                parent)
    , m_people(new PeopleModel(context.workspace, this))
    , m_invites(new InvitesModel(context.workspace, this))
    , m_peopleProxy(new RowSearchProxy(this))
    , m_invitesProxy(new RowSearchProxy(this))
{
    setObjectName(QStringLiteral("peoplePage"));
    auto* inviteButton = addToolbarButton(tr("&Invite person…"), QStringLiteral("inviteButton"), "primary");
    connect(inviteButton, &QPushButton::clicked, this, &PeoplePage::invite);
    m_peopleProxy->setSourceModel(m_people);
    m_invitesProxy->setSourceModel(m_invites);
    auto* search = addSearchField(m_peopleProxy, tr("Search people and invites"), QStringLiteral("peopleSearch"));
    connect(search, &QLineEdit::textChanged, m_invitesProxy, &RowSearchProxy::setSearchText);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("peopleTabs"));
    m_tabs->setAccessibleName(tr("People and invites"));
    content()->addWidget(m_tabs, 1);

    // --- people ---
    m_peopleTable = makeTable(m_peopleProxy, QStringLiteral("peopleTable"), tr("People"));
    m_peopleTable->sortByColumn(PeopleModel::Name, Qt::AscendingOrder);
    fitColumns(m_peopleTable, PeopleModel::Email, {150, 0, 90, 90, 120});
    m_personSelection = new SelectionKeeper(m_peopleTable);

    auto* card = makeDetailsCard(QStringLiteral("personDetails"));
    auto* cardLayout = new QVBoxLayout(card);
    cardLayout->setContentsMargins(0, 0, 0, 0);
    m_detailsStack = new QStackedWidget(card);
    cardLayout->addWidget(m_detailsStack);
    auto* none = new QLabel(tr("Choose a person to see their role, sessions and passkeys."), card);
    none->setAlignment(Qt::AlignCenter);
    none->setWordWrap(true);
    style::setRole(none, "muted");
    m_detailsStack->addWidget(none);
    auto* details = new QWidget(card);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* head = new QHBoxLayout;
    m_name = makeValueLabel(QStringLiteral("personName"), details);
    style::setRole(m_name, "subtitle");
    m_chip = new StatusChip(details);
    m_chip->setObjectName(QStringLiteral("personStatusChip"));
    head->addWidget(m_name, 1);
    head->addWidget(m_chip, 0, Qt::AlignTop);
    layout->addLayout(head);
    m_facts = makeValueLabel(QStringLiteral("personFacts"), details);
    layout->addWidget(m_facts);
    auto* actions = new QHBoxLayout;
    m_role = new QPushButton(details);
    m_role->setObjectName(QStringLiteral("roleButton"));
    m_disable = new QPushButton(details);
    m_disable->setObjectName(QStringLiteral("disableButton"));
    m_sessions = new QPushButton(tr("&End sessions…"), details);
    m_sessions->setObjectName(QStringLiteral("endSessionsButton"));
    m_sessions->setToolTip(tr("Sign this person out everywhere, now"));
    actions->addWidget(m_role);
    actions->addWidget(m_disable);
    actions->addWidget(m_sessions);
    actions->addStretch(1);
    layout->addLayout(actions);
    m_actionStatus = new ActionStatus(details);
    m_actionStatus->setObjectName(QStringLiteral("personActionStatus"));
    layout->addWidget(m_actionStatus);
    auto* passkeysTitle = new QLabel(tr("Passkeys"), details);
    style::setRole(passkeysTitle, "subtitle");
    layout->addSpacing(style::kGap);
    layout->addWidget(passkeysTitle);
    m_passkeys = new QListWidget(details);
    m_passkeys->setObjectName(QStringLiteral("passkeysList"));
    m_passkeys->setAccessibleName(tr("Passkeys"));
    m_passkeys->setMinimumHeight(90);
    layout->addWidget(m_passkeys, 1);
    m_passkeysNote = makeValueLabel(QStringLiteral("passkeysNote"), details);
    style::setRole(m_passkeysNote, "muted");
    layout->addWidget(m_passkeysNote);
    m_removePasskey = new QPushButton(tr("Re&move passkey…"), details);
    m_removePasskey->setObjectName(QStringLiteral("removePasskeyButton"));
    style::setRole(m_removePasskey, "danger");
    auto* passkeyActions = new QHBoxLayout;
    passkeyActions->addWidget(m_removePasskey);
    passkeyActions->addStretch(1);
    layout->addLayout(passkeyActions);
    m_detailsStack->addWidget(details);

    auto* peopleTab = new QWidget(m_tabs);
    auto* peopleLayout = new QVBoxLayout(peopleTab);
    peopleLayout->setContentsMargins(0, style::kGap, 0, 0);
    peopleLayout->addWidget(sideBySide(m_peopleTable, card));
    m_tabs->addTab(peopleTab, tr("Pe&ople"));

    // --- invites ---
    auto* invitesTab = new QWidget(m_tabs);
    auto* invitesLayout = new QVBoxLayout(invitesTab);
    invitesLayout->setContentsMargins(0, style::kGap, 0, 0);
    m_invitesTable = makeTable(m_invitesProxy, QStringLiteral("invitesTable"), tr("Invites"));
    fitColumns(m_invitesTable, InvitesModel::Email, {0, 160, 100, 100, 160});
    m_inviteSelection = new SelectionKeeper(m_invitesTable);
    invitesLayout->addWidget(m_invitesTable, 1);
    auto* inviteActions = new QHBoxLayout;
    m_revokeInvite = new QPushButton(tr("Re&voke invite…"), invitesTab);
    m_revokeInvite->setObjectName(QStringLiteral("revokeInviteButton"));
    style::setRole(m_revokeInvite, "danger");
    inviteActions->addWidget(m_revokeInvite);
    inviteActions->addStretch(1);
    invitesLayout->addLayout(inviteActions);
    m_tabs->addTab(invitesTab, tr("In&vites"));

    connect(m_personSelection, &SelectionKeeper::currentChanged, this, [this]() {
        m_actionStatus->clear();
        showDetails();
    });
    connect(m_personSelection, &SelectionKeeper::currentUpdated, this, &PeoplePage::showDetails);
    connect(m_inviteSelection, &SelectionKeeper::currentChanged, this, &PeoplePage::updateInviteButtons);
    connect(m_inviteSelection, &SelectionKeeper::currentUpdated, this, &PeoplePage::updateInviteButtons);
    connect(m_role, &QPushButton::clicked, this, &PeoplePage::changeRole);
    connect(m_disable, &QPushButton::clicked, this, &PeoplePage::toggleDisabled);
    connect(m_sessions, &QPushButton::clicked, this, &PeoplePage::endSessions);
    connect(m_removePasskey, &QPushButton::clicked, this, &PeoplePage::removePasskey);
    connect(m_passkeys, &QListWidget::currentRowChanged, this,
            [this](int row) { m_removePasskey->setEnabled(row >= 0 && m_passkeyList.size() > 1); });
    connect(m_revokeInvite, &QPushButton::clicked, this, &PeoplePage::revokeInvite);
    showDetails();
    updateInviteButtons();
}

QString PeoplePage::currentPersonId() const
{
    return m_personSelection->currentId();
}

void PeoplePage::showPerson(const QString& personId)
{
    m_tabs->setCurrentIndex(0);
    m_personSelection->select(personId);
}

void PeoplePage::showDetails()
{
    const QString id = currentPersonId();
    const models::Person* p = id.isEmpty() ? nullptr : workspace().person(id);
    if (!p) {
        m_detailsStack->setCurrentIndex(0);
        m_passkeysOf.clear();
        return;
    }
    m_detailsStack->setCurrentIndex(1);
    const bool disabled = p->status == QLatin1String("disabled");
    const bool isMe = workspace().me() && workspace().me()->person.id == p->id;
    m_name->setText(p->displayName.isEmpty() ? p->email : p->displayName);
    m_chip->show(PeopleModel::statusText(p->status), disabled ? "bad" : "good");
    QStringList facts;
    facts << p->email;
    facts
        << tr("%1 since %2").arg(PeopleModel::roleText(p->role), TimeText::when(p->createdAt, workspace().serverNow()));
    const QString groups = m_people->data(m_people->indexOfId(p->id, PeopleModel::Groups), Qt::DisplayRole).toString();
    facts << (groups.isEmpty() ? tr("In no group.") : tr("Groups: %1").arg(groups));
    if (isMe)
        facts << tr("This is you.");
    m_facts->setText(facts.join(QLatin1Char('\n')));
    const bool admin = p->role == QLatin1String("admin");
    m_role->setText(admin ? tr("Make &technician…") : tr("Make &admin…"));
    m_disable->setText(disabled ? tr("E&nable") : tr("&Disable…"));
    style::setRole(m_disable, disabled ? "" : "danger");
    // One cannot lock oneself out from here (the service refuses the last admin too).
    m_role->setEnabled(!isMe);
    m_disable->setEnabled(!isMe);
    m_sessions->setEnabled(!disabled);
    if (m_passkeysOf != id)
        loadPasskeys(id);
}

void PeoplePage::loadPasskeys(const QString& personId)
{
    m_passkeysOf = personId;
    m_passkeyList.clear();
    m_passkeys->clear();
    m_removePasskey->setEnabled(false);
    m_passkeysNote->setText(tr("Reading passkeys…"));
    workspace().api().personCredentials(personId).then(
        this, [this, personId](const Result<QList<models::SignInCredential>>& r) {
            if (personId != m_passkeysOf)
                return;
            if (!r.ok()) {
                m_passkeysNote->setText(ErrorText::describe(r.error()));
                return;
            }
            m_passkeyList = r.value();
            const TimeMs now = workspace().serverNow();
            for (const models::SignInCredential& c : m_passkeyList) {
                QString text = c.name.isEmpty() ? tr("Passkey") : c.name;
                text += QStringLiteral(" · ") + tr("added %1").arg(TimeText::when(c.createdAt, now));
                if (c.lastUsedAt)
                    text += QStringLiteral(" · ") + tr("used %1").arg(TimeText::relative(*c.lastUsedAt, now));
                if (c.backupEligible)
                    text += QStringLiteral(" · ") + tr("synced");
                auto* item = new QListWidgetItem(text, m_passkeys);
                item->setData(Qt::UserRole, c.id);
                if (c.flagged) {
                    item->setText(text + QStringLiteral(" · ") + tr("possibly copied: its counter went backwards"));
                    item->setForeground(QColor(0xa4, 0x22, 0x1a));
                }
            }
            m_passkeysNote->setText(m_passkeyList.size() == 1 ? tr(
                                        "The only passkey: it cannot be removed (invite the person again instead).")
                                        : m_passkeyList.isEmpty() ? tr("No passkeys.")
                                                                  : QString());
            m_passkeysNote->setVisible(!m_passkeysNote->text().isEmpty());
        });
}

void PeoplePage::patchPerson(const QString& personId, const QJsonObject& patch, const QString& busy,
                             const QString& done, ConfirmDialog* dialog)
{
    if (dialog)
        dialog->busy(busy);
    else
        m_actionStatus->busy(busy);
    workspace()
        .track(workspace().api().updatePerson(personId, patch))
        .then(this, [this, dialog, done](const Result<models::Person>& r) {
            if (!r.ok()) {
                if (dialog)
                    dialog->failed(r.error());
                else
                    m_actionStatus->failed(r.error());
                return;
            }
            if (dialog)
                dialog->finish();
            m_actionStatus->succeeded(done);
        });
}

void PeoplePage::changeRole()
{
    const models::Person* p = workspace().person(currentPersonId());
    if (!p)
        return;
    const QString id = p->id;
    const QString name = p->displayName.isEmpty() ? p->email : p->displayName;
    const bool toAdmin = p->role != QLatin1String("admin");
    auto* dialog = new ConfirmDialog(
        this, toAdmin ? tr("Make %1 an admin?").arg(name) : tr("Make %1 a technician?").arg(name),
        toAdmin
            ? tr("%1 will manage tenants, people and access policies, approve requests and revoke access.").arg(name)
            : tr("%1 will no longer manage Stint or approve requests; they can still ask for access as their "
                 "policies allow.")
                  .arg(name),
        toAdmin ? tr("Make admin") : tr("Make technician"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id, name, toAdmin]() {
        patchPerson(id, {{QStringLiteral("role"), toAdmin ? QStringLiteral("admin") : QStringLiteral("technician")}},
                    tr("Changing the role…"),
                    toAdmin ? tr("%1 is now an admin.").arg(name) : tr("%1 is now a technician.").arg(name), dialog);
    });
    dialog->open();
}

void PeoplePage::toggleDisabled()
{
    const models::Person* p = workspace().person(currentPersonId());
    if (!p)
        return;
    const QString id = p->id;
    const QString name = p->displayName.isEmpty() ? p->email : p->displayName;
    if (p->status == QLatin1String("disabled")) {
        patchPerson(id, {{QStringLiteral("status"), QStringLiteral("active")}}, tr("Enabling %1…").arg(name),
                    tr("%1 can sign in again.").arg(name), nullptr);
        return;
    }
    int live = 0;
    for (const models::Checkout& c : workspace().liveCheckouts())
        live += c.technicianId == id ? 1 : 0;
    QString consequence = tr("%1 can no longer sign in, and is signed out everywhere now.").arg(name);
    if (live > 0)
        consequence += QLatin1Char(' ')
            + tr("Their %n live checkout(s) keep running until they end: revoke them on Live checkouts to end them "
                 "now.",
                 nullptr, live);
    auto* dialog = new ConfirmDialog(this, tr("Disable %1?").arg(name), consequence, tr("Disable"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id, name]() {
        patchPerson(id, {{QStringLiteral("status"), QStringLiteral("disabled")}}, tr("Disabling %1…").arg(name),
                    tr("%1 is disabled.").arg(name), dialog);
    });
    dialog->open();
}

void PeoplePage::endSessions()
{
    const models::Person* p = workspace().person(currentPersonId());
    if (!p)
        return;
    const QString id = p->id;
    const QString name = p->displayName.isEmpty() ? p->email : p->displayName;
    auto* dialog = new ConfirmDialog(this, tr("Sign %1 out everywhere?").arg(name),
                                     tr("Every session of %1 ends now, on every computer. They can sign in again "
                                        "with a passkey.")
                                         .arg(name),
                                     tr("End sessions"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, id, name]() {
        dialog->busy(tr("Ending sessions…"));
        workspace().api().revokePersonSessions(id).then(dialog, [this, dialog, name](const Result<void>& r) {
            if (!r.ok()) {
                dialog->failed(r.error());
                return;
            }
            dialog->finish();
            m_actionStatus->succeeded(tr("%1 is signed out everywhere.").arg(name));
        });
    });
    dialog->open();
}

void PeoplePage::removePasskey()
{
    const models::Person* p = workspace().person(currentPersonId());
    const int row = m_passkeys->currentRow();
    if (!p || row < 0 || row >= m_passkeyList.size())
        return;
    const QString personId = p->id;
    const QString name = p->displayName.isEmpty() ? p->email : p->displayName;
    const models::SignInCredential passkey = m_passkeyList.at(row);
    const QString label = passkey.name.isEmpty() ? tr("this passkey") : passkey.name;
    auto* dialog
        = new ConfirmDialog(this, tr("Remove %1?").arg(label),
                            tr("%1 can no longer sign in with %2. Their other passkeys keep working.").arg(name, label),
                            tr("Remove passkey"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, personId, passkey]() {
        dialog->busy(tr("Removing the passkey…"));
        workspace()
            .api()
            .removePersonCredential(personId, passkey.id)
            .then(dialog, [this, dialog, personId](const Result<void>& r) {
                if (!r.ok()) {
                    dialog->failed(r.error());
                    return;
                }
                dialog->finish();
                m_actionStatus->succeeded(tr("The passkey was removed."));
                loadPasskeys(personId);
            });
    });
    dialog->open();
}

void PeoplePage::invite()
{
    auto* dialog = new InviteDialog(context(), this);
    connect(dialog, &InviteDialog::invited, this, [this]() { m_tabs->setCurrentIndex(1); });
    dialog->open();
}

void PeoplePage::updateInviteButtons()
{
    const models::Invite* invite = m_invites->find(m_inviteSelection->currentId());
    m_revokeInvite->setEnabled(invite && invite->status == QLatin1String("pending"));
}

void PeoplePage::revokeInvite()
{
    const models::Invite* invite = m_invites->find(m_inviteSelection->currentId());
    if (!invite)
        return;
    const models::Invite revoked = [&]() {
        models::Invite i = *invite;
        i.status = QStringLiteral("revoked");
        return i;
    }();
    const QString who = invite->displayName.isEmpty() ? invite->email : invite->displayName;
    auto* dialog = new ConfirmDialog(
        this, tr("Revoke the invite for %1?").arg(who),
        tr("The link sent to %1 stops working. You can invite them again later.").arg(invite->email),
        tr("Revoke invite"));
    connect(dialog, &ConfirmDialog::confirmed, this, [this, dialog, revoked, who]() {
        dialog->busy(tr("Revoking…"));
        workspace().api().revokeInvite(revoked.id).then(dialog, [this, dialog, revoked, who](const Result<void>& r) {
            if (!r.ok()) {
                dialog->failed(r.error());
                return;
            }
            // The service answers without the invite; record what it now is.
            workspace().track(client::Call<models::Invite>::resolved(revoked));
            dialog->finish();
            status()->succeeded(tr("The invite for %1 was revoked.").arg(who));
        });
    });
    dialog->open();
}

} // namespace stint::ui
