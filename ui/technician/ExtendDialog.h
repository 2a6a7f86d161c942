// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"
#include "ui/common/UiContext.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QPushButton;

// "Extend access": how much longer, in steps the access policy still allows (counted, as the service counts, from
// when the access became ready), with the policy's limit said up front. The service has the last word: its 422 shows
// under the choice. Non-modal (open()); closes itself when the extension is done, which the card then says.
namespace stint::ui {

class BusySpinner;
class CheckoutActions;

class ExtendDialog : public QDialog
{
    Q_OBJECT
public:
    ExtendDialog(UiContext& context, CheckoutActions& actions, const models::Checkout& checkout,
                 QWidget* parent = nullptr);

    int chosenMinutes() const;

public slots:
    void submit();

private:
    void setBusy(bool busy);

    UiContext& m_ctx;
    CheckoutActions& m_actions;
    QString m_checkoutId;
    bool m_busy = false;

    QLabel* m_intro;
    QComboBox* m_minutes;
    QLabel* m_hint;
    QLabel* m_fieldError;
    QLabel* m_formError;
    BusySpinner* m_spinner;
    QPushButton* m_submit;
};

} // namespace stint::ui
