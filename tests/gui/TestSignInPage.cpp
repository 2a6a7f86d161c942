// SPDX-License-Identifier: GPL-3.0-or-later
// The sign-in screen with a fake security key in front of the real SecurityKeySignIn and CloudApi: every failure of
// the key reads as what to do next, the PIN prompt (needed, wrong with the attempts left, cancelled), the touch prompt
// for one key and for several, cancelling, the optional email (username-first), and the service address on the first
// run checked before anything is sent.
#include "client/ApiError.h"
#include "client/CloudApi.h"
#include "client/SecurityKeySignIn.h"
#include "support/client/FakeCloud.h"
#include "support/client/FakeSecurityKeys.h"
#include "ui/common/ErrorText.h"
#include "ui/shell/PinDialog.h"
#include "ui/shell/SignInPage.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace stint;
using stint::test::FakeCloud;
using stint::test::FakeSecurityKeys;
using stint::ui::PinDialog;
using stint::ui::SignInPage;
namespace f = stint::client::fido2errors;

Q_DECLARE_METATYPE(stint::client::SharedSession)

namespace {

struct Rig
{
    ManualClock clock;
    FakeCloud cloud {clock};
    client::CloudApi api {cloud};
    FakeSecurityKeys keys;
    client::SecurityKeySignIn signIn {api, keys};
    SignInPage page;
    models::Person ada;

    Rig()
    {
        ada = cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Lovelace"),
                              QStringLiteral("technician"));
        cloud.addPasskey(ada.id, FakeSecurityKeys::credentialIdText()); // Ada's passkey is on the key
        page.setService(QUrl(cloud.origin()), {&signIn, &keys, nullptr});
        page.resize(900, 700);
        page.show();
    }

    int finishes() const { return cloud.requestCount("POST", QStringLiteral("/v1/auth/signin/finish")); }
    int begins() const { return cloud.requestCount("POST", QStringLiteral("/v1/auth/signin/begin")); }
    QString lastBeginEmail() const
    {
        QString email;
        for (const client::ApiRequest& r : cloud.requests()) {
            if (r.path == QLatin1String("/v1/auth/signin/begin"))
                email = r.body ? r.body->value(QLatin1String("email")).toString() : QString();
        }
        return email;
    }

    QPushButton* button(const char* name) { return page.findChild<QPushButton*>(QLatin1String(name)); }
    QLineEdit* field(const char* name) { return page.findChild<QLineEdit*>(QLatin1String(name)); }
    // The PIN dialog the page opened, once it is showing.
    PinDialog* pinDialog()
    {
        for (PinDialog* d : page.findChildren<PinDialog*>()) {
            if (d->isVisible())
                return d;
        }
        return nullptr;
    }
    void enterPin(const QString& pin)
    {
        PinDialog* dialog = pinDialog();
        QVERIFY(dialog);
        auto* edit = dialog->findChild<QLineEdit*>(QStringLiteral("pinField"));
        QVERIFY(edit);
        QTest::keyClicks(edit, pin);
        QTest::keyClick(edit, Qt::Key_Return);
    }
};

} // namespace

class TestSignInPage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<client::SharedSession>(); }

    void touchingTheKeySignsIn()
    {
        Rig rig;
        QSignalSpy signedIn(&rig.page, &SignInPage::signedIn);
        QTest::mouseClick(rig.button("signInWithKey"), Qt::LeftButton);
        QVERIFY(rig.page.isBusy());
        QVERIFY(!rig.button("signInWithKey")->isEnabled());
        QTRY_VERIFY(rig.keys.isWaitingForTouch());
        QTRY_COMPARE(rig.page.statusText(), QStringLiteral("Touch your security key now."));
        QVERIFY(rig.button("signInCancel")->isVisible());
        rig.keys.touch();
        QTRY_COMPARE(signedIn.count(), 1);
        const auto session = signedIn.first().first().value<client::SharedSession>();
        QVERIFY(session);
        QCOMPARE(session->person.id, rig.ada.id);
        QVERIFY(!session->token.isEmpty());
        QVERIFY(!rig.page.isBusy());
        QCOMPARE(rig.page.errorText(), QString());
        QCOMPARE(rig.finishes(), 1);
        // User verification is always asked for, of the service's own relying party.
        QCOMPARE(rig.keys.asked.size(), 1);
        QVERIFY(rig.keys.asked.first().userVerification);
        QCOMPARE(rig.keys.asked.first().rpId, QStringLiteral("localhost"));
    }

    void severalKeysAskForTheOneToUse()
    {
        Rig rig;
        rig.keys.setPluggedIn(2);
        QTest::mouseClick(rig.button("signInWithKey"), Qt::LeftButton);
        QTRY_VERIFY(rig.page.statusText().contains(QStringLiteral("touch the one you want to use")));
    }

    void emailGoesFirstWhenGiven()
    {
        Rig rig;
        QTest::keyClicks(rig.field("emailField"), QStringLiteral("ada@msp.example"));
        QTest::keyClick(rig.field("emailField"), Qt::Key_Return); // Enter signs in
        QTRY_VERIFY(rig.keys.isWaitingForTouch());
        QCOMPARE(rig.lastBeginEmail(), QStringLiteral("ada@msp.example"));
        QCOMPARE(rig.keys.asked.first().allowCredentialCount, 1); // username-first: Ada's passkey named
    }

    void keyFailuresSayWhatToDo_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("noKey");
        QTest::addColumn<QString>("says");
        QTest::newRow("no key") << QString::fromLatin1(f::kNoDevice) << true << QStringLiteral("Plug in");
        QTest::newRow("timeout") << QString::fromLatin1(f::kTimeout) << false << QStringLiteral("in time");
        QTest::newRow("removed") << QString::fromLatin1(f::kRemoved) << false << QStringLiteral("unplugged");
        QTest::newRow("pin not set") << QString::fromLatin1(f::kPinNotSet) << false << QStringLiteral("Set a PIN");
        QTest::newRow("no passkey") << QString::fromLatin1(f::kNoCredential) << false
                                    << QStringLiteral("holds no passkey");
        QTest::newRow("blocked") << QString::fromLatin1(f::kPinBlocked) << false << QStringLiteral("locked");
        QTest::newRow("other") << QString::fromLatin1(f::kFailed) << false << QStringLiteral("another key");
    }

    void keyFailuresSayWhatToDo()
    {
        QFETCH(QString, code);
        QFETCH(bool, noKey);
        QFETCH(QString, says);
        Rig rig;
        QSignalSpy signedIn(&rig.page, &SignInPage::signedIn);
        if (noKey)
            rig.keys.setPluggedIn(0);
        QTest::mouseClick(rig.button("signInWithKey"), Qt::LeftButton);
        if (!noKey) {
            QTRY_VERIFY(rig.keys.isWaitingForTouch());
            rig.keys.fail(code); // e.g. nobody touched it: libfido2 times out
        }
        QTRY_VERIFY(!rig.page.isBusy());
        QCOMPARE(rig.page.errorText(), ui::ErrorText::describe(Error {code, code, {}}));
        QVERIFY2(rig.page.errorText().contains(says), qPrintable(rig.page.errorText()));
        QVERIFY(!rig.page.errorText().contains(code)); // no bare codes for people
        QVERIFY(rig.button("signInWithKey")->isEnabled());
        QVERIFY(!rig.button("signInCancel")->isVisible());
        QCOMPARE(signedIn.count(), 0);
        QCOMPARE(rig.finishes(), 0);
        // Trying again works.
        rig.keys.setPluggedIn(1);
        QTest::mouseClick(rig.button("signInWithKey"), Qt::LeftButton);
        QTRY_VERIFY(rig.keys.isWaitingForTouch());
        QCOMPARE(rig.page.errorText(), QString());
        rig.keys.touch();
        QTRY_COMPARE(signedIn.count(), 1);
    }

    void pinNeededThenSignedIn()
    {
        Rig rig;
        rig.keys.setPin("4711");
        QSignalSpy signedIn(&rig.page, &SignInPage::signedIn);
        QTest::mouseClick(rig.button("signInWithKey"), Qt::LeftButton);
        QTRY_VERIFY(rig.pinDialog());
        QVERIFY(rig.pinDialog()->error().isEmpty());
        QCOMPARE(rig.page.statusText(), QStringLiteral("Waiting for your PIN…"));
        auto* ok = rig.pinDialog()->findChild<QPushButton*>(QStringLiteral("pinOk"));
        QVERIFY(!ok->isEnabled()); // too short to be a PIN
        rig.enterPin(QStringLiteral("4711"));
        QTRY_VERIFY(rig.keys.isWaitingForTouch());
        QCOMPARE(rig.keys.asked.size(), 2);
        QVERIFY(!rig.keys.asked.at(0).withPin);
        QCOMPARE(rig.keys.asked.at(1).pin, QByteArray("4711"));
        QVERIFY(!rig.pinDialog()); // closed
        rig.keys.touch();
        QTRY_COMPARE(signedIn.count(), 1);
    }

    void wrongPinSaysHowManyAttemptsAreLeft()
    {
        Rig rig;
        rig.keys.setPin("4711", 8);
        QSignalSpy signedIn(&rig.page, &SignInPage::signedIn);
        QTest::mouseClick(rig.button("signInWithKey"), Qt::LeftButton);
        QTRY_VERIFY(rig.pinDialog());
        rig.enterPin(QStringLiteral("0000"));
        QTRY_VERIFY(rig.pinDialog() && !rig.pinDialog()->error().isEmpty());
        QVERIFY2(rig.pinDialog()->error().contains(QStringLiteral("7 attempt")), qPrintable(rig.pinDialog()->error()));
        // The field was cleared: the wrong PIN is not kept around.
        QCOMPARE(rig.pinDialog()->findChild<QLineEdit*>(QStringLiteral("pinField"))->text(), QString());
        rig.enterPin(QStringLiteral("4711"));
        QTRY_VERIFY(rig.keys.isWaitingForTouch());
        rig.keys.touch();
        QTRY_COMPARE(signedIn.count(), 1);
    }

    void cancellingThePinStops()
    {
        Rig rig;
        rig.keys.setPin("4711");
        QTest::mouseClick(rig.button("signInWithKey"), Qt::LeftButton);
        QTRY_VERIFY(rig.pinDialog());
        QTest::keyClick(rig.pinDialog(), Qt::Key_Escape);
        QTRY_VERIFY(!rig.page.isBusy());
        QVERIFY(!rig.pinDialog());
        QCOMPARE(rig.page.statusText(), QStringLiteral("Sign-in cancelled."));
        QCOMPARE(rig.page.errorText(), QString());
    }

    void cancelWhileWaitingForTheTouch()
    {
        Rig rig;
        QSignalSpy signedIn(&rig.page, &SignInPage::signedIn);
        QTest::mouseClick(rig.button("signInWithKey"), Qt::LeftButton);
        QTRY_VERIFY(rig.keys.isWaitingForTouch());
        QTest::mouseClick(rig.button("signInCancel"), Qt::LeftButton);
        QVERIFY(!rig.page.isBusy());
        QTRY_VERIFY(rig.keys.cancelCount > 0);
        QVERIFY(!rig.keys.isWaitingForTouch());
        QCOMPARE(rig.page.statusText(), QStringLiteral("Sign-in cancelled."));
        QCOMPARE(rig.page.errorText(), QString());
        QCOMPARE(signedIn.count(), 0);
    }

    void serviceUnreachable()
    {
        Rig rig;
        rig.cloud.setUnreachable(true);
        QTest::mouseClick(rig.button("signInWithKey"), Qt::LeftButton);
        QTRY_VERIFY(!rig.page.isBusy());
        QVERIFY2(rig.page.errorText().contains(QStringLiteral("cannot be reached")), qPrintable(rig.page.errorText()));
        QCOMPARE(rig.keys.asked.size(), 0); // the key was not bothered
    }

    void serviceAddressIsCheckedFirst_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("chosen");
        QTest::newRow("empty") << QString() << QStringLiteral("Enter the address") << QString();
        QTest::newRow("plain http elsewhere")
            << QStringLiteral("http://stint.example.net") << QStringLiteral("https") << QString();
        QTest::newRow("not a URL") << QStringLiteral("https://") << QStringLiteral("cannot be used") << QString();
        QTest::newRow("with a query") << QStringLiteral("https://stint.example.net/?x=1")
                                      << QStringLiteral("cannot be used") << QString();
        QTest::newRow("host only") << QStringLiteral("stint.example.net") << QString()
                                   << QStringLiteral("https://stint.example.net");
        QTest::newRow("loopback http") << QStringLiteral("http://localhost:8443/") << QString()
                                       << QStringLiteral("http://localhost:8443");
    }

    void serviceAddressIsCheckedFirst()
    {
        QFETCH(QString, typed);
        QFETCH(QString, error);
        QFETCH(QString, chosen);
        // The first run: no service yet, so no ceremony either.
        SignInPage page;
        page.setServiceEditable(true);
        page.show();
        QSignalSpy serviceChosen(&page, &SignInPage::serviceChosen);
        auto* field = page.findChild<QLineEdit*>(QStringLiteral("serviceField"));
        QVERIFY(field && field->isVisible());
        QTest::keyClicks(field, typed);
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("signInWithKey")), Qt::LeftButton);
        auto* serviceError = page.findChild<QLabel*>(QStringLiteral("serviceError"));
        if (chosen.isEmpty()) {
            QCOMPARE(serviceChosen.count(), 0);
            QVERIFY(serviceError->isVisible());
            QVERIFY2(serviceError->text().contains(error), qPrintable(serviceError->text()));
        } else {
            QCOMPARE(serviceChosen.count(), 1);
            QCOMPARE(serviceChosen.first().first().toUrl(), QUrl(chosen));
        }
        QVERIFY(!page.isBusy());
    }

    void chosenServiceIsUsedAtOnce()
    {
        // The shell answers serviceChosen by giving the page that service's ceremonies; the sign-in goes on.
        Rig rig;
        SignInPage page;
        page.setServiceEditable(true);
        page.show();
        connect(&page, &SignInPage::serviceChosen, &page, [&](const QUrl& url) {
            page.setService(url, {&rig.signIn, &rig.keys, nullptr});
        });
        QTest::keyClicks(page.findChild<QLineEdit*>(QStringLiteral("serviceField")), rig.cloud.origin());
        QTest::mouseClick(page.findChild<QPushButton*>(QStringLiteral("signInWithKey")), Qt::LeftButton);
        QTRY_VERIFY(rig.keys.isWaitingForTouch());
        QCOMPARE(rig.begins(), 1);
    }
};

QTEST_MAIN(TestSignInPage)
#include "TestSignInPage.moc"
