// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/HealthView.h"

#include "ui/common/ErrorText.h"
#include "ui/common/StatusChip.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace stint::ui {

HealthView::HealthView(QWidget* parent)
    : QWidget(parent)
    , m_verdict(new StatusChip(this))
    , m_summary(new QLabel(this))
    , m_lastError(new QLabel(this))
    , m_credential(new QLabel(this))
    , m_reconcile(new QLabel(this))
    , m_findings(new QWidget(this))
    , m_findingsLayout(new QVBoxLayout(m_findings))
{
    setObjectName(QStringLiteral("healthView"));
    setAccessibleName(tr("Connection health"));
    m_verdict->setObjectName(QStringLiteral("healthVerdict"));
    m_summary->setObjectName(QStringLiteral("healthSummary"));
    m_lastError->setObjectName(QStringLiteral("healthLastError"));
    m_credential->setObjectName(QStringLiteral("healthCredential"));
    m_reconcile->setObjectName(QStringLiteral("healthReconcile"));
    m_findings->setObjectName(QStringLiteral("healthFindings"));
    for (QLabel* label : {m_summary, m_lastError, m_credential, m_reconcile}) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setTextFormat(Qt::PlainText);
    }
    style::setRole(m_summary, "muted");
    style::setRole(m_lastError, "danger");
    style::setRole(m_credential, "muted");
    style::setRole(m_reconcile, "muted");

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(style::kGap);
    auto* head = new QHBoxLayout;
    auto* title = new QLabel(tr("Health"), this);
    style::setRole(title, "subtitle");
    head->addWidget(title);
    head->addWidget(m_verdict);
    head->addWidget(m_summary, 1);
    layout->addLayout(head);
    layout->addWidget(m_lastError);
    m_findingsLayout->setContentsMargins(0, 0, 0, 0);
    m_findingsLayout->setSpacing(style::kGap);
    layout->addWidget(m_findings);
    layout->addWidget(m_credential);
    layout->addWidget(m_reconcile);
    showNothing({});
}

QString HealthView::severityText(const QString& severity)
{
    if (severity == QLatin1String("error"))
        return tr("Problem");
    if (severity == QLatin1String("warning"))
        return tr("Warning");
    if (severity == QLatin1String("ok"))
        return tr("OK");
    return tr("Note");
}

const char* HealthView::severityTone(const QString& severity)
{
    if (severity == QLatin1String("error"))
        return "bad";
    if (severity == QLatin1String("warning"))
        return "warn";
    if (severity == QLatin1String("ok"))
        return "good";
    return "neutral";
}

QString HealthView::advice(const QString& code)
{
    if (code == QLatin1String("connection.ok"))
        return {};
    if (code == QLatin1String("permission.missing"))
        return tr("Connect again with admin consent: Microsoft then asks the customer's admin to grant every "
                  "permission Stint needs. With the customer's own app, add the missing application permissions to "
                  "it and grant admin consent in the Entra admin center.");
    if (code == QLatin1String("sp_role.insufficient"))
        return tr("In the customer's Entra admin center, open Roles & admins → Privileged Authentication "
                  "Administrator → Add assignments, and add the Stint app. Then press Check now.");
    if (code == QLatin1String("tap.disabled"))
        return tr("Turn on Temporary Access Pass in Protection → Authentication methods → Policies, or set this "
                  "tenant's credential kind to Password in Settings.");
    if (code == QLatin1String("tap.bounds"))
        return tr("Raise the Temporary Access Pass lifetime (and allow more than one use) in the tenant's "
                  "authentication methods policy, or keep checkouts within what it allows.");
    if (code == QLatin1String("domain.none_verified"))
        return tr("Verify a domain in the tenant (Settings → Domain names): Stint makes accounts on a verified "
                  "domain.");
    if (code == QLatin1String("credential.expiring") || code == QLatin1String("credential.expired"))
        return tr("Create a new client secret or certificate for the customer's app registration, then enter it "
                  "with Connect… → The customer's own app.");
    if (code == QLatin1String("tenant.candidate_mismatch"))
        return tr("Check that the right customer's admin signed in. If Stint bound the wrong tenant, disconnect and "
                  "connect again.");
    return tr("Fix what the message describes in the tenant, then press Check now.");
}

void HealthView::clearFindings()
{
    while (QLayoutItem* item = m_findingsLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
}

void HealthView::showNothing(const QString& text)
{
    clearFindings();
    m_verdict->hide();
    m_summary->setText(text);
    m_lastError->hide();
    m_credential->hide();
    m_reconcile->hide();
}

void HealthView::showLoading()
{
    if (m_findingsLayout->count() == 0)
        showNothing(tr("Reading the connection…"));
}

void HealthView::showState(const models::ConnectionState& state, TimeMs now)
{
    clearFindings();
    m_verdict->setVisible(true);
    const QString status = state.status;
    if (state.report && (status == QLatin1String("connected") || status == QLatin1String("unhealthy")))
        m_verdict->show(state.report->healthy ? tr("Healthy") : tr("Unhealthy"),
                        state.report->healthy ? "good" : "bad");
    else
        m_verdict->showConnectionStatus(status);
    // The sentence says it already for a tenant that is not connected.
    m_verdict->setVisible(status != QLatin1String("not_connected"));

    QString summary;
    if (status == QLatin1String("not_connected"))
        summary = tr("Not connected: connect the tenant to check its health.");
    else if (status == QLatin1String("connecting"))
        summary = tr("Waiting for the customer's admin to finish in the browser.");
    else if (status == QLatin1String("verifying"))
        summary = tr("Checking the tenant…");
    else if (state.checkedAt)
        summary = tr("Checked %1.").arg(TimeText::relative(*state.checkedAt, now));
    if (state.report && !state.report->displayName.isEmpty())
        summary = tr("%1 · %2").arg(state.report->displayName, summary);
    m_summary->setText(summary);

    if (state.lastError) {
        m_lastError->setText(tr("The last attempt failed: %1").arg(ErrorText::describe(*state.lastError)));
        m_lastError->setToolTip(ErrorText::technical(*state.lastError));
        m_lastError->show();
    } else {
        m_lastError->hide();
    }

    if (state.report) {
        int row = 0;
        for (const models::ConnectionFinding& f : state.report->findings) {
            auto* item = new QWidget(m_findings);
            item->setObjectName(QStringLiteral("finding_%1").arg(row++));
            auto* grid = new QGridLayout(item);
            grid->setContentsMargins(0, 0, 0, 0);
            grid->setHorizontalSpacing(style::kGap);
            grid->setVerticalSpacing(2);
            auto* chip = new StatusChip(item);
            chip->setObjectName(QStringLiteral("findingSeverity"));
            chip->show(severityText(f.severity), severityTone(f.severity));
            auto* message = new QLabel(f.message, item);
            message->setObjectName(QStringLiteral("findingMessage"));
            message->setWordWrap(true);
            message->setTextFormat(Qt::PlainText);
            message->setTextInteractionFlags(Qt::TextSelectableByMouse);
            grid->addWidget(chip, 0, 0, Qt::AlignTop);
            grid->addWidget(message, 0, 1);
            const QString todo = advice(f.code);
            if (!todo.isEmpty()) {
                auto* what = new QLabel(tr("What to do: %1").arg(todo), item);
                what->setObjectName(QStringLiteral("findingAdvice"));
                what->setWordWrap(true);
                what->setTextFormat(Qt::PlainText);
                what->setTextInteractionFlags(Qt::TextSelectableByMouse);
                style::setRole(what, "muted");
                grid->addWidget(what, 1, 1);
            }
            grid->setColumnStretch(1, 1);
            item->setAccessibleName(tr("%1: %2").arg(severityText(f.severity), f.message));
            item->setToolTip(f.code);
            m_findingsLayout->addWidget(item);
        }
    }

    QString credential;
    if (state.credential) {
        const auto& c = *state.credential;
        credential = c.kind == QLatin1String("certificate")
            ? tr("Customer's own app %1, signing in with a certificate (thumbprint %2)")
                  .arg(c.clientId, c.certificateThumbprint)
            : tr("Customer's own app %1, signing in with a client secret").arg(c.clientId);
        const std::optional<TimeMs> expires = c.certificateNotAfter ? c.certificateNotAfter : c.secretExpiresAt;
        if (expires)
            credential += tr(", which expires %1").arg(TimeText::when(*expires, now));
        credential += QLatin1Char('.');
    } else if (status != QLatin1String("not_connected") && state.usesMultiTenantApp) {
        credential = tr("Connected through the MSP's Stint app (admin consent).");
    }
    m_credential->setText(credential);
    m_credential->setVisible(!credential.isEmpty());

    if (state.lastReconciledAt) {
        m_reconcile->setText(
            state.driftFound > 0
                ? tr("Last reconciled %1: %n account(s) out of step were revoked.", nullptr, state.driftFound)
                      .arg(TimeText::relative(*state.lastReconciledAt, now))
                : tr("Last reconciled %1: nothing out of step.").arg(TimeText::relative(*state.lastReconciledAt, now)));
        m_reconcile->show();
    } else {
        m_reconcile->hide();
    }
}

} // namespace stint::ui
