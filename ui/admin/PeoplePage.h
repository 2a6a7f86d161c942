// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Directory.h"
#include "ui/admin/AdminPage.h"

class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTableView;

// The people of the organization and the invites sent to new ones. For a person: their role (made admin or
// technician with a confirmation), whether they may sign in (disable ends their sessions at once), their sessions
// (end them everywhere) and their passkeys (remove one, never the last). Inviting shows the one-time link once.
namespace stint::ui {

class ActionStatus;
class ConfirmDialog;
class InvitesModel;
class PeopleModel;
class RowSearchProxy;
class SelectionKeeper;
class StatusChip;

class PeoplePage : public AdminPage
{
    Q_OBJECT
public:
    explicit PeoplePage(UiContext& context, QWidget* parent = nullptr);

    void showPerson(const QString& personId);
    QString currentPersonId() const;

    void invite();
    void changeRole();
    void toggleDisabled();
    void endSessions();
    void removePasskey();
    void revokeInvite();

private:
    void showDetails();
    void loadPasskeys(const QString& personId);
    void updateInviteButtons();
    void patchPerson(const QString& personId, const QJsonObject& patch, const QString& busy, const QString& done,
                     ConfirmDialog* dialog);

    PeopleModel* m_people;
    InvitesModel* m_invites;
    RowSearchProxy* m_peopleProxy;
    RowSearchProxy* m_invitesProxy;
    QTabWidget* m_tabs;
    QTableView* m_peopleTable;
    QTableView* m_invitesTable;
    SelectionKeeper* m_personSelection;
    SelectionKeeper* m_inviteSelection;
    QStackedWidget* m_detailsStack;
    QLabel* m_name;
    StatusChip* m_chip;
    QLabel* m_facts;
    QPushButton* m_role;
    QPushButton* m_disable;
    QPushButton* m_sessions;
    QListWidget* m_passkeys;
    QLabel* m_passkeysNote;
    QPushButton* m_removePasskey;
    QPushButton* m_revokeInvite;
    ActionStatus* m_actionStatus;
    QList<models::SignInCredential> m_passkeyList;
    QString m_passkeysOf;
};

} // namespace stint::ui
