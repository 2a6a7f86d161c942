// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/InviteDialog.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/FormErrors.h"
#include "ui/common/Desktop.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace stint::ui {

namespace {
QWidget* withError(QWidget* parent, QWidget* field, FormErrors& errors, const QStringList& paths)
{
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    field->setParent(box);
    layout->addWidget(field);
    QLabel* message = errors.addField(field, paths);
    message->setParent(box);
    layout->addWidget(message);
    return box;
}
} // namespace

InviteDialog::InviteDialog(UiContext& context, QWidget* parent)
    : QDialog(parent)
    , m_context(context)
    , m_pages(new QStackedWidget(this))
    , m_email(new QLineEdit(this))
    , m_name(new QLineEdit(this))
    , m_role(new QComboBox(this))
    , m_linkIntro(new QLabel(this))
    , m_link(new QLineEdit(this))
    , m_copied(new QLabel(this))
    , m_status(new ActionStatus(this))
    , m_errors(std::make_unique<FormErrors>(m_status))
{
    setObjectName(QStringLiteral("inviteDialog"));
    setWindowTitle(tr("Invite a person"));
    setWindowModality(Qt::WindowModal);
    setAttribute(Qt::WA_DeleteOnClose);
    setMinimumWidth(520);

    // --- the form ---
    auto* form = new QWidget(m_pages);
    auto* formLayout = new QVBoxLayout(form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    auto* intro = new QLabel(tr("Stint makes a one-time link. The person opens it and enrolls a passkey (a security "
                                "key, or their computer's or phone's own)."),
                             form);
    intro->setWordWrap(true);
    style::setRole(intro, "muted");
    formLayout->addWidget(intro);
    auto* fields = new QFormLayout;
    m_email->setObjectName(QStringLiteral("inviteEmailEdit"));
    m_email->setPlaceholderText(tr("name@your-msp.example"));
    m_email->setAccessibleName(tr("Email"));
    m_name->setObjectName(QStringLiteral("inviteNameEdit"));
    m_name->setPlaceholderText(tr("As colleagues know them"));
    m_name->setAccessibleName(tr("Name"));
    m_role->setObjectName(QStringLiteral("inviteRoleCombo"));
    m_role->addItem(tr("Technician: asks for access to tenants"), QStringLiteral("technician"));
    m_role->addItem(tr("Admin: manages tenants, people and policies, and approves"), QStringLiteral("admin"));
    m_role->setAccessibleName(tr("Role"));
    fields->addRow(tr("&Email"), withError(form, m_email, *m_errors, {QStringLiteral("email")}));
    fields->addRow(tr("&Name"), withError(form, m_name, *m_errors, {QStringLiteral("displayName")}));
    fields->addRow(tr("&Role"), withError(form, m_role, *m_errors, {QStringLiteral("role")}));
    formLayout->addLayout(fields);
    formLayout->addStretch(1);
    m_pages->addWidget(form);

    // --- the link, shown once ---
    auto* shown = new QWidget(m_pages);
    auto* shownLayout = new QVBoxLayout(shown);
    shownLayout->setContentsMargins(0, 0, 0, 0);
    m_linkIntro->setObjectName(QStringLiteral("inviteLinkIntro"));
    m_linkIntro->setWordWrap(true);
    shownLayout->addWidget(m_linkIntro);
    auto* linkRow = new QHBoxLayout;
    m_link->setObjectName(QStringLiteral("inviteLinkEdit"));
    m_link->setReadOnly(true);
    m_link->setAccessibleName(tr("One-time enrollment link"));
    style::setRole(m_link, "mono");
    m_copy = new QPushButton(tr("&Copy link"), shown);
    m_copy->setObjectName(QStringLiteral("copyLinkButton"));
    style::setRole(m_copy, "primary");
    linkRow->addWidget(m_link, 1);
    linkRow->addWidget(m_copy);
    shownLayout->addLayout(linkRow);
    m_copied->setObjectName(QStringLiteral("copiedNote"));
    style::setRole(m_copied, "muted");
    m_copied->setWordWrap(true);
    shownLayout->addWidget(m_copied);
    auto* warning = new QLabel(tr("Stint shows this link only now and keeps no copy. Send it over a channel you "
                                  "trust; anyone who has it can enroll as this person until it is used."),
                               shown);
    warning->setWordWrap(true);
    style::setRole(warning, "muted");
    shownLayout->addWidget(warning);
    shownLayout->addStretch(1);
    m_pages->addWidget(shown);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* title = new QLabel(tr("Invite a person"), this);
    style::setRole(title, "title");
    layout->addWidget(title);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_status);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_invite = new QPushButton(tr("&Make invite link"), this);
    m_invite->setObjectName(QStringLiteral("createInviteButton"));
    m_invite->setDefault(true);
    style::setRole(m_invite, "primary");
    m_done = new QPushButton(tr("&Done"), this);
    m_done->setObjectName(QStringLiteral("doneButton"));
    m_done->hide();
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_invite);
    buttons->addWidget(m_done);
    layout->addLayout(buttons);

    connect(m_cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_invite, &QPushButton::clicked, this, &InviteDialog::submit);
    connect(m_done, &QPushButton::clicked, this, &QDialog::accept);
    connect(m_copy, &QPushButton::clicked, this, [this]() {
        const QByteArray link = m_link->text().toUtf8();
        m_context.desktop.copySecret(link, kClipboardClearMs);
        m_copied->setText(tr("Copied. Stint clears the clipboard in %1 minutes.").arg(kClipboardClearMs / 60'000));
    });
    m_email->setFocus();
}

InviteDialog::~InviteDialog() = default;

void InviteDialog::submit()
{
    m_errors->clear();
    const QString email = m_email->text().trimmed();
    if (!email.contains(QLatin1Char('@')) || email.startsWith(QLatin1Char('@')) || email.endsWith(QLatin1Char('@'))) {
        m_errors->showField(QStringLiteral("email"), tr("Enter the person's email address"));
        return;
    }
    const QString name = m_name->text().trimmed();
    m_invite->setEnabled(false);
    m_status->busy(tr("Making the invite…"));
    client::Workspace& ws = m_context.workspace;
    // The answer carries the link; tracking keeps the invite in the workspace without it.
    ws.track(ws.api().createInvite(email, m_role->currentData().toString(), name))
        .then(this, [this, email, name](const Result<models::Invite>& r) {
            m_invite->setEnabled(true);
            if (!r.ok()) {
                m_errors->show(r.error());
                return;
            }
            m_status->clear();
            const QString who = name.isEmpty() ? email : name;
            m_linkIntro->setText(tr("Send this link to %1. It works once, until %2.")
                                     .arg(who, TimeText::when(r->expiresAt, m_context.workspace.serverNow())));
            m_link->setText(r->enrollmentUrl);
            m_link->setCursorPosition(0);
            m_pages->setCurrentIndex(1);
            m_invite->hide();
            m_cancel->hide();
            m_done->show();
            m_done->setDefault(true);
            m_copy->setFocus();
            emit invited(r->id);
        });
}

void InviteDialog::done(int result)
{
    // The link is not kept anywhere once the dialog closes.
    m_link->clear();
    QDialog::done(result);
}

} // namespace stint::ui
