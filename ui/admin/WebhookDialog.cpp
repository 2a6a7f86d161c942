// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/WebhookDialog.h"

#include "client/Workspace.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/FormErrors.h"
#include "ui/common/Desktop.h"
#include "ui/common/Style.h"
#include "ui/models/WebhooksModel.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace stint::ui {

WebhookDialog::WebhookDialog(UiContext& context, QWidget* parent)
    : QDialog(parent)
    , m_context(context)
    , m_pages(new QStackedWidget(this))
    , m_url(new QLineEdit(this))
    , m_description(new QLineEdit(this))
    , m_secret(new QLineEdit(this))
    , m_copied(new QLabel(this))
    , m_status(new ActionStatus(this))
    , m_errors(std::make_unique<FormErrors>(m_status))
{
    setObjectName(QStringLiteral("webhookDialog"));
    setWindowTitle(tr("Add a webhook"));
    setWindowModality(Qt::WindowModal);
    setAttribute(Qt::WA_DeleteOnClose);
    setMinimumWidth(540);

    auto* form = new QWidget(m_pages);
    auto* formLayout = new QVBoxLayout(form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    auto* intro = new QLabel(tr("Stint posts events to this address as they happen (JSON, signed), and tries again "
                                "for a while when the receiver does not answer."),
                             form);
    intro->setWordWrap(true);
    style::setRole(intro, "muted");
    formLayout->addWidget(intro);
    auto* fields = new QFormLayout;
    m_url->setObjectName(QStringLiteral("webhookUrlEdit"));
    m_url->setPlaceholderText(QStringLiteral("https://hooks.example.com/stint"));
    m_url->setAccessibleName(tr("Address"));
    m_description->setObjectName(QStringLiteral("webhookDescriptionEdit"));
    m_description->setPlaceholderText(tr("e.g. PSA ticketing"));
    m_description->setAccessibleName(tr("Description"));
    auto fieldBox = [&](QWidget* field, const QString& path) {
        auto* box = new QWidget(form);
        auto* l = new QVBoxLayout(box);
        l->setContentsMargins(0, 0, 0, 0);
        l->setSpacing(2);
        field->setParent(box);
        l->addWidget(field);
        QLabel* message = m_errors->addField(field, {path});
        message->setParent(box);
        l->addWidget(message);
        return box;
    };
    fields->addRow(tr("&Address"), fieldBox(m_url, QStringLiteral("url")));
    fields->addRow(tr("&Description"), fieldBox(m_description, QStringLiteral("description")));
    auto* events = new QWidget(form);
    auto* eventsLayout = new QVBoxLayout(events);
    eventsLayout->setContentsMargins(0, 0, 0, 0);
    eventsLayout->setSpacing(2);
    for (const QString& type : models::kWebhookEventTypes) {
        auto* box = new QCheckBox(WebhooksModel::eventTypeText(type), events);
        box->setObjectName(QStringLiteral("event_") + QString(type).replace(QLatin1Char('.'), QLatin1Char('_')));
        box->setProperty("eventType", type);
        box->setToolTip(type);
        eventsLayout->addWidget(box);
        m_events.append(box);
    }
    auto* eventsNote = new QLabel(tr("None ticked: every event."), events);
    style::setRole(eventsNote, "muted");
    eventsLayout->addWidget(eventsNote);
    QLabel* eventsMessage = m_errors->addField(events, {QStringLiteral("eventTypes")});
    eventsMessage->setParent(events);
    eventsLayout->addWidget(eventsMessage);
    fields->addRow(tr("Events"), events);
    formLayout->addLayout(fields);
    m_pages->addWidget(form);

    auto* shown = new QWidget(m_pages);
    auto* shownLayout = new QVBoxLayout(shown);
    shownLayout->setContentsMargins(0, 0, 0, 0);
    auto* secretIntro = new QLabel(tr("The webhook is added. This is its signing secret: store it in the receiver "
                                      "now. Stint shows it only this once."),
                                   shown);
    secretIntro->setObjectName(QStringLiteral("secretIntro"));
    secretIntro->setWordWrap(true);
    shownLayout->addWidget(secretIntro);
    auto* secretRow = new QHBoxLayout;
    m_secret->setObjectName(QStringLiteral("webhookSecretEdit"));
    m_secret->setReadOnly(true);
    m_secret->setEchoMode(QLineEdit::Password);
    m_secret->setAccessibleName(tr("Signing secret"));
    style::setRole(m_secret, "mono");
    m_show = new QPushButton(tr("&Show"), shown);
    m_show->setObjectName(QStringLiteral("showSecretButton"));
    m_show->setCheckable(true);
    m_copy = new QPushButton(tr("&Copy"), shown);
    m_copy->setObjectName(QStringLiteral("copySecretButton"));
    style::setRole(m_copy, "primary");
    secretRow->addWidget(m_secret, 1);
    secretRow->addWidget(m_show);
    secretRow->addWidget(m_copy);
    shownLayout->addLayout(secretRow);
    m_copied->setObjectName(QStringLiteral("copiedNote"));
    style::setRole(m_copied, "muted");
    shownLayout->addWidget(m_copied);
    shownLayout->addStretch(1);
    m_pages->addWidget(shown);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* title = new QLabel(tr("Add a webhook"), this);
    style::setRole(title, "title");
    layout->addWidget(title);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_status);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_create = new QPushButton(tr("&Add webhook"), this);
    m_create->setObjectName(QStringLiteral("createWebhookButton"));
    m_create->setDefault(true);
    style::setRole(m_create, "primary");
    m_done = new QPushButton(tr("&Done"), this);
    m_done->setObjectName(QStringLiteral("doneButton"));
    m_done->hide();
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_create);
    buttons->addWidget(m_done);
    layout->addLayout(buttons);

    connect(m_cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_create, &QPushButton::clicked, this, &WebhookDialog::submit);
    connect(m_done, &QPushButton::clicked, this, &QDialog::accept);
    connect(m_show, &QPushButton::toggled, this, [this](bool on) {
        m_secret->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password);
        m_show->setText(on ? tr("&Hide") : tr("&Show"));
    });
    connect(m_copy, &QPushButton::clicked, this, [this]() {
        if (!m_created)
            return;
        m_context.desktop.copySecret(m_created->secret.bytes(), kClipboardClearMs);
        m_copied->setText(tr("Copied. Stint clears the clipboard in a minute."));
    });
    m_url->setFocus();
}

WebhookDialog::~WebhookDialog() = default;

void WebhookDialog::submit()
{
    m_errors->clear();
    const QString url = m_url->text().trimmed();
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.host().isEmpty()
        || (parsed.scheme() != QLatin1String("https") && parsed.scheme() != QLatin1String("http"))) {
        m_errors->showField(QStringLiteral("url"), tr("Enter the receiver's address, starting with https://"));
        return;
    }
    QStringList types;
    for (QCheckBox* box : std::as_const(m_events)) {
        if (box->isChecked())
            types << box->property("eventType").toString();
    }
    m_create->setEnabled(false);
    m_status->busy(tr("Adding the webhook…"));
    client::Workspace& ws = m_context.workspace;
    ws.api()
        .createWebhook(url, m_description->text().trimmed(), types)
        .then(this, [this](const Result<client::SharedWebhook>& r) {
            m_create->setEnabled(true);
            if (!r.ok()) {
                m_errors->show(r.error());
                return;
            }
            m_created = r.value();
            // The webhook itself goes into the state; the secret stays with this dialog only.
            const QString id = m_created->webhook.id;
            m_context.workspace.track(client::Call<models::Webhook>::resolved(m_created->webhook))
                .then(this, [this, id](const Result<models::Webhook>&) { emit created(id); });
            m_status->clear();
            m_secret->setText(QString::fromUtf8(m_created->secret.bytes()));
            m_pages->setCurrentIndex(1);
            m_create->hide();
            m_cancel->hide();
            m_done->show();
            m_done->setDefault(true);
            m_copy->setFocus();
        });
}

void WebhookDialog::done(int result)
{
    // The secret is not kept once the dialog closes.
    m_secret->clear();
    m_created.reset();
    QDialog::done(result);
}

} // namespace stint::ui
