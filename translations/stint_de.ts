<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>stint::client::ApiError</name>
    <message>
        <source>The service refused the request as malformed.</source>
        <translation>Der Dienst hat die Anfrage als fehlerhaft abgelehnt.</translation>
    </message>
    <message>
        <source>You are not signed in, or your session has ended.</source>
        <translation>Sie sind nicht angemeldet, oder Ihre Sitzung ist abgelaufen.</translation>
    </message>
    <message>
        <source>You are not allowed to do this.</source>
        <translation>Dazu sind Sie nicht berechtigt.</translation>
    </message>
    <message>
        <source>It does not exist (any more).</source>
        <translation>Das gibt es nicht (mehr).</translation>
    </message>
    <message>
        <source>It changed in the meantime.</source>
        <translation>Das wurde inzwischen geändert.</translation>
    </message>
    <message>
        <source>Too many attempts; wait a moment.</source>
        <translation>Zu viele Versuche; bitte warten Sie einen Moment.</translation>
    </message>
    <message>
        <source>The service is not available right now.</source>
        <translation>Der Dienst ist gerade nicht verfügbar.</translation>
    </message>
    <message>
        <source>The service failed (HTTP %1).</source>
        <translation>Im Dienst ist ein Fehler aufgetreten (HTTP %1).</translation>
    </message>
    <message>
        <source>The service answered HTTP %1.</source>
        <translation>Der Dienst hat mit HTTP %1 geantwortet.</translation>
    </message>
</context>
<context>
    <name>stint::client::AuditExport</name>
    <message>
        <source>The export was stopped.</source>
        <translation>Der Export wurde angehalten.</translation>
    </message>
    <message>
        <source>An export is already running.</source>
        <translation>Es läuft bereits ein Export.</translation>
    </message>
    <message>
        <source>Stint cannot write %1: %2.</source>
        <translation>Stint kann %1 nicht schreiben: %2.</translation>
    </message>
    <message>
        <source>The export was cancelled; no file was written.</source>
        <translation>Der Export wurde abgebrochen; es wurde keine Datei geschrieben.</translation>
    </message>
</context>
<context>
    <name>stint::client::BrowserSignIn</name>
    <message>
        <source>Signing in was cancelled.</source>
        <translation>Die Anmeldung wurde abgebrochen.</translation>
    </message>
    <message>
        <source>Signing in is under way already; finish or cancel that first.</source>
        <translation>Es läuft bereits eine Anmeldung; schließen Sie diese zuerst ab oder brechen Sie sie ab.</translation>
    </message>
    <message>
        <source>The Stint service&apos;s address cannot be opened in a browser for signing in.</source>
        <translation>Die Adresse des Stint-Dienstes kann zum Anmelden nicht im Browser geöffnet werden.</translation>
    </message>
    <message>
        <source>No answer came from the browser in time. Sign in again.</source>
        <translation>Vom Browser kam nicht rechtzeitig eine Antwort. Melden Sie sich erneut an.</translation>
    </message>
    <message>
        <source>The sign-in page did not hand over a sign-in code. Sign in again.</source>
        <translation>Die Anmeldeseite hat keinen Anmeldecode übergeben. Melden Sie sich erneut an.</translation>
    </message>
    <message>
        <source>Stint could not open the web browser. Open the address Stint shows in a browser on this computer.</source>
        <translation>Stint konnte den Webbrowser nicht öffnen. Öffnen Sie die Adresse, die Stint anzeigt, in einem Browser auf diesem Computer.</translation>
    </message>
</context>
<context>
    <name>stint::client::CredentialKeeper</name>
    <message>
        <source>This access is not ready (or no longer): there is no credential to show.</source>
        <translation>Dieser Zugriff ist (noch oder nicht mehr) nicht bereit: Es gibt keine Zugangsdaten zum Anzeigen.</translation>
    </message>
    <message>
        <source>Only the technician who asked for this access sees its credential.</source>
        <translation>Nur der Techniker, der diesen Zugriff angefordert hat, sieht seine Zugangsdaten.</translation>
    </message>
</context>
<context>
    <name>stint::client::Fido2SecurityKeys</name>
    <message>
        <source>Signing in with the security key was cancelled.</source>
        <translation>Die Anmeldung mit dem Sicherheitsschlüssel wurde abgebrochen.</translation>
    </message>
    <message>
        <source>No security key found. Plug in your key and try again.</source>
        <translation>Kein Sicherheitsschlüssel gefunden. Stecken Sie Ihren Schlüssel ein und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>A security key is plugged in but could not be opened. On Linux, check that your user may use it (the udev rules of libfido2).</source>
        <translation>Ein Sicherheitsschlüssel ist eingesteckt, konnte aber nicht geöffnet werden. Prüfen Sie unter Linux, ob Ihr Benutzer ihn verwenden darf (die udev-Regeln von libfido2).</translation>
    </message>
    <message>
        <source>Set a PIN on your security key first: the service needs the key to confirm it is you.</source>
        <translation>Legen Sie zuerst eine PIN für Ihren Sicherheitsschlüssel fest: Der Dienst braucht den Schlüssel, um zu bestätigen, dass Sie es sind.</translation>
    </message>
    <message>
        <source>This security key cannot confirm it is you (it has neither a PIN nor a fingerprint reader). Use another key.</source>
        <translation>Dieser Sicherheitsschlüssel kann nicht bestätigen, dass Sie es sind (er hat weder eine PIN noch einen Fingerabdrucksensor). Verwenden Sie einen anderen Schlüssel.</translation>
    </message>
    <message>
        <source>No security key was touched in time. Try again, and touch your key when it blinks.</source>
        <translation>Der Sicherheitsschlüssel wurde nicht rechtzeitig berührt. Versuchen Sie es erneut und berühren Sie den Schlüssel, wenn er blinkt.</translation>
    </message>
    <message>
        <source>The security key stopped the request.</source>
        <translation>Der Sicherheitsschlüssel hat die Anfrage abgebrochen.</translation>
    </message>
    <message>
        <source>The sign-in request could not be prepared for the security key.</source>
        <translation>Die Anmeldeanfrage konnte für den Sicherheitsschlüssel nicht vorbereitet werden.</translation>
    </message>
    <message>
        <source>The security key gave an answer that does not fit the request.</source>
        <translation>Die Antwort des Sicherheitsschlüssels passt nicht zur Anfrage.</translation>
    </message>
    <message>
        <source>The security key answered for another service.</source>
        <translation>Der Sicherheitsschlüssel hat für einen anderen Dienst geantwortet.</translation>
    </message>
    <message>
        <source>The security key did not confirm that it is you.</source>
        <translation>Der Sicherheitsschlüssel hat nicht bestätigt, dass Sie es sind.</translation>
    </message>
    <message>
        <source>The security key was removed before it answered. Plug it in and try again.</source>
        <translation>Der Sicherheitsschlüssel wurde abgezogen, bevor er geantwortet hat. Stecken Sie ihn ein und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>No security key was touched in time.</source>
        <translation>Der Sicherheitsschlüssel wurde nicht rechtzeitig berührt.</translation>
    </message>
    <message>
        <source>The security key stopped answering.</source>
        <translation>Der Sicherheitsschlüssel antwortet nicht mehr.</translation>
    </message>
    <message>
        <source>The PIN of this security key is blocked after too many wrong attempts. The key must be reset (which deletes its passkeys); use another key or ask your admin.</source>
        <translation>Die PIN dieses Sicherheitsschlüssels ist nach zu vielen Fehlversuchen gesperrt. Der Schlüssel muss zurückgesetzt werden (dabei werden seine Passkeys gelöscht); verwenden Sie einen anderen Schlüssel oder wenden Sie sich an Ihren Admin.</translation>
    </message>
    <message numerus="yes">
        <source>Wrong PIN. %n attempt(s) left before the key locks.</source>
        <translation>
            <numerusform>Falsche PIN. Noch %n Versuch, bevor der Schlüssel sperrt.</numerusform>
            <numerusform>Falsche PIN. Noch %n Versuche, bevor der Schlüssel sperrt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>Falsche PIN.</translation>
    </message>
    <message>
        <source>Enter the PIN of your security key.</source>
        <translation>Geben Sie die PIN Ihres Sicherheitsschlüssels ein.</translation>
    </message>
    <message>
        <source>This security key holds no passkey for this service. Use the key you enrolled with.</source>
        <translation>Auf diesem Sicherheitsschlüssel ist kein Passkey für diesen Dienst gespeichert. Verwenden Sie den Schlüssel, mit dem Sie sich registriert haben.</translation>
    </message>
    <message>
        <source>Too many wrong PINs in a row. Unplug the security key, plug it in again and retry.</source>
        <translation>Zu viele falsche PINs hintereinander. Ziehen Sie den Sicherheitsschlüssel ab, stecken Sie ihn wieder ein und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The request was declined on the key.</source>
        <translation>Die Anfrage wurde am Schlüssel abgelehnt.</translation>
    </message>
    <message>
        <source>The security key failed (%1).</source>
        <translation>Fehler am Sicherheitsschlüssel (%1).</translation>
    </message>
    <message>
        <source>The sign-in request is malformed (%1).</source>
        <translation>Die Anmeldeanfrage ist fehlerhaft (%1).</translation>
    </message>
    <message>
        <source>A security key PIN has at least 4 characters and at most 63 bytes.</source>
        <translation>Die PIN eines Sicherheitsschlüssels hat mindestens 4 Zeichen und höchstens 63 Byte.</translation>
    </message>
</context>
<context>
    <name>stint::client::LockedSecret</name>
    <message>
        <source>No memory could be set aside for a secret.</source>
        <translation>Für ein Geheimnis konnte kein Speicher reserviert werden.</translation>
    </message>
</context>
<context>
    <name>stint::client::LoopbackPage</name>
    <message>
        <source>The Stint app cannot reach the Stint service. Check the network and start again from the app.</source>
        <translation>Die Stint-App erreicht den Stint-Dienst nicht. Prüfen Sie das Netzwerk und beginnen Sie in der App von vorn.</translation>
    </message>
    <message>
        <source>You can close this browser tab and return to Stint.</source>
        <translation>Sie können diesen Browser-Tab schließen und zu Stint zurückkehren.</translation>
    </message>
    <message>
        <source>en</source>
        <comment>the language of the browser pages, as a BCP 47 tag</comment>
        <translation>de</translation>
    </message>
    <message>
        <source>Microsoft&apos;s answer reached Stint</source>
        <translation>Die Antwort von Microsoft ist bei Stint angekommen</translation>
    </message>
    <message>
        <source>Stint is now checking the connection to the customer&apos;s tenant. The result shows in the Stint app in a moment.</source>
        <translation>Stint prüft jetzt die Verbindung zum Mandanten des Kunden. Das Ergebnis erscheint gleich in der Stint-App.</translation>
    </message>
    <message>
        <source>You&apos;re signed in to Stint</source>
        <translation>Sie sind bei Stint angemeldet</translation>
    </message>
    <message>
        <source>The Stint app is signed in.</source>
        <translation>Die Stint-App ist angemeldet.</translation>
    </message>
    <message>
        <source>The Stint app is signed in as %1.</source>
        <translation>Die Stint-App ist als %1 angemeldet.</translation>
    </message>
    <message>
        <source>Stint received the answer</source>
        <translation>Stint hat die Antwort erhalten</translation>
    </message>
    <message>
        <source>The Stint app is finishing; it shows the result.</source>
        <translation>Die Stint-App schließt den Vorgang ab und zeigt das Ergebnis.</translation>
    </message>
    <message>
        <source>Microsoft did not grant access</source>
        <translation>Microsoft hat den Zugriff nicht gewährt</translation>
    </message>
    <message>
        <source>Microsoft answered with the error “%1”.</source>
        <translation>Microsoft hat mit dem Fehler „%1“ geantwortet.</translation>
    </message>
    <message>
        <source>Sign in as a Global Administrator of the customer&apos;s tenant, or ask one to connect it.</source>
        <translation>Melden Sie sich als Globaler Administrator des Kundenmandanten an, oder bitten Sie einen Globalen Administrator, ihn zu verbinden.</translation>
    </message>
    <message>
        <source>Nothing was changed; you can start again from Stint.</source>
        <translation>Es wurde nichts geändert; Sie können in Stint von vorn beginnen.</translation>
    </message>
    <message>
        <source>Error code</source>
        <translation>Fehlercode</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Stint could not finish</source>
        <translation>Stint konnte den Vorgang nicht abschließen</translation>
    </message>
    <message>
        <source>Something went wrong. Start again from the Stint app.</source>
        <translation>Etwas ist schiefgegangen. Beginnen Sie in der Stint-App von vorn.</translation>
    </message>
    <message>
        <source>This took too long</source>
        <translation>Das hat zu lange gedauert</translation>
    </message>
    <message>
        <source>Stint stopped waiting for this answer. Start again from the Stint app.</source>
        <translation>Stint wartet nicht mehr auf diese Antwort. Beginnen Sie in der Stint-App von vorn.</translation>
    </message>
    <message>
        <source>Cancelled in Stint</source>
        <translation>In Stint abgebrochen</translation>
    </message>
    <message>
        <source>This was cancelled in the Stint app. Start again there if you still want to.</source>
        <translation>Der Vorgang wurde in der Stint-App abgebrochen. Beginnen Sie dort von vorn, wenn Sie ihn noch möchten.</translation>
    </message>
    <message>
        <source>This answer is not for Stint</source>
        <translation>Diese Antwort ist nicht für Stint</translation>
    </message>
    <message>
        <source>The answer does not belong to the request the Stint app made, so Stint ignored it. If you started in Stint, finish in the browser window that Stint opened, or start again.</source>
        <translation>Die Antwort gehört nicht zu der Anfrage, die die Stint-App gestellt hat, daher hat Stint sie ignoriert. Wenn Sie in Stint begonnen haben, schließen Sie den Vorgang in dem Browserfenster ab, das Stint geöffnet hat, oder beginnen Sie von vorn.</translation>
    </message>
    <message>
        <source>Already done</source>
        <translation>Bereits erledigt</translation>
    </message>
    <message>
        <source>Stint already received an answer for this request; this one was ignored.</source>
        <translation>Stint hat für diese Anfrage bereits eine Antwort erhalten; diese wurde ignoriert.</translation>
    </message>
    <message>
        <source>Stint could not read this request</source>
        <translation>Stint konnte diese Anfrage nicht lesen</translation>
    </message>
    <message>
        <source>The Stint app waits here only for Microsoft&apos;s or the Stint service&apos;s answer.</source>
        <translation>Die Stint-App wartet hier nur auf die Antwort von Microsoft oder vom Stint-Dienst.</translation>
    </message>
    <message>
        <source>Nothing here</source>
        <translation>Hier gibt es nichts</translation>
    </message>
</context>
<context>
    <name>stint::client::LoopbackServer</name>
    <message>
        <source>The listener was already used.</source>
        <translation>Der Empfänger wurde bereits verwendet.</translation>
    </message>
    <message>
        <source>Stint cannot receive the browser&apos;s answer: no port on 127.0.0.1 is free (%1).</source>
        <translation>Stint kann die Antwort des Browsers nicht empfangen: Auf 127.0.0.1 ist kein Port frei (%1).</translation>
    </message>
</context>
<context>
    <name>stint::client::PemFiles</name>
    <message>
        <source>Choose a file.</source>
        <translation>Wählen Sie eine Datei.</translation>
    </message>
    <message>
        <source>%1 is a folder, not a file.</source>
        <translation>%1 ist ein Ordner, keine Datei.</translation>
    </message>
    <message>
        <source>Stint cannot read %1: %2.</source>
        <translation>Stint kann %1 nicht lesen: %2.</translation>
    </message>
    <message>
        <source>%1 is larger than a PEM certificate or key can be (%2 KiB at most). Choose the right file.</source>
        <translation>%1 ist größer, als ein PEM-Zertifikat oder -Schlüssel sein kann (höchstens %2 KiB). Wählen Sie die richtige Datei.</translation>
    </message>
    <message>
        <source>The file is not a complete PEM file: a BEGIN line has no matching END line.</source>
        <translation>Die Datei ist keine vollständige PEM-Datei: Zu einer BEGIN-Zeile fehlt die passende END-Zeile.</translation>
    </message>
    <message>
        <source>The certificate in the file is damaged (its base64 text does not decode).</source>
        <translation>Das Zertifikat in der Datei ist beschädigt (sein Base64-Text lässt sich nicht dekodieren).</translation>
    </message>
    <message>
        <source>The file holds something marked as a certificate that is not a valid X.509 certificate.</source>
        <translation>Die Datei enthält etwas, das als Zertifikat markiert ist, aber kein gültiges X.509-Zertifikat ist.</translation>
    </message>
    <message>
        <source>This file holds a private key, not a certificate. Choose the certificate (.pem, .crt or .cer in PEM form).</source>
        <translation>Diese Datei enthält einen privaten Schlüssel, kein Zertifikat. Wählen Sie das Zertifikat (.pem, .crt oder .cer im PEM-Format).</translation>
    </message>
    <message>
        <source>This file holds no PEM certificate (a block starting &quot;-----BEGIN CERTIFICATE-----&quot;). A DER .cer file must be converted to PEM first.</source>
        <translation>Diese Datei enthält kein PEM-Zertifikat (einen Block, der mit „-----BEGIN CERTIFICATE-----“ beginnt). Eine DER-.cer-Datei muss zuerst in PEM umgewandelt werden.</translation>
    </message>
    <message>
        <source>The private key is protected by a password. Stint needs it without one (it seals the key in the service); export it unencrypted, for example with &quot;openssl pkey -in key.pem -out plain.pem&quot;.</source>
        <translation>Der private Schlüssel ist mit einem Kennwort geschützt. Stint braucht ihn ohne Kennwort (der Schlüssel wird im Dienst versiegelt); exportieren Sie ihn unverschlüsselt, zum Beispiel mit „openssl pkey -in key.pem -out plain.pem“.</translation>
    </message>
    <message>
        <source>The key is not an RSA key (%1). Microsoft Entra accepts only RSA certificates for app sign-in.</source>
        <translation>Der Schlüssel ist kein RSA-Schlüssel (%1). Microsoft Entra akzeptiert für die App-Anmeldung nur RSA-Zertifikate.</translation>
    </message>
    <message>
        <source>The private key in the file is damaged (its base64 text does not decode).</source>
        <translation>Der private Schlüssel in der Datei ist beschädigt (sein Base64-Text lässt sich nicht dekodieren).</translation>
    </message>
    <message>
        <source>The key is not an RSA key. Microsoft Entra accepts only RSA certificates for app sign-in.</source>
        <translation>Der Schlüssel ist kein RSA-Schlüssel. Microsoft Entra akzeptiert für die App-Anmeldung nur RSA-Zertifikate.</translation>
    </message>
    <message>
        <source>This file holds a certificate, not its private key. Choose the key file (often .key or .pem).</source>
        <translation>Diese Datei enthält ein Zertifikat, nicht dessen privaten Schlüssel. Wählen Sie die Schlüsseldatei (oft .key oder .pem).</translation>
    </message>
    <message>
        <source>This file holds no PEM private key (a block starting &quot;-----BEGIN PRIVATE KEY-----&quot;).</source>
        <translation>Diese Datei enthält keinen privaten PEM-Schlüssel (einen Block, der mit „-----BEGIN PRIVATE KEY-----“ beginnt).</translation>
    </message>
</context>
<context>
    <name>stint::client::SecurityKeySignIn</name>
    <message>
        <source>Signing in with the security key was cancelled.</source>
        <translation>Die Anmeldung mit dem Sicherheitsschlüssel wurde abgebrochen.</translation>
    </message>
</context>
<context>
    <name>stint::client::SessionKeeper</name>
    <message>
        <source>The service&apos;s answer to the sign-in cannot be used.</source>
        <translation>Die Antwort des Dienstes auf die Anmeldung ist unbrauchbar.</translation>
    </message>
</context>
<context>
    <name>stint::client::SqlCipherReplica</name>
    <message>
        <source>Cannot create the folder for the local cache (%1).</source>
        <translation>Der Ordner für die lokale Kopie kann nicht angelegt werden (%1).</translation>
    </message>
    <message>
        <source>The local cache cannot be opened with its key (the key was lost or replaced, or the file is not a cache).</source>
        <translation>Die lokale Kopie lässt sich mit ihrem Schlüssel nicht öffnen (der Schlüssel ging verloren oder wurde ersetzt, oder die Datei ist keine lokale Kopie).</translation>
    </message>
    <message>
        <source>The local cache cannot be read: %1</source>
        <translation>Die lokale Kopie kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>The local cache cannot be opened: %1</source>
        <translation>Die lokale Kopie kann nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <source>The damaged local cache %1 cannot be removed.</source>
        <translation>Die beschädigte lokale Kopie %1 kann nicht entfernt werden.</translation>
    </message>
    <message>
        <source>A new local cache cannot be created: %1</source>
        <translation>Eine neue lokale Kopie kann nicht angelegt werden: %1</translation>
    </message>
    <message>
        <source>A new local cache cannot be set up: %1</source>
        <translation>Eine neue lokale Kopie kann nicht eingerichtet werden: %1</translation>
    </message>
    <message>
        <source>The local cache is damaged.</source>
        <translation>Die lokale Kopie ist beschädigt.</translation>
    </message>
    <message>
        <source>The local cache was written by a newer version of Stint.</source>
        <translation>Die lokale Kopie wurde von einer neueren Stint-Version geschrieben.</translation>
    </message>
    <message>
        <source>The local cache cannot be set up: %1</source>
        <translation>Die lokale Kopie kann nicht eingerichtet werden: %1</translation>
    </message>
    <message>
        <source>The local cache belongs to another person or service.</source>
        <translation>Die lokale Kopie gehört zu einer anderen Person oder einem anderen Dienst.</translation>
    </message>
    <message>
        <source>The local cache does not say whose it is.</source>
        <translation>Die lokale Kopie gibt nicht an, wem sie gehört.</translation>
    </message>
    <message>
        <source>The local cache is not open.</source>
        <translation>Die lokale Kopie ist nicht geöffnet.</translation>
    </message>
</context>
<context>
    <name>stint::client::TenantConnector</name>
    <message>
        <source>Connecting the tenant was cancelled.</source>
        <translation>Das Verbinden des Mandanten wurde abgebrochen.</translation>
    </message>
    <message>
        <source>A tenant is being connected already; finish or cancel that first.</source>
        <translation>Es wird bereits ein Mandant verbunden; schließen Sie das zuerst ab oder brechen Sie es ab.</translation>
    </message>
    <message>
        <source>No answer came from the browser in time. Start connecting the tenant again.</source>
        <translation>Vom Browser kam nicht rechtzeitig eine Antwort. Beginnen Sie erneut, den Mandanten zu verbinden.</translation>
    </message>
    <message>
        <source>Microsoft did not grant the connection: %1</source>
        <translation>Microsoft hat die Verbindung nicht gewährt: %1</translation>
    </message>
    <message>
        <source>The Stint service sent an address for the browser that Stint does not open (it must use https).</source>
        <translation>Der Stint-Dienst hat eine Adresse für den Browser gesendet, die Stint nicht öffnet (sie muss https verwenden).</translation>
    </message>
    <message>
        <source>Stint could not open the web browser. Open the address Stint shows in a browser on this computer.</source>
        <translation>Stint konnte den Webbrowser nicht öffnen. Öffnen Sie die Adresse, die Stint anzeigt, in einem Browser auf diesem Computer.</translation>
    </message>
</context>
<context>
    <name>stint::client::WebSocketEventChannel</name>
    <message>
        <source>The live channel stopped answering.</source>
        <translation>Die Live-Verbindung antwortet nicht mehr.</translation>
    </message>
    <message>
        <source>The live channel sent something this app does not understand (%1).</source>
        <translation>Über die Live-Verbindung kam etwas, das diese App nicht versteht (%1).</translation>
    </message>
    <message>
        <source>The live channel was closed by the service.</source>
        <translation>Der Dienst hat die Live-Verbindung geschlossen.</translation>
    </message>
    <message>
        <source>The live channel was disconnected.</source>
        <translation>Die Live-Verbindung wurde getrennt.</translation>
    </message>
    <message>
        <source>The live channel was disconnected (%1).</source>
        <translation>Die Live-Verbindung wurde getrennt (%1).</translation>
    </message>
</context>
<context>
    <name>stint::client::portals</name>
    <message>
        <source>Microsoft Entra admin center</source>
        <translation>Microsoft Entra Admin Center</translation>
    </message>
    <message>
        <source>Azure portal</source>
        <translation>Azure-Portal</translation>
    </message>
    <message>
        <source>Microsoft 365 admin center</source>
        <translation>Microsoft 365 Admin Center</translation>
    </message>
    <message>
        <source>Microsoft Intune admin center</source>
        <translation>Microsoft Intune Admin Center</translation>
    </message>
    <message>
        <source>Exchange admin center</source>
        <translation>Exchange Admin Center</translation>
    </message>
</context>
<context>
    <name>stint::desktop::DesktopCloudServices</name>
    <message>
        <source>The folder for saved data cannot be created.</source>
        <translation>Der Ordner für die gespeicherten Daten kann nicht angelegt werden.</translation>
    </message>
</context>
<context>
    <name>stint::ui::AboutDialog</name>
    <message>
        <source>About Stint</source>
        <translation>Über Stint</translation>
    </message>
    <message>
        <source>Stint icon</source>
        <translation>Stint-Symbol</translation>
    </message>
    <message>
        <source>Stint %1</source>
        <translation>Stint %1</translation>
    </message>
    <message>
        <source>Just-in-time admin access to your customers&apos; Microsoft Entra ID tenants: ask, use it for as long as you need, and it is taken away again.</source>
        <translation>Just-in-Time-Adminzugriff auf die Microsoft Entra ID-Mandanten Ihrer Kunden: anfordern, so lange wie nötig nutzen, und danach wird er wieder entzogen.</translation>
    </message>
    <message>
        <source>Service: %1</source>
        <translation>Dienst: %1</translation>
    </message>
    <message>
        <source>Qt %1</source>
        <translation>Qt %1</translation>
    </message>
    <message>
        <source>Licensed under the GNU General Public License, version 3 or later.</source>
        <translation>Lizenziert unter der GNU General Public License, Version 3 oder neuer.</translation>
    </message>
</context>
<context>
    <name>stint::ui::ActionStatus</name>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>stint::ui::AddTenantDialog</name>
    <message>
        <source>Add a customer tenant</source>
        <translation>Kundenmandant hinzufügen</translation>
    </message>
    <message>
        <source>The customer&apos;s name, e.g. Contoso Ltd</source>
        <translation>Der Name des Kunden, z. B. Contoso GmbH</translation>
    </message>
    <message>
        <source>Optional: contract, contacts, anything technicians should know</source>
        <translation>Optional: Vertrag, Ansprechpartner, alles, was Techniker wissen sollten</translation>
    </message>
    <message>
        <source>Add the customer first; then connect it to Microsoft Entra ID from its page.</source>
        <translation>Legen Sie zuerst den Kunden an; verbinden Sie ihn dann auf seiner Seite mit Microsoft Entra ID.</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>N&amp;otes</source>
        <translation>N&amp;otizen</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <source>&amp;Add tenant</source>
        <translation>Mandant &amp;hinzufügen</translation>
    </message>
    <message>
        <source>Enter the customer&apos;s name</source>
        <translation>Geben Sie den Namen des Kunden ein</translation>
    </message>
    <message>
        <source>Adding %1…</source>
        <translation>%1 wird hinzugefügt…</translation>
    </message>
</context>
<context>
    <name>stint::ui::AdminPage</name>
    <message>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
</context>
<context>
    <name>stint::ui::AdminTenantModel</name>
    <message>
        <source>Tenant</source>
        <translation>Mandant</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Account domain</source>
        <translation>Kontodomäne</translation>
    </message>
    <message>
        <source>Live checkouts</source>
        <translation>Zugriffe</translation>
    </message>
    <message>
        <source>not chosen</source>
        <translation>nicht gewählt</translation>
    </message>
</context>
<context>
    <name>stint::ui::AdminView</name>
    <message>
        <source>Administration</source>
        <translation>Verwaltung</translation>
    </message>
    <message>
        <source>Admin pages</source>
        <translation>Verwaltungsseiten</translation>
    </message>
    <message>
        <source>Tenants</source>
        <translation>Mandanten</translation>
    </message>
    <message>
        <source>People</source>
        <translation>Personen</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>Policies</source>
        <translation>Richtlinien</translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation>Genehmigungen</translation>
    </message>
    <message>
        <source>Live checkouts</source>
        <translation>Laufende Zugriffe</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Warnungen</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Audit-Protokoll</translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation>Webhooks</translation>
    </message>
    <message>
        <source>For admins only</source>
        <translation>Nur für Admins</translation>
    </message>
    <message>
        <source>These pages manage tenants, people and policies. Ask an admin of your organization if you need them.</source>
        <translation>Auf diesen Seiten werden Mandanten, Personen und Richtlinien verwaltet. Wenden Sie sich an einen Admin Ihrer Organisation, wenn Sie sie brauchen.</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message numerus="yes">
        <source>%n new</source>
        <translation>
            <numerusform>%n neu</numerusform>
            <numerusform>%n neu</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation>
            <numerusform>%n wartet</numerusform>
            <numerusform>%n warten</numerusform>
        </translation>
    </message>
    <message>
        <source>Showing what Stint last knew%1; connecting to the service…</source>
        <translation>Stint zeigt den zuletzt bekannten Stand%1; Verbindung zum Dienst wird hergestellt…</translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation> (%1)</translation>
    </message>
    <message>
        <source>Offline: showing what Stint last knew</source>
        <translation>Offline: Stint zeigt den zuletzt bekannten Stand</translation>
    </message>
    <message numerus="yes">
        <source>Trying again in %n s.</source>
        <translation>
            <numerusform>Neuer Versuch in %n s.</numerusform>
            <numerusform>Neuer Versuch in %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>Trying again…</source>
        <translation>Neuer Versuch…</translation>
    </message>
    <message>
        <source>&amp;Retry now</source>
        <translation>&amp;Jetzt erneut versuchen</translation>
    </message>
</context>
<context>
    <name>stint::ui::AlertsModel</name>
    <message>
        <source>Revocation failing</source>
        <translation>Entzug schlägt fehl</translation>
    </message>
    <message>
        <source>Drift found</source>
        <translation>Abweichung gefunden</translation>
    </message>
    <message>
        <source>Connection unhealthy</source>
        <translation>Verbindung gestört</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation>Mandant</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Was geschah</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>Ausgelöst</translation>
    </message>
    <message>
        <source>Seen</source>
        <translation>Gesehen</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Neu</translation>
    </message>
</context>
<context>
    <name>stint::ui::AlertsPage</name>
    <message>
        <source>Alerts</source>
        <translation>Warnungen</translation>
    </message>
    <message>
        <source>Things Stint could not put right on its own: revocations it could not confirm, accounts found out of step, connections that stopped working.</source>
        <translation>Was Stint nicht selbst beheben konnte: Entzüge, die es nicht bestätigen konnte, abweichende Konten und Verbindungen, die nicht mehr funktionieren.</translation>
    </message>
    <message>
        <source>Mark all as &amp;seen</source>
        <translation>Alle als gesehen &amp;markieren</translation>
    </message>
    <message>
        <source>Search alerts</source>
        <translation>Warnungen durchsuchen</translation>
    </message>
    <message>
        <source>Choose an alert to see it in full.</source>
        <translation>Wählen Sie eine Warnung, um sie vollständig zu sehen.</translation>
    </message>
    <message>
        <source>Mark as s&amp;een</source>
        <translation>Als gesehen ma&amp;rkieren</translation>
    </message>
    <message>
        <source>All clear</source>
        <translation>Alles in Ordnung</translation>
    </message>
    <message>
        <source>Revocations Stint cannot confirm, accounts found out of step and unhealthy connections show up here.</source>
        <translation>Entzüge, die Stint nicht bestätigen kann, abweichende Konten und gestörte Verbindungen erscheinen hier.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>No details were given.</source>
        <translation>Es wurden keine Details angegeben.</translation>
    </message>
    <message>
        <source>Raised %1.</source>
        <translation>Ausgelöst %1.</translation>
    </message>
    <message>
        <source>What to do: Stint keeps trying. Meanwhile, check the account in the tenant&apos;s Entra admin center and disable it by hand if it still has access.</source>
        <translation>Was zu tun ist: Stint versucht es weiter. Prüfen Sie inzwischen das Konto im Entra Admin Center des Mandanten und deaktivieren Sie es von Hand, falls es noch Zugriff hat.</translation>
    </message>
    <message>
        <source>What to do: Stint has revoked what it found. Look in the audit log for who or what enabled the account outside Stint.</source>
        <translation>Was zu tun ist: Stint hat entzogen, was es gefunden hat. Sehen Sie im Audit-Protokoll nach, wer oder was das Konto außerhalb von Stint aktiviert hat.</translation>
    </message>
    <message>
        <source>What to do: open the tenant and follow its health findings, then press Check now.</source>
        <translation>Was zu tun ist: Öffnen Sie den Mandanten, folgen Sie seinen Befunden zum Zustand und klicken Sie dann auf „Jetzt prüfen“.</translation>
    </message>
    <message>
        <source>&amp;Open checkout</source>
        <translation>Zugriff ö&amp;ffnen</translation>
    </message>
    <message>
        <source>&amp;Open tenant</source>
        <translation>Mandant &amp;öffnen</translation>
    </message>
</context>
<context>
    <name>stint::ui::ApprovalsModel</name>
    <message>
        <source>Technician</source>
        <translation>Techniker</translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation>Mandant</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <source>For</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartet</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (Sie)</translation>
    </message>
</context>
<context>
    <name>stint::ui::ApprovalsPage</name>
    <message>
        <source>Approvals</source>
        <translation>Genehmigungen</translation>
    </message>
    <message>
        <source>Requests whose policy asks an admin to approve them. The technician waits until you decide.</source>
        <translation>Anfragen, deren Richtlinie die Genehmigung durch einen Admin verlangt. Der Techniker wartet, bis Sie entscheiden.</translation>
    </message>
    <message>
        <source>Search technicians, tenants, tickets</source>
        <translation>Techniker, Mandant, Ticket</translation>
    </message>
    <message>
        <source>Requests waiting for approval</source>
        <translation>Anfragen, die auf Genehmigung warten</translation>
    </message>
    <message>
        <source>Choose a request to decide it.</source>
        <translation>Wählen Sie eine Anfrage, um darüber zu entscheiden.</translation>
    </message>
    <message>
        <source>This is your own request: another admin decides it.</source>
        <translation>Das ist Ihre eigene Anfrage: Ein anderer Admin entscheidet darüber.</translation>
    </message>
    <message>
        <source>Co&amp;mment for the technician (optional)</source>
        <translation>&amp;Kommentar für den Techniker (optional)</translation>
    </message>
    <message>
        <source>Comment for the technician</source>
        <translation>Kommentar für den Techniker</translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation>Ge&amp;nehmigen</translation>
    </message>
    <message>
        <source>&amp;Deny…</source>
        <translation>Ab&amp;lehnen…</translation>
    </message>
    <message>
        <source>Nothing waiting</source>
        <translation>Nichts offen</translation>
    </message>
    <message>
        <source>Requests that need an admin&apos;s approval appear here, and Stint tells you when one arrives.</source>
        <translation>Anfragen, die ein Admin genehmigen muss, erscheinen hier, und Stint meldet Ihnen, wenn eine eintrifft.</translation>
    </message>
    <message>
        <source>%1 asks for access to %2</source>
        <translation>%1 fordert Zugriff auf %2 an</translation>
    </message>
    <message>
        <source>Roles: %1</source>
        <translation>Rollen: %1</translation>
    </message>
    <message>
        <source>For %1</source>
        <translation>Für %1</translation>
    </message>
    <message>
        <source>Ticket: %1</source>
        <translation>Ticket: %1</translation>
    </message>
    <message>
        <source>No justification given.</source>
        <translation>Keine Begründung angegeben.</translation>
    </message>
    <message>
        <source>Why: %1</source>
        <translation>Begründung: %1</translation>
    </message>
    <message>
        <source>Asked %1 (%2).</source>
        <translation>Angefragt %1 (%2).</translation>
    </message>
    <message>
        <source>Unless decided within %1, the request lapses.</source>
        <translation>Ohne Entscheidung innerhalb von %1 verfällt die Anfrage.</translation>
    </message>
    <message>
        <source>Approving…</source>
        <translation>Wird genehmigt…</translation>
    </message>
    <message>
        <source>Approved: Stint is preparing %1&apos;s access to %2.</source>
        <translation>Genehmigt: Stint bereitet den Zugriff von %1 auf %2 vor.</translation>
    </message>
    <message>
        <source>Deny %1&apos;s request?</source>
        <translation>Anfrage von %1 ablehnen?</translation>
    </message>
    <message>
        <source>%1 does not get access to %2, and sees your comment.</source>
        <translation>%1 erhält keinen Zugriff auf %2 und sieht Ihren Kommentar.</translation>
    </message>
    <message>
        <source>Deny</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>&amp;Comment for %1</source>
        <translation>&amp;Kommentar für %1</translation>
    </message>
    <message>
        <source>Denying…</source>
        <translation>Wird abgelehnt…</translation>
    </message>
    <message>
        <source>Denied. %1 has been told.</source>
        <translation>Abgelehnt. %1 wurde benachrichtigt.</translation>
    </message>
</context>
<context>
    <name>stint::ui::AuditExportDialog</name>
    <message>
        <source>&amp;CSV, for spreadsheets (details as JSON in one column)</source>
        <translation>&amp;CSV, für Tabellenkalkulationen (Details als JSON in einer Spalte)</translation>
    </message>
    <message>
        <source>&amp;JSON Lines, one event per line as the API gives it (for tools)</source>
        <translation>&amp;JSON Lines, ein Ereignis pro Zeile wie von der API geliefert (für Werkzeuge)</translation>
    </message>
    <message>
        <source>Export the audit log</source>
        <translation>Audit-Protokoll exportieren</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>ab %1</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>bis %1</translation>
    </message>
    <message>
        <source>by %1</source>
        <translation>von %1</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>in %1</translation>
    </message>
    <message>
        <source>actions %1</source>
        <translation>Aktionen %1</translation>
    </message>
    <message>
        <source>Every event of the log.</source>
        <translation>Alle Ereignisse des Protokolls.</translation>
    </message>
    <message>
        <source>Every event %1.</source>
        <translation>Alle Ereignisse %1.</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose where to save</source>
        <translation>Speicherort wählen</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) written, back to %1…</source>
        <translation>
            <numerusform>%n Ereignis geschrieben, zurück bis %1…</numerusform>
            <numerusform>%n Ereignisse geschrieben, zurück bis %1…</numerusform>
        </translation>
    </message>
    <message>
        <source>Save the audit log as</source>
        <translation>Audit-Protokoll speichern unter</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>JSON Lines files (*.jsonl)</source>
        <translation>JSON-Lines-Dateien (*.jsonl)</translation>
    </message>
    <message>
        <source>Choose a file to save to.</source>
        <translation>Wählen Sie eine Datei zum Speichern.</translation>
    </message>
    <message>
        <source>Reading the log…</source>
        <translation>Protokoll wird gelesen…</translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) written to %1.</source>
        <translation>
            <numerusform>%n Ereignis in %1 geschrieben.</numerusform>
            <numerusform>%n Ereignisse in %1 geschrieben.</numerusform>
        </translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>stint::ui::AuditModel</name>
    <message>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Abgewiesen</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Wer</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation>Mandant</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Stint</source>
        <translation>Stint</translation>
    </message>
</context>
<context>
    <name>stint::ui::AuditPage</name>
    <message>
        <source>Audit log</source>
        <translation>Audit-Protokoll</translation>
    </message>
    <message>
        <source>Everything done in Stint, by whom and when, in a tamper-evident chain. Filter it, read each event in full, and export it.</source>
        <translation>Alles, was in Stint getan wurde, von wem und wann, in einer manipulationssicheren Kette. Filtern Sie es, lesen Sie jedes Ereignis vollständig und exportieren Sie es.</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>E&amp;xportieren…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <source>Search the loaded events</source>
        <translation>Ereignisse durchsuchen</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>Vo&amp;n</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>&amp;To</source>
        <translation>&amp;Bis</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation>Mandant</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>An action&apos;s full name, or the start of it ending with a dot</source>
        <translation>Der vollständige Name einer Aktion oder ihr Anfang, mit einem Punkt am Ende</translation>
    </message>
    <message>
        <source>any action</source>
        <translation>jede Aktion</translation>
    </message>
    <message>
        <source>&amp;Who</source>
        <translation>&amp;Wer</translation>
    </message>
    <message>
        <source>T&amp;enant</source>
        <translation>&amp;Mandant</translation>
    </message>
    <message>
        <source>&amp;Action</source>
        <translation>Ak&amp;tion</translation>
    </message>
    <message>
        <source>C&amp;lear filters</source>
        <translation>Filter zu&amp;rücksetzen</translation>
    </message>
    <message>
        <source>Audit events</source>
        <translation>Audit-Ereignisse</translation>
    </message>
    <message>
        <source>Load &amp;more</source>
        <translation>Mehr &amp;laden</translation>
    </message>
    <message>
        <source>Choose an event to read it in full.</source>
        <translation>Wählen Sie ein Ereignis, um es vollständig zu lesen.</translation>
    </message>
    <message>
        <source>Event details</source>
        <translation>Ereignisdetails</translation>
    </message>
    <message>
        <source>Anyone</source>
        <translation>Alle Personen</translation>
    </message>
    <message>
        <source>Any tenant</source>
        <translation>Alle Mandanten</translation>
    </message>
    <message>
        <source>“From” must be before “To”.</source>
        <translation>„Von“ muss vor „Bis“ liegen.</translation>
    </message>
    <message>
        <source>Reading older events…</source>
        <translation>Ältere Ereignisse werden gelesen…</translation>
    </message>
    <message>
        <source>Reading the log…</source>
        <translation>Protokoll wird gelesen…</translation>
    </message>
    <message>
        <source>No events match these filters.</source>
        <translation>Keine Ereignisse entsprechen diesen Filtern.</translation>
    </message>
    <message numerus="yes">
        <source>All %n event(s) shown.</source>
        <translation>
            <numerusform>%n Ereignis angezeigt (alle).</numerusform>
            <numerusform>Alle %n Ereignisse angezeigt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The newest %n event(s) shown.</source>
        <translation>
            <numerusform>%n Ereignis angezeigt (das neueste).</numerusform>
            <numerusform>Die neuesten %n Ereignisse angezeigt.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>By %1</source>
        <translation>Von %1</translation>
    </message>
    <message>
        <source>At %1 (%2)</source>
        <translation>Zeitpunkt: %1 (%2)</translation>
    </message>
    <message>
        <source>Tenant: %1</source>
        <translation>Mandant: %1</translation>
    </message>
    <message>
        <source>Target: %1 %2</source>
        <translation>Ziel: %1 %2</translation>
    </message>
    <message>
        <source>From %1</source>
        <translation>Von %1</translation>
    </message>
    <message>
        <source>Event %1 · hash %2</source>
        <translation>Ereignis %1 · Hash %2</translation>
    </message>
    <message>
        <source>(no details)</source>
        <translation>(keine Details)</translation>
    </message>
</context>
<context>
    <name>stint::ui::Banner</name>
    <message>
        <source>Status message</source>
        <translation>Statusmeldung</translation>
    </message>
</context>
<context>
    <name>stint::ui::BusySpinner</name>
    <message>
        <source>Working</source>
        <translation>In Arbeit</translation>
    </message>
</context>
<context>
    <name>stint::ui::CheckoutActions</name>
    <message>
        <source>This access is not live any more: there is nothing to end.</source>
        <translation>Dieser Zugriff ist nicht mehr aktiv: Es gibt nichts zu beenden.</translation>
    </message>
    <message>
        <source>Withdraw request</source>
        <translation>Anfrage zurückziehen</translation>
    </message>
    <message>
        <source>End access</source>
        <translation>Zugriff beenden</translation>
    </message>
    <message>
        <source>Withdraw your request for access to %1?</source>
        <translation>Ihre Anfrage für Zugriff auf %1 zurückziehen?</translation>
    </message>
    <message>
        <source>Nothing has been granted yet. You can ask again later.</source>
        <translation>Es wurde noch nichts gewährt. Sie können später erneut anfragen.</translation>
    </message>
    <message>
        <source>End your access to %1 now?</source>
        <translation>Ihren Zugriff auf %1 jetzt beenden?</translation>
    </message>
    <message>
        <source>Stint takes the roles away from %1, disables the account and forgets its credential. Anything you are signed in to with it stops working. You can request access again later.</source>
        <translation>Stint entzieht %1 die Rollen, deaktiviert das Konto und verwirft die Zugangsdaten. Alles, wobei Sie damit angemeldet sind, funktioniert nicht mehr. Sie können später erneut Zugriff anfordern.</translation>
    </message>
    <message>
        <source>your account</source>
        <translation>Ihrem Konto</translation>
    </message>
    <message>
        <source>&amp;Withdraw request</source>
        <translation>Anfrage &amp;zurückziehen</translation>
    </message>
    <message>
        <source>&amp;End access</source>
        <translation>Zugriff &amp;beenden</translation>
    </message>
    <message>
        <source>&amp;Keep request</source>
        <translation>Anfrage &amp;behalten</translation>
    </message>
    <message>
        <source>&amp;Keep access</source>
        <translation>Zugriff b&amp;ehalten</translation>
    </message>
    <message>
        <source>It had already ended.</source>
        <translation>Er war bereits beendet.</translation>
    </message>
    <message>
        <source>Withdrawing the request…</source>
        <translation>Anfrage wird zurückgezogen…</translation>
    </message>
    <message>
        <source>Ending access…</source>
        <translation>Zugriff wird beendet…</translation>
    </message>
    <message>
        <source>The request was not withdrawn.</source>
        <translation>Die Anfrage wurde nicht zurückgezogen.</translation>
    </message>
    <message>
        <source>Access was not ended.</source>
        <translation>Der Zugriff wurde nicht beendet.</translation>
    </message>
    <message>
        <source>Only ready access can be extended.</source>
        <translation>Nur bereite Zugriffe können verlängert werden.</translation>
    </message>
    <message>
        <source>Not extended: this access already lasts as long as your access policy allows.</source>
        <translation>Nicht verlängert: Dieser Zugriff dauert bereits so lange, wie Ihre Zugriffsrichtlinie erlaubt.</translation>
    </message>
    <message>
        <source>Extending by %1…</source>
        <translation>Wird um %1 verlängert…</translation>
    </message>
    <message>
        <source>Not extended: the access policy says it %1.</source>
        <translation>Nicht verlängert; die Zugriffsrichtlinie sagt: %1.</translation>
    </message>
    <message>
        <source>Not extended.</source>
        <translation>Nicht verlängert.</translation>
    </message>
    <message>
        <source>Extended by %1. Access now ends at %2.</source>
        <translation>Um %1 verlängert. Der Zugriff endet jetzt %2.</translation>
    </message>
    <message>
        <source>Extended by %1.</source>
        <translation>Um %1 verlängert.</translation>
    </message>
    <message>
        <source>Admin portals open once your access is ready.</source>
        <translation>Admin-Portale lassen sich öffnen, sobald Ihr Zugriff bereit ist.</translation>
    </message>
    <message>
        <source>Stint could not open your web browser. The link to the %1 was copied instead: paste it into your browser.</source>
        <translation>Stint konnte Ihren Webbrowser nicht öffnen. Stattdessen wurde der Link zum %1 kopiert: Fügen Sie ihn in Ihren Browser ein.</translation>
    </message>
    <message>
        <source>Opened the %1 in your browser.</source>
        <translation>%1 wurde in Ihrem Browser geöffnet.</translation>
    </message>
    <message>
        <source>Opened the %1 in your browser. Sign in as %2.</source>
        <translation>%1 wurde in Ihrem Browser geöffnet. Melden Sie sich als %2 an.</translation>
    </message>
</context>
<context>
    <name>stint::ui::CheckoutCard</name>
    <message>
        <source>Time left</source>
        <translation>Verbleibende Zeit</translation>
    </message>
    <message>
        <source>Copy &amp;user name</source>
        <translation>&amp;Benutzernamen kopieren</translation>
    </message>
    <message>
        <source>&amp;Launch</source>
        <translation>Portal &amp;öffnen</translation>
    </message>
    <message>
        <source>E&amp;xtend…</source>
        <translation>Ver&amp;längern…</translation>
    </message>
    <message>
        <source>&amp;End now</source>
        <translation>Jetzt b&amp;eenden</translation>
    </message>
    <message>
        <source>Copies the account&apos;s user name (not secret)</source>
        <translation>Kopiert den Benutzernamen des Kontos (nicht geheim)</translation>
    </message>
    <message>
        <source>Opens a Microsoft admin portal for this tenant, signing in as this account</source>
        <translation>Öffnet ein Microsoft-Admin-Portal für diesen Mandanten und meldet sich mit diesem Konto an</translation>
    </message>
    <message>
        <source>Asks for more time, within what your access policy allows</source>
        <translation>Bittet um mehr Zeit, im Rahmen Ihrer Zugriffsrichtlinie</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>Temporary Access Pass</source>
        <translation>Befristeter Zugriffspass</translation>
    </message>
    <message>
        <source>User name copied.</source>
        <translation>Benutzername kopiert.</translation>
    </message>
    <message>
        <source>Your last request</source>
        <translation>Ihre letzte Anfrage</translation>
    </message>
    <message>
        <source>Your access</source>
        <translation>Ihr Zugriff</translation>
    </message>
    <message>
        <source>%1 asked for</source>
        <translation>%1 angefordert</translation>
    </message>
    <message>
        <source>&amp;Withdraw request</source>
        <translation>Anfrage &amp;zurückziehen</translation>
    </message>
    <message>
        <source>Withdraws this request; asks to confirm</source>
        <translation>Zieht diese Anfrage zurück; mit Rückfrage</translation>
    </message>
    <message>
        <source>Ends this access now and disables the account; asks to confirm</source>
        <translation>Beendet diesen Zugriff sofort und deaktiviert das Konto; mit Rückfrage</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Time left (last known)</source>
        <translation>Verbleibende Zeit (zuletzt bekannt)</translation>
    </message>
    <message>
        <source>Time is up: Stint is ending this access.</source>
        <translation>Die Zeit ist abgelaufen: Stint beendet diesen Zugriff.</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>bis %1</translation>
    </message>
</context>
<context>
    <name>stint::ui::CheckoutText</name>
    <message>
        <source>Microsoft Graph asked to slow down</source>
        <translation>Microsoft Graph hat um Drosselung gebeten</translation>
    </message>
    <message>
        <source>Microsoft&apos;s service could not be reached</source>
        <translation>Der Microsoft-Dienst war nicht erreichbar</translation>
    </message>
    <message>
        <source>Microsoft Entra ID is still spreading the new account</source>
        <translation>Microsoft Entra ID verteilt das neue Konto noch</translation>
    </message>
    <message>
        <source>Microsoft&apos;s service had a temporary problem</source>
        <translation>Der Microsoft-Dienst hatte ein vorübergehendes Problem</translation>
    </message>
    <message>
        <source>a step has to be tried again</source>
        <translation>ein Schritt muss wiederholt werden</translation>
    </message>
    <message>
        <source>The time was up.</source>
        <translation>Die Zeit war abgelaufen.</translation>
    </message>
    <message>
        <source>You ended it early.</source>
        <translation>Sie haben ihn vorzeitig beendet.</translation>
    </message>
    <message>
        <source>Your access policy no longer grants it.</source>
        <translation>Ihre Zugriffsrichtlinie gewährt ihn nicht mehr.</translation>
    </message>
    <message>
        <source>the tenant</source>
        <translation>dem Mandanten</translation>
    </message>
    <message>
        <source>Waiting for %1 to be connected to Microsoft Entra ID. Stint prepares your access as soon as an administrator connects it.</source>
        <translation>Warten auf die Verbindung von %1 mit Microsoft Entra ID. Stint bereitet Ihren Zugriff vor, sobald ein Administrator sie herstellt.</translation>
    </message>
    <message>
        <source>Request sent. Stint is checking it against your access policies.</source>
        <translation>Anfrage gesendet. Stint prüft sie anhand Ihrer Zugriffsrichtlinien.</translation>
    </message>
    <message>
        <source>Waiting for an administrator to approve. The request lapses %1 (%2) if nobody decides.</source>
        <translation>Warten auf Genehmigung durch einen Administrator. Die Anfrage verfällt %1 (%2), wenn niemand entscheidet.</translation>
    </message>
    <message>
        <source>Waiting for an administrator to approve.</source>
        <translation>Warten auf Genehmigung durch einen Administrator.</translation>
    </message>
    <message>
        <source>Still preparing: %1, retrying (attempt %2).</source>
        <translation>Noch in Vorbereitung: %1, neuer Versuch (Versuch %2).</translation>
    </message>
    <message>
        <source>Preparing your account in %1: creating or enabling it, setting a fresh credential and assigning the roles.</source>
        <translation>Ihr Konto in %1 wird vorbereitet: Es wird angelegt oder aktiviert, erhält neue Zugangsdaten und die Rollen.</translation>
    </message>
    <message>
        <source>Ready. Sign in as %1.</source>
        <translation>Bereit. Melden Sie sich als %1 an.</translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>Bereit.</translation>
    </message>
    <message>
        <source>Ending access: removing the roles and disabling the account.</source>
        <translation>Zugriff wird beendet: Rollen werden entfernt und das Konto wird deaktiviert.</translation>
    </message>
    <message>
        <source>Ending access: %1 Removing the roles and disabling the account.</source>
        <translation>Zugriff wird beendet: %1 Rollen werden entfernt und das Konto wird deaktiviert.</translation>
    </message>
    <message>
        <source>Stint could not yet confirm that this access was removed. It keeps trying, and administrators have been alerted.</source>
        <translation>Stint konnte noch nicht bestätigen, dass dieser Zugriff entzogen wurde. Es versucht es weiter, und die Administratoren wurden alarmiert.</translation>
    </message>
    <message>
        <source>Access ended.</source>
        <translation>Zugriff beendet.</translation>
    </message>
    <message>
        <source>Access ended. %1</source>
        <translation>Zugriff beendet. %1</translation>
    </message>
    <message>
        <source>Denied by an administrator.</source>
        <translation>Von einem Administrator abgelehnt.</translation>
    </message>
    <message>
        <source>Denied: %1</source>
        <translation>Abgelehnt: %1</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>No administrator decided in time.</source>
        <translation>Kein Administrator hat rechtzeitig entschieden.</translation>
    </message>
    <message>
        <source>Access could not be prepared.</source>
        <translation>Der Zugriff konnte nicht vorbereitet werden.</translation>
    </message>
    <message>
        <source>Access could not be prepared: %1</source>
        <translation>Der Zugriff konnte nicht vorbereitet werden: %1</translation>
    </message>
</context>
<context>
    <name>stint::ui::ConfirmDialog</name>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Grund</translation>
    </message>
    <message>
        <source>Required: it goes into the audit log</source>
        <translation>Pflichtfeld: Er wird im Audit-Protokoll festgehalten</translation>
    </message>
    <message>
        <source>Optional: it goes into the audit log</source>
        <translation>Optional: Er wird im Audit-Protokoll festgehalten</translation>
    </message>
    <message>
        <source>Give a reason first.</source>
        <translation>Geben Sie zuerst einen Grund an.</translation>
    </message>
</context>
<context>
    <name>stint::ui::ConnectDialog</name>
    <message>
        <source>Client &amp;secret</source>
        <translation>Client&amp;geheimnis</translation>
    </message>
    <message>
        <source>Cer&amp;tificate</source>
        <translation>Zer&amp;tifikat</translation>
    </message>
    <message>
        <source>Expires on</source>
        <translation>Läuft ab am</translation>
    </message>
    <message>
        <source>Connect %1</source>
        <translation>%1 verbinden</translation>
    </message>
    <message>
        <source>&amp;Admin consent for your Stint app (recommended)</source>
        <translation>&amp;Administratorzustimmung für Ihre Stint-App (empfohlen)</translation>
    </message>
    <message>
        <source>The customer&apos;s &amp;own app registration</source>
        <translation>&amp;Eigene App-Registrierung des Kunden</translation>
    </message>
    <message>
        <source>The customer&apos;s Global Administrator signs in and approves the permissions Stint needs. Nothing to set up in their tenant first.</source>
        <translation>Der Globale Administrator des Kunden meldet sich an und genehmigt die Berechtigungen, die Stint braucht. In seinem Mandanten muss vorher nichts eingerichtet werden.</translation>
    </message>
    <message>
        <source>Your Stint service has no multi-tenant app configured: use the customer&apos;s own app registration, or ask whoever runs the service to add one.</source>
        <translation>Für Ihren Stint-Dienst ist keine mehrinstanzenfähige App eingerichtet: Verwenden Sie die eigene App-Registrierung des Kunden, oder bitten Sie den Betreiber des Dienstes, eine hinzuzufügen.</translation>
    </message>
    <message>
        <source>The customer&apos;s app</source>
        <translation>Die App des Kunden</translation>
    </message>
    <message>
        <source>&amp;Use the stored credential (app %1, certificate)</source>
        <translation>Gespeicherte Anmeldedaten &amp;verwenden (App %1, Zertifikat)</translation>
    </message>
    <message>
        <source>&amp;Use the stored credential (app %1, client secret)</source>
        <translation>Gespeicherte Anmeldedaten &amp;verwenden (App %1, Clientgeheimnis)</translation>
    </message>
    <message>
        <source>Application (client) ID, a GUID</source>
        <translation>Anwendungs-ID (Client-ID), eine GUID</translation>
    </message>
    <message>
        <source>Application (client) ID</source>
        <translation>Anwendungs-ID (Client-ID)</translation>
    </message>
    <message>
        <source>App &amp;ID</source>
        <translation>App-&amp;ID</translation>
    </message>
    <message>
        <source>Signs in with</source>
        <translation>Meldet sich an mit</translation>
    </message>
    <message>
        <source>Client secret</source>
        <translation>Clientgeheimnis</translation>
    </message>
    <message>
        <source>The secret&apos;s value (not its ID)</source>
        <translation>Der Wert des Geheimnisses (nicht seine ID)</translation>
    </message>
    <message>
        <source>Secret expiry date</source>
        <translation>Ablaufdatum des Geheimnisses</translation>
    </message>
    <message>
        <source>Se&amp;cret</source>
        <translation>Ge&amp;heimnis</translation>
    </message>
    <message>
        <source>Certificate file (.pem, .crt)</source>
        <translation>Zertifikatsdatei (.pem, .crt)</translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation>Zertifikatsdatei</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose the certificate file</source>
        <translation>Zertifikatsdatei wählen</translation>
    </message>
    <message>
        <source>Private key file (.pem, .key), not password-protected</source>
        <translation>Datei mit privatem Schlüssel (.pem, .key), nicht kennwortgeschützt</translation>
    </message>
    <message>
        <source>Private key file</source>
        <translation>Datei mit privatem Schlüssel</translation>
    </message>
    <message>
        <source>Br&amp;owse…</source>
        <translation>Du&amp;rchsuchen…</translation>
    </message>
    <message>
        <source>Choose the private key file</source>
        <translation>Datei mit privatem Schlüssel wählen</translation>
    </message>
    <message>
        <source>Certi&amp;ficate</source>
        <translation>Zerti&amp;fikat</translation>
    </message>
    <message>
        <source>Private &amp;key</source>
        <translation>Privater &amp;Schlüssel</translation>
    </message>
    <message>
        <source>The app must list http://127.0.0.1%1 as a redirect URI (Mobile and desktop applications) and hold Stint&apos;s application permissions with admin consent.</source>
        <translation>Die App muss http://127.0.0.1%1 als Umleitungs-URI (Mobilgeräte- und Desktopanwendungen) eintragen und die Anwendungsberechtigungen von Stint mit Administratorzustimmung besitzen.</translation>
    </message>
    <message>
        <source>Choose the app&apos;s certificate</source>
        <translation>Zertifikat der App wählen</translation>
    </message>
    <message>
        <source>Choose the app&apos;s private key</source>
        <translation>Privaten Schlüssel der App wählen</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>admin@customer.example</source>
        <translation>admin@kunde.example</translation>
    </message>
    <message>
        <source>Customer admin&apos;s sign-in name</source>
        <translation>Anmeldename des Kundenadmins</translation>
    </message>
    <message>
        <source>customer.onmicrosoft.com or the tenant ID</source>
        <translation>kunde.onmicrosoft.com oder die Mandanten-ID</translation>
    </message>
    <message>
        <source>Customer&apos;s tenant</source>
        <translation>Mandant des Kunden</translation>
    </message>
    <message>
        <source>Customer &amp;admin</source>
        <translation>Ad&amp;min des Kunden</translation>
    </message>
    <message>
        <source>Customer&apos;s te&amp;nant</source>
        <translation>Ma&amp;ndant des Kunden</translation>
    </message>
    <message>
        <source>Opening your browser…</source>
        <translation>Ihr Browser wird geöffnet…</translation>
    </message>
    <message>
        <source>Waiting for Microsoft…</source>
        <translation>Warten auf Microsoft…</translation>
    </message>
    <message>
        <source>Verifying the connection…</source>
        <translation>Verbindung wird geprüft…</translation>
    </message>
    <message>
        <source>Connect %1 to Microsoft Entra ID</source>
        <translation>%1 mit Microsoft Entra ID verbinden</translation>
    </message>
    <message>
        <source>Stint opens your browser at Microsoft. Whoever signs in there must be an administrator of the customer&apos;s tenant.</source>
        <translation>Stint öffnet Ihren Browser bei Microsoft. Wer sich dort anmeldet, muss Administrator des Kundenmandanten sein.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Open &amp;settings</source>
        <translation>Einstellungen &amp;öffnen</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>Ver&amp;binden</translation>
    </message>
    <message>
        <source>This copy of Stint cannot open a browser sign-in. Connect the tenant from the Stint desktop app.</source>
        <translation>Diese Stint-Installation kann keine Anmeldung im Browser öffnen. Verbinden Sie den Mandanten über die Stint-Desktop-App.</translation>
    </message>
    <message>
        <source>Microsoft has answered; Stint is still checking the tenant. You can close this: the result appears on the tenant&apos;s page, and as an alert if something is wrong.</source>
        <translation>Microsoft hat geantwortet; Stint prüft den Mandanten noch. Sie können dieses Fenster schließen: Das Ergebnis erscheint auf der Seite des Mandanten und als Warnung, falls etwas nicht stimmt.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.cer *.key)</source>
        <translation>PEM-Dateien (*.pem *.crt *.cer *.key)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Try &amp;again</source>
        <translation>Erne&amp;ut versuchen</translation>
    </message>
    <message>
        <source>%1 done</source>
        <translation>%1 erledigt</translation>
    </message>
    <message>
        <source>%1 to come</source>
        <translation>%1 steht noch aus</translation>
    </message>
    <message>
        <source>Enter the app&apos;s Application (client) ID</source>
        <translation>Geben Sie die Anwendungs-ID (Client-ID) der App ein</translation>
    </message>
    <message>
        <source>Enter the client secret&apos;s value</source>
        <translation>Geben Sie den Wert des Clientgeheimnisses ein</translation>
    </message>
    <message>
        <source>Some fields need a change; see the messages below them.</source>
        <translation>Einige Felder müssen geändert werden; siehe die Hinweise darunter.</translation>
    </message>
    <message>
        <source>Storing the app&apos;s credential in Stint…</source>
        <translation>Anmeldedaten der App werden in Stint gespeichert…</translation>
    </message>
    <message>
        <source>&amp;Use the stored credential</source>
        <translation>Gespeicherte Anmeldedaten &amp;verwenden</translation>
    </message>
    <message>
        <source>Finish in your browser. This window follows along.</source>
        <translation>Schließen Sie den Vorgang im Browser ab. Dieses Fenster verfolgt den Fortschritt.</translation>
    </message>
    <message>
        <source>Microsoft has answered. Stint is proving the tenant and checking what it may do there…</source>
        <translation>Microsoft hat geantwortet. Stint weist den Mandanten nach und prüft, was es dort tun darf…</translation>
    </message>
    <message>
        <source>Connected to %1.</source>
        <translation>Mit %1 verbunden.</translation>
    </message>
    <message numerus="yes">
        <source>The health check found %n problem(s) to fix: see the tenant&apos;s health.</source>
        <translation>
            <numerusform>Die Zustandsprüfung hat %n zu behebendes Problem gefunden: siehe Zustand des Mandanten.</numerusform>
            <numerusform>Die Zustandsprüfung hat %n zu behebende Probleme gefunden: siehe Zustand des Mandanten.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The health check has %n warning(s): see the tenant&apos;s health.</source>
        <translation>
            <numerusform>Die Zustandsprüfung meldet %n Warnung: siehe Zustand des Mandanten.</numerusform>
            <numerusform>Die Zustandsprüfung meldet %n Warnungen: siehe Zustand des Mandanten.</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose its account domain and the roles to offer in its settings.</source>
        <translation>Wählen Sie in seinen Einstellungen die Kontodomäne und die angebotenen Rollen.</translation>
    </message>
    <message>
        <source>Stint could not connect the tenant: %1</source>
        <translation>Stint konnte den Mandanten nicht verbinden: %1</translation>
    </message>
</context>
<context>
    <name>stint::ui::CredentialPanel</name>
    <message>
        <source>Password</source>
        <translation>Kennwort</translation>
    </message>
    <message>
        <source>&amp;Copy password</source>
        <translation>Kennwort &amp;kopieren</translation>
    </message>
    <message>
        <source>Temporary Access Pass</source>
        <translation>Befristeter Zugriffspass</translation>
    </message>
    <message>
        <source>Copy &amp;pass</source>
        <translation>&amp;Pass kopieren</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>A&amp;nzeigen</translation>
    </message>
    <message>
        <source>Password (hidden until shown)</source>
        <translation>Kennwort (verborgen, bis es angezeigt wird)</translation>
    </message>
    <message>
        <source>Copies the password to the clipboard for 30 seconds, hidden from clipboard managers</source>
        <translation>Kopiert das Kennwort für 30 Sekunden in die Zwischenablage, verborgen vor Zwischenablage-Managern</translation>
    </message>
    <message>
        <source>Temporary Access Pass (hidden until shown)</source>
        <translation>Befristeter Zugriffspass (verborgen, bis er angezeigt wird)</translation>
    </message>
    <message>
        <source>Copies the Temporary Access Pass to the clipboard for 30 seconds, hidden from clipboard managers</source>
        <translation>Kopiert den befristeten Zugriffspass für 30 Sekunden in die Zwischenablage, verborgen vor Zwischenablage-Managern</translation>
    </message>
    <message>
        <source>Shows the credential on screen for 30 seconds</source>
        <translation>Zeigt die Zugangsdaten 30 Sekunden lang auf dem Bildschirm</translation>
    </message>
    <message>
        <source>The pass works until %1.</source>
        <translation>Der Pass gilt bis %1.</translation>
    </message>
    <message>
        <source>Fetching the credential… (each view is recorded in the audit log)</source>
        <translation>Zugangsdaten werden abgerufen… (jeder Abruf wird im Audit-Protokoll festgehalten)</translation>
    </message>
    <message>
        <source>The credential could not be fetched. %1</source>
        <translation>Die Zugangsdaten konnten nicht abgerufen werden. %1</translation>
    </message>
    <message>
        <source>The credential is no longer available.</source>
        <translation>Die Zugangsdaten sind nicht mehr verfügbar.</translation>
    </message>
    <message>
        <source>&amp;Hide</source>
        <translation>Verbe&amp;rgen</translation>
    </message>
    <message>
        <source>Shown for 30 seconds.</source>
        <translation>30 Sekunden lang angezeigt.</translation>
    </message>
    <message>
        <source>Password copied. Stint clears the clipboard in 30 seconds.</source>
        <translation>Kennwort kopiert. Stint leert die Zwischenablage in 30 Sekunden.</translation>
    </message>
    <message>
        <source>Temporary Access Pass copied. Stint clears the clipboard in 30 seconds.</source>
        <translation>Befristeter Zugriffspass kopiert. Stint leert die Zwischenablage in 30 Sekunden.</translation>
    </message>
</context>
<context>
    <name>stint::ui::DeliveriesModel</name>
    <message>
        <source>Delivered</source>
        <translation>Zugestellt</translation>
    </message>
    <message>
        <source>Trying</source>
        <translation>Wird versucht</translation>
    </message>
    <message>
        <source>Gave up</source>
        <translation>Aufgegeben</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Last answer</source>
        <translation>Letzte Antwort</translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation>Letzter Versuch</translation>
    </message>
    <message>
        <source>Next attempt %1</source>
        <translation>Nächster Versuch %1</translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <source>HTTP %1 · %2</source>
        <translation>HTTP %1 · %2</translation>
    </message>
</context>
<context>
    <name>stint::ui::ErrorText</name>
    <message>
        <source>The Stint service cannot be reached. Check your network connection; Stint keeps trying on its own.</source>
        <translation>Der Stint-Dienst ist nicht erreichbar. Prüfen Sie Ihre Netzwerkverbindung; Stint versucht es von selbst weiter.</translation>
    </message>
    <message>
        <source>The Stint service did not answer in time. Try again in a moment.</source>
        <translation>Der Stint-Dienst hat nicht rechtzeitig geantwortet. Versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>The Stint service&apos;s certificate was not accepted, so nothing was sent. Ask your administrator to check the service address and its certificate.</source>
        <translation>Das Zertifikat des Stint-Dienstes wurde nicht akzeptiert, daher wurde nichts gesendet. Bitten Sie Ihren Administrator, die Dienstadresse und das Zertifikat zu prüfen.</translation>
    </message>
    <message>
        <source>Your session has ended. Sign in again to continue.</source>
        <translation>Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an, um fortzufahren.</translation>
    </message>
    <message>
        <source>You are not allowed to do this. Ask an administrator if you need it.</source>
        <translation>Dazu sind Sie nicht berechtigt. Wenden Sie sich an einen Administrator, wenn Sie es brauchen.</translation>
    </message>
    <message>
        <source>This no longer exists. It may have been removed by someone else.</source>
        <translation>Das gibt es nicht mehr. Vielleicht hat es jemand anderes entfernt.</translation>
    </message>
    <message>
        <source>Someone else changed this in the meantime. Your view has been refreshed; make your change again.</source>
        <translation>Jemand anderes hat das inzwischen geändert. Ihre Ansicht wurde aktualisiert; nehmen Sie Ihre Änderung erneut vor.</translation>
    </message>
    <message numerus="yes">
        <source>Too many attempts. Wait %n second(s) and try again.</source>
        <translation>
            <numerusform>Zu viele Versuche. Warten Sie %n Sekunde und versuchen Sie es erneut.</numerusform>
            <numerusform>Zu viele Versuche. Warten Sie %n Sekunden und versuchen Sie es erneut.</numerusform>
        </translation>
    </message>
    <message>
        <source>Too many attempts. Wait a moment and try again.</source>
        <translation>Zu viele Versuche. Warten Sie einen Moment und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The Stint service sent an answer this app does not understand. Update Stint, or tell your administrator.</source>
        <translation>Der Stint-Dienst hat eine Antwort gesendet, die diese App nicht versteht. Aktualisieren Sie Stint oder informieren Sie Ihren Administrator.</translation>
    </message>
    <message>
        <source>The system keychain is not available, so Stint cannot keep your session. Unlock or start your keychain (for example GNOME Keyring or KWallet) and try again.</source>
        <translation>Der Schlüsselbund des Systems ist nicht verfügbar, daher kann Stint Ihre Sitzung nicht speichern. Entsperren oder starten Sie Ihren Schlüsselbund (zum Beispiel GNOME Keyring oder KWallet) und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The Stint service ran into a problem. Try again; if it keeps happening, tell your administrator (request id %1).</source>
        <translation>Im Stint-Dienst ist ein Problem aufgetreten. Versuchen Sie es erneut; falls es wieder passiert, informieren Sie Ihren Administrator (Anfrage-ID %1).</translation>
    </message>
    <message>
        <source>Something went wrong (%1).</source>
        <translation>Etwas ist schiefgegangen (%1).</translation>
    </message>
    <message>
        <source>No security key was found. Plug in your security key, then try again.</source>
        <translation>Es wurde kein Sicherheitsschlüssel gefunden. Stecken Sie Ihren Sicherheitsschlüssel ein und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Your security key needs its PIN. Enter it to continue.</source>
        <translation>Ihr Sicherheitsschlüssel braucht seine PIN. Geben Sie sie ein, um fortzufahren.</translation>
    </message>
    <message numerus="yes">
        <source>That PIN is not right. %n attempt(s) left before the key locks itself.</source>
        <translation>
            <numerusform>Diese PIN ist falsch. Noch %n Versuch, bevor sich der Schlüssel sperrt.</numerusform>
            <numerusform>Diese PIN ist falsch. Noch %n Versuche, bevor sich der Schlüssel sperrt.</numerusform>
        </translation>
    </message>
    <message>
        <source>That PIN is not right. Check it and try again.</source>
        <translation>Diese PIN ist falsch. Prüfen Sie sie und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Your security key is locked after too many wrong PINs. Use another key, or reset this one with its maker&apos;s tool (resetting removes the passkeys on it).</source>
        <translation>Ihr Sicherheitsschlüssel ist nach zu vielen falschen PINs gesperrt. Verwenden Sie einen anderen Schlüssel, oder setzen Sie diesen mit dem Werkzeug des Herstellers zurück (dabei werden die Passkeys darauf gelöscht).</translation>
    </message>
    <message>
        <source>Your security key has no PIN, and Stint needs one to know it is you. Set a PIN on the key first (for example with its maker&apos;s tool), then try again.</source>
        <translation>Ihr Sicherheitsschlüssel hat keine PIN, und Stint braucht eine, um zu wissen, dass Sie es sind. Legen Sie zuerst eine PIN auf dem Schlüssel fest (zum Beispiel mit dem Werkzeug des Herstellers) und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>This security key holds no passkey for this Stint service. Use the key you enrolled with, or sign in with the browser.</source>
        <translation>Auf diesem Sicherheitsschlüssel ist kein Passkey für diesen Stint-Dienst gespeichert. Verwenden Sie den Schlüssel, mit dem Sie sich registriert haben, oder melden Sie sich über den Browser an.</translation>
    </message>
    <message>
        <source>No security key was touched in time. Try again and touch your key when it blinks.</source>
        <translation>Der Sicherheitsschlüssel wurde nicht rechtzeitig berührt. Versuchen Sie es erneut und berühren Sie Ihren Schlüssel, wenn er blinkt.</translation>
    </message>
    <message>
        <source>The security key was unplugged before sign-in finished. Plug it back in and try again.</source>
        <translation>Der Sicherheitsschlüssel wurde abgezogen, bevor die Anmeldung abgeschlossen war. Stecken Sie ihn wieder ein und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Sign-in was cancelled.</source>
        <translation>Die Anmeldung wurde abgebrochen.</translation>
    </message>
    <message>
        <source>The security key reported a problem. Try again, or try another key.</source>
        <translation>Der Sicherheitsschlüssel hat ein Problem gemeldet. Versuchen Sie es erneut oder mit einem anderen Schlüssel.</translation>
    </message>
    <message>
        <source>request %1</source>
        <translation>Anfrage %1</translation>
    </message>
</context>
<context>
    <name>stint::ui::ExtendDialog</name>
    <message>
        <source>&amp;Extend</source>
        <translation>&amp;Verlängern</translation>
    </message>
    <message>
        <source>Extend access to %1</source>
        <translation>Zugriff auf %1 verlängern</translation>
    </message>
    <message>
        <source>Your access to %1 ends at %2 (in %3).</source>
        <translation>Ihr Zugriff auf %1 endet %2 (in %3).</translation>
    </message>
    <message>
        <source>Your access to %1 is ready.</source>
        <translation>Ihr Zugriff auf %1 ist bereit.</translation>
    </message>
    <message>
        <source>Extend by</source>
        <translation>Verlängern um</translation>
    </message>
    <message>
        <source>Stint checks what your access policy allows when you extend.</source>
        <translation>Stint prüft beim Verlängern, was Ihre Zugriffsrichtlinie erlaubt.</translation>
    </message>
    <message>
        <source>This access already lasts as long as your access policy allows. End it and request access again if you need more time.</source>
        <translation>Dieser Zugriff dauert bereits so lange, wie Ihre Zugriffsrichtlinie erlaubt. Beenden Sie ihn und fordern Sie erneut Zugriff an, wenn Sie mehr Zeit brauchen.</translation>
    </message>
    <message>
        <source>Your access policy allows up to %1 more.</source>
        <translation>Ihre Zugriffsrichtlinie erlaubt bis zu %1 mehr.</translation>
    </message>
    <message>
        <source>Extend &amp;by</source>
        <translation>Verlängern &amp;um</translation>
    </message>
    <message>
        <source>The access policy says this %1.</source>
        <translation>Die Zugriffsrichtlinie sagt: %1.</translation>
    </message>
    <message>
        <source>Extended by %1. Access now ends at %2.</source>
        <translation>Um %1 verlängert. Der Zugriff endet jetzt %2.</translation>
    </message>
    <message>
        <source>Extended by %1.</source>
        <translation>Um %1 verlängert.</translation>
    </message>
</context>
<context>
    <name>stint::ui::FormErrors</name>
    <message>
        <source>Some fields need a change; see the messages below them.</source>
        <translation>Einige Felder müssen geändert werden; siehe die Hinweise darunter.</translation>
    </message>
</context>
<context>
    <name>stint::ui::GroupDialog</name>
    <message>
        <source>New group</source>
        <translation>Neue Gruppe</translation>
    </message>
    <message>
        <source>Change %1</source>
        <translation>%1 ändern</translation>
    </message>
    <message>
        <source> (disabled)</source>
        <translation> (deaktiviert)</translation>
    </message>
    <message>
        <source>Group name</source>
        <translation>Gruppenname</translation>
    </message>
    <message>
        <source>Search people</source>
        <translation>Personen suchen</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>Tick the people in this group. Space ticks the selected person.</source>
        <translation>Haken Sie die Personen dieser Gruppe an. Die Leertaste hakt die ausgewählte Person an.</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>&amp;Members</source>
        <translation>&amp;Mitglieder</translation>
    </message>
    <message>
        <source>&amp;Create group</source>
        <translation>Gruppe &amp;anlegen</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s).</source>
        <translation>
            <numerusform>%n Mitglied.</numerusform>
            <numerusform>%n Mitglieder.</numerusform>
        </translation>
    </message>
    <message>
        <source>Give the group a name</source>
        <translation>Geben Sie der Gruppe einen Namen</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
</context>
<context>
    <name>stint::ui::GroupsModel</name>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>Used by policies</source>
        <translation>Verwendet von Richtlinien</translation>
    </message>
</context>
<context>
    <name>stint::ui::GroupsPage</name>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>Groups of people. Access policies can name a group, so that access follows membership.</source>
        <translation>Gruppen von Personen. Zugriffsrichtlinien können eine Gruppe nennen, sodass der Zugriff der Mitgliedschaft folgt.</translation>
    </message>
    <message>
        <source>&amp;New group…</source>
        <translation>&amp;Neue Gruppe…</translation>
    </message>
    <message>
        <source>Search groups and members</source>
        <translation>Gruppen, Mitglieder suchen</translation>
    </message>
    <message>
        <source>Choose a group to see its members and the policies that use it.</source>
        <translation>Wählen Sie eine Gruppe, um ihre Mitglieder und die Richtlinien zu sehen, die sie verwenden.</translation>
    </message>
    <message>
        <source>&amp;Change…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>No members yet.</source>
        <translation>Noch keine Mitglieder.</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s): %1</source>
        <translation>
            <numerusform>%n Mitglied: %1</numerusform>
            <numerusform>%n Mitglieder: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>No access policy names this group.</source>
        <translation>Keine Zugriffsrichtlinie nennt diese Gruppe.</translation>
    </message>
    <message>
        <source>Used by: %1</source>
        <translation>Verwendet von: %1</translation>
    </message>
    <message>
        <source>Group created.</source>
        <translation>Gruppe angelegt.</translation>
    </message>
    <message>
        <source>Group saved.</source>
        <translation>Gruppe gespeichert.</translation>
    </message>
    <message>
        <source>No access policy names %1, so nobody&apos;s access changes.</source>
        <translation>Keine Zugriffsrichtlinie nennt %1, daher ändert sich an niemandes Zugriff etwas.</translation>
    </message>
    <message numerus="yes">
        <source>%1 is removed from %n access polic(ies) (%2): its %3 member(s) lose what those policies grant them through it.</source>
        <translation>
            <numerusform>%1 wird aus %n Zugriffsrichtlinie entfernt (%2): Ihre %3 Mitglieder verlieren, was diese Richtlinie ihnen über die Gruppe gewährt.</numerusform>
            <numerusform>%1 wird aus %n Zugriffsrichtlinien entfernt (%2): Ihre %3 Mitglieder verlieren, was diese Richtlinien ihnen über die Gruppe gewähren.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete %1?</source>
        <translation>%1 löschen?</translation>
    </message>
    <message>
        <source>Delete group</source>
        <translation>Gruppe löschen</translation>
    </message>
    <message>
        <source>Deleting…</source>
        <translation>Wird gelöscht…</translation>
    </message>
    <message>
        <source>%1 was deleted.</source>
        <translation>%1 wurde gelöscht.</translation>
    </message>
</context>
<context>
    <name>stint::ui::HealthView</name>
    <message>
        <source>Connection health</source>
        <translation>Zustand der Verbindung</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Hinweis</translation>
    </message>
    <message>
        <source>Connect again with admin consent: Microsoft then asks the customer&apos;s admin to grant every permission Stint needs. With the customer&apos;s own app, add the missing application permissions to it and grant admin consent in the Entra admin center.</source>
        <translation>Verbinden Sie erneut mit Administratorzustimmung: Microsoft bittet dann den Admin des Kunden, jede Berechtigung zu erteilen, die Stint braucht. Bei der eigenen App des Kunden fügen Sie ihr die fehlenden Anwendungsberechtigungen hinzu und erteilen die Administratorzustimmung im Entra Admin Center.</translation>
    </message>
    <message>
        <source>In the customer&apos;s Entra admin center, open Roles &amp; admins → Privileged Authentication Administrator → Add assignments, and add the Stint app. Then press Check now.</source>
        <translation>Öffnen Sie im Entra Admin Center des Kunden Rollen und Administratoren → Administrator für privilegierte Authentifizierung → Zuweisungen hinzufügen, und fügen Sie die Stint-App hinzu. Klicken Sie dann auf „Jetzt prüfen“.</translation>
    </message>
    <message>
        <source>Turn on Temporary Access Pass in Protection → Authentication methods → Policies, or set this tenant&apos;s credential kind to Password in Settings.</source>
        <translation>Aktivieren Sie den befristeten Zugriffspass unter Schutz → Authentifizierungsmethoden → Richtlinien, oder stellen Sie die Art der Zugangsdaten dieses Mandanten in den Einstellungen auf Kennwort.</translation>
    </message>
    <message>
        <source>Raise the Temporary Access Pass lifetime (and allow more than one use) in the tenant&apos;s authentication methods policy, or keep checkouts within what it allows.</source>
        <translation>Erhöhen Sie die Gültigkeitsdauer des befristeten Zugriffspasses (und erlauben Sie mehr als eine Verwendung) in der Richtlinie für Authentifizierungsmethoden des Mandanten, oder halten Sie Zugriffe innerhalb dessen, was sie erlaubt.</translation>
    </message>
    <message>
        <source>Verify a domain in the tenant (Settings → Domain names): Stint makes accounts on a verified domain.</source>
        <translation>Verifizieren Sie eine Domäne im Mandanten (Einstellungen → Domänennamen): Stint legt Konten auf einer verifizierten Domäne an.</translation>
    </message>
    <message>
        <source>Create a new client secret or certificate for the customer&apos;s app registration, then enter it with Connect… → The customer&apos;s own app.</source>
        <translation>Erstellen Sie ein neues Clientgeheimnis oder Zertifikat für die App-Registrierung des Kunden und geben Sie es dann unter Verbinden… → Eigene App-Registrierung des Kunden ein.</translation>
    </message>
    <message>
        <source>Check that the right customer&apos;s admin signed in. If Stint bound the wrong tenant, disconnect and connect again.</source>
        <translation>Prüfen Sie, ob sich der Admin des richtigen Kunden angemeldet hat. Falls Stint den falschen Mandanten gebunden hat, trennen Sie die Verbindung und verbinden Sie erneut.</translation>
    </message>
    <message>
        <source>Fix what the message describes in the tenant, then press Check now.</source>
        <translation>Beheben Sie im Mandanten, was die Meldung beschreibt, und klicken Sie dann auf „Jetzt prüfen“.</translation>
    </message>
    <message>
        <source>Reading the connection…</source>
        <translation>Verbindung wird gelesen…</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>In Ordnung</translation>
    </message>
    <message>
        <source>Unhealthy</source>
        <translation>Gestört</translation>
    </message>
    <message>
        <source>Not connected: connect the tenant to check its health.</source>
        <translation>Nicht verbunden: Verbinden Sie den Mandanten, um seinen Zustand zu prüfen.</translation>
    </message>
    <message>
        <source>Waiting for the customer&apos;s admin to finish in the browser.</source>
        <translation>Warten, bis der Admin des Kunden den Vorgang im Browser abschließt.</translation>
    </message>
    <message>
        <source>Checking the tenant…</source>
        <translation>Mandant wird geprüft…</translation>
    </message>
    <message>
        <source>Checked %1.</source>
        <translation>Geprüft %1.</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>The last attempt failed: %1</source>
        <translation>Der letzte Versuch ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation>Was zu tun ist: %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Customer&apos;s own app %1, signing in with a certificate (thumbprint %2)</source>
        <translation>Eigene App des Kunden %1, Anmeldung mit Zertifikat (Fingerabdruck %2)</translation>
    </message>
    <message>
        <source>Customer&apos;s own app %1, signing in with a client secret</source>
        <translation>Eigene App des Kunden %1, Anmeldung mit Clientgeheimnis</translation>
    </message>
    <message>
        <source>, which expires %1</source>
        <translation>, gültig bis %1</translation>
    </message>
    <message>
        <source>Connected through the MSP&apos;s Stint app (admin consent).</source>
        <translation>Verbunden über die Stint-App des MSP (Administratorzustimmung).</translation>
    </message>
    <message numerus="yes">
        <source>Last reconciled %1: %n account(s) out of step were revoked.</source>
        <translation>
            <numerusform>Zuletzt abgeglichen %1: %n abweichendes Konto wurde entzogen.</numerusform>
            <numerusform>Zuletzt abgeglichen %1: %n abweichende Konten wurden entzogen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Last reconciled %1: nothing out of step.</source>
        <translation>Zuletzt abgeglichen %1: keine Abweichungen.</translation>
    </message>
</context>
<context>
    <name>stint::ui::HistoryModel</name>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation>Mandant</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <source>Requested</source>
        <translation>Angefordert</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
</context>
<context>
    <name>stint::ui::HistoryView</name>
    <message>
        <source>Your checkouts</source>
        <translation>Ihre Zugriffe</translation>
    </message>
    <message>
        <source>No history yet</source>
        <translation>Noch kein Verlauf</translation>
    </message>
    <message>
        <source>Every checkout you make is listed here, with when it started and ended and why.</source>
        <translation>Jeder Zugriff, den Sie anfordern, steht hier – mit Beginn, Ende und Grund.</translation>
    </message>
</context>
<context>
    <name>stint::ui::InviteDialog</name>
    <message>
        <source>Invite a person</source>
        <translation>Person einladen</translation>
    </message>
    <message>
        <source>Stint makes a one-time link. The person opens it and enrolls a passkey (a security key, or their computer&apos;s or phone&apos;s own).</source>
        <translation>Stint erstellt einen Einmal-Link. Die Person öffnet ihn und registriert einen Passkey (einen Sicherheitsschlüssel oder den ihres Computers oder Telefons).</translation>
    </message>
    <message>
        <source>name@your-msp.example</source>
        <translation>name@ihr-msp.example</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>As colleagues know them</source>
        <translation>So, wie Kollegen sie kennen</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Technician: asks for access to tenants</source>
        <translation>Techniker: fordert Zugriff auf Mandanten an</translation>
    </message>
    <message>
        <source>Admin: manages tenants, people and policies, and approves</source>
        <translation>Admin: verwaltet Mandanten, Personen und Richtlinien und genehmigt</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>&amp;Email</source>
        <translation>&amp;E-Mail</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>&amp;Rolle</translation>
    </message>
    <message>
        <source>One-time enrollment link</source>
        <translation>Einmaliger Registrierungslink</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>Link &amp;kopieren</translation>
    </message>
    <message>
        <source>Stint shows this link only now and keeps no copy. Send it over a channel you trust; anyone who has it can enroll as this person until it is used.</source>
        <translation>Stint zeigt diesen Link nur jetzt an und behält keine Kopie. Senden Sie ihn über einen vertrauenswürdigen Kanal; wer ihn hat, kann sich als diese Person registrieren, bis er verwendet wurde.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>&amp;Make invite link</source>
        <translation>Einladungslink ers&amp;tellen</translation>
    </message>
    <message>
        <source>&amp;Done</source>
        <translation>&amp;Fertig</translation>
    </message>
    <message>
        <source>Copied. Stint clears the clipboard in %1 minutes.</source>
        <translation>Kopiert. Stint leert die Zwischenablage in %1 Minuten.</translation>
    </message>
    <message>
        <source>Enter the person&apos;s email address</source>
        <translation>Geben Sie die E-Mail-Adresse der Person ein</translation>
    </message>
    <message>
        <source>Making the invite…</source>
        <translation>Einladung wird erstellt…</translation>
    </message>
    <message>
        <source>Send this link to %1. It works once, until %2.</source>
        <translation>Senden Sie diesen Link an %1. Er funktioniert einmal, bis %2.</translation>
    </message>
</context>
<context>
    <name>stint::ui::InvitesModel</name>
    <message>
        <source>Waiting</source>
        <translation>Wartet</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>Registriert</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Link expires</source>
        <translation>Link läuft ab</translation>
    </message>
</context>
<context>
    <name>stint::ui::LiveCheckoutsModel</name>
    <message>
        <source>Technician</source>
        <translation>Techniker</translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation>Mandant</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Restzeit</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>noch %1</translation>
    </message>
</context>
<context>
    <name>stint::ui::LiveCheckoutsPage</name>
    <message>
        <source>Live checkouts</source>
        <translation>Laufende Zugriffe</translation>
    </message>
    <message>
        <source>Who has administrator access in which customer tenant right now, and for how long. Revoke ends it at once.</source>
        <translation>Wer gerade Administratorzugriff auf welchen Kundenmandanten hat, und wie lange noch. „Entziehen“ beendet ihn sofort.</translation>
    </message>
    <message>
        <source>Search technicians, tenants, accounts</source>
        <translation>Techniker, Mandant, Konto</translation>
    </message>
    <message>
        <source>Choose a checkout to see it, or revoke it.</source>
        <translation>Wählen Sie einen Zugriff, um ihn anzusehen oder zu entziehen.</translation>
    </message>
    <message>
        <source>Offline: the time counts down from what Stint last knew; the checkout may have changed.</source>
        <translation>Offline: Die Zeit läuft ab dem zuletzt bekannten Stand herunter; der Zugriff kann sich geändert haben.</translation>
    </message>
    <message>
        <source>&amp;Revoke…</source>
        <translation>&amp;Entziehen…</translation>
    </message>
    <message>
        <source>Nobody has access right now</source>
        <translation>Gerade hat niemand Zugriff</translation>
    </message>
    <message>
        <source>When a technician checks out access to a tenant, it shows here with the time left.</source>
        <translation>Wenn ein Techniker Zugriff auf einen Mandanten erhält, erscheint er hier mit der verbleibenden Zeit.</translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation>%1 in %2</translation>
    </message>
    <message>
        <source>Roles: %1</source>
        <translation>Rollen: %1</translation>
    </message>
    <message>
        <source>Account: %1</source>
        <translation>Konto: %1</translation>
    </message>
    <message>
        <source>Access since %1</source>
        <translation>Zugriff seit %1</translation>
    </message>
    <message>
        <source>Ends %1</source>
        <translation>Endet %1</translation>
    </message>
    <message>
        <source>Ticket: %1</source>
        <translation>Ticket: %1</translation>
    </message>
    <message>
        <source>Why: %1</source>
        <translation>Begründung: %1</translation>
    </message>
    <message>
        <source>Approved by %1</source>
        <translation>Genehmigt von %1</translation>
    </message>
    <message>
        <source>Stint could not confirm that the access was taken away%1. It keeps trying; check the tenant.</source>
        <translation>Stint konnte nicht bestätigen, dass der Zugriff entzogen wurde%1. Es versucht es weiter; prüfen Sie den Mandanten.</translation>
    </message>
    <message>
        <source>Retrying (attempt %1): %2</source>
        <translation>Neuer Versuch (Versuch %1): %2</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>Wird vorbereitet…</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>noch %1</translation>
    </message>
    <message>
        <source>Revoke %1&apos;s access to %2?</source>
        <translation>Zugriff von %1 auf %2 entziehen?</translation>
    </message>
    <message>
        <source>%1 loses administrator access to %2 now: Stint removes the account&apos;s roles, ends its sign-in sessions and disables it. The reason goes into the audit log and to %1.</source>
        <translation>%1 verliert jetzt den Administratorzugriff auf %2: Stint entfernt die Rollen des Kontos, beendet seine Anmeldesitzungen und deaktiviert es. Der Grund wird im Audit-Protokoll festgehalten und %1 mitgeteilt.</translation>
    </message>
    <message>
        <source>Revoke access</source>
        <translation>Zugriff entziehen</translation>
    </message>
    <message>
        <source>&amp;Why (required)</source>
        <translation>&amp;Begründung (Pflichtfeld)</translation>
    </message>
    <message>
        <source>Revoking…</source>
        <translation>Wird entzogen…</translation>
    </message>
    <message>
        <source>Revoking %1&apos;s access to %2…</source>
        <translation>Zugriff von %1 auf %2 wird entzogen…</translation>
    </message>
</context>
<context>
    <name>stint::ui::MainWindow</name>
    <message>
        <source>Stint</source>
        <translation>Stint</translation>
    </message>
    <message>
        <source>&amp;Find tenant…</source>
        <translation>Mandanten &amp;suchen…</translation>
    </message>
    <message>
        <source>Jump to the tenant search</source>
        <translation>Zur Mandantensuche springen</translation>
    </message>
    <message>
        <source>&amp;Request access…</source>
        <translation>Zugriff &amp;anfordern…</translation>
    </message>
    <message>
        <source>Request access to the selected tenant</source>
        <translation>Zugriff auf den ausgewählten Mandanten anfordern</translation>
    </message>
    <message>
        <source>&amp;Launch portal</source>
        <translation>&amp;Portal öffnen</translation>
    </message>
    <message>
        <source>Open the selected access&apos;s admin portal in your browser</source>
        <translation>Das Admin-Portal des ausgewählten Zugriffs im Browser öffnen</translation>
    </message>
    <message>
        <source>Acc&amp;ess</source>
        <translation>Zu&amp;griff</translation>
    </message>
    <message>
        <source>Show your tenants and access</source>
        <translation>Ihre Mandanten und Zugriffe anzeigen</translation>
    </message>
    <message>
        <source>A&amp;dministration</source>
        <translation>&amp;Verwaltung</translation>
    </message>
    <message>
        <source>Show the administration</source>
        <translation>Die Verwaltung anzeigen</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>&amp;Jetzt synchronisieren</translation>
    </message>
    <message>
        <source>Fetch everything from the Stint service again</source>
        <translation>Alles erneut vom Stint-Dienst abrufen</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Service address, language and saved data</source>
        <translation>Dienstadresse, Sprache und gespeicherte Daten</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <source>Sign out of Stint on this computer</source>
        <translation>Auf diesem Computer von Stint abmelden</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Quit Stint</source>
        <translation>Stint beenden</translation>
    </message>
    <message>
        <source>&amp;About Stint</source>
        <translation>Ü&amp;ber Stint</translation>
    </message>
    <message>
        <source>Version and licence</source>
        <translation>Version und Lizenz</translation>
    </message>
    <message>
        <source>&amp;Stint</source>
        <translation>&amp;Stint</translation>
    </message>
    <message>
        <source>&amp;Access</source>
        <translation>&amp;Zugriff</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>He&amp;lp</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation>Angemeldet als %1</translation>
    </message>
</context>
<context>
    <name>stint::ui::MyAccessPage</name>
    <message>
        <source>No access right now</source>
        <translation>Zurzeit kein Zugriff</translation>
    </message>
    <message>
        <source>When you request access to a tenant, its progress and countdown show here.</source>
        <translation>Wenn Sie Zugriff auf einen Mandanten anfordern, erscheinen hier Fortschritt und Countdown.</translation>
    </message>
    <message>
        <source>Find a tenant</source>
        <translation>Mandanten suchen</translation>
    </message>
</context>
<context>
    <name>stint::ui::Notifier</name>
    <message>
        <source>a customer tenant</source>
        <translation>einen Kundenmandanten</translation>
    </message>
    <message>
        <source>Extend</source>
        <translation>Verlängern</translation>
    </message>
    <message>
        <source>End now</source>
        <translation>Jetzt beenden</translation>
    </message>
    <message>
        <source>Extend it if you need more time, or end it now if you are done.</source>
        <translation>Verlängern Sie ihn, wenn Sie mehr Zeit brauchen, oder beenden Sie ihn jetzt, wenn Sie fertig sind.</translation>
    </message>
    <message>
        <source>Your policy allows no more time. End it now if you are done.</source>
        <translation>Ihre Richtlinie erlaubt keine weitere Zeit. Beenden Sie ihn jetzt, wenn Sie fertig sind.</translation>
    </message>
    <message numerus="yes">
        <source>Access to %1 ends in %n minute(s)</source>
        <translation>
            <numerusform>Zugriff auf %1 endet in %n Minute</numerusform>
            <numerusform>Zugriff auf %1 endet in %n Minuten</numerusform>
        </translation>
    </message>
    <message>
        <source>Your access to %1 is ready</source>
        <translation>Ihr Zugriff auf %1 ist bereit</translation>
    </message>
    <message>
        <source>%1 until %2.</source>
        <translation>%1 bis %2.</translation>
    </message>
    <message>
        <source>Your request for %1 was denied</source>
        <translation>Ihre Anfrage für %1 wurde abgelehnt</translation>
    </message>
    <message>
        <source>No reason was given.</source>
        <translation>Es wurde kein Grund angegeben.</translation>
    </message>
    <message>
        <source>Your access to %1 could not be set up</source>
        <translation>Ihr Zugriff auf %1 konnte nicht eingerichtet werden</translation>
    </message>
    <message>
        <source>Open Stint for details.</source>
        <translation>Öffnen Sie Stint für Details.</translation>
    </message>
    <message>
        <source>Your access to %1 was ended</source>
        <translation>Ihr Zugriff auf %1 wurde beendet</translation>
    </message>
    <message>
        <source>%1 asks for %2 for %3.</source>
        <translation>%1 fordert %2 für %3 an.</translation>
    </message>
    <message>
        <source>Reason: %1</source>
        <translation>Begründung: %1</translation>
    </message>
    <message>
        <source>Approval needed for %1</source>
        <translation>Genehmigung für %1 erforderlich</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>Access in %1 could not be confirmed as removed</source>
        <translation>%1: Entzug des Zugriffs nicht bestätigt</translation>
    </message>
    <message>
        <source>Unexpected admin access found in %1</source>
        <translation>%1: unerwarteter Adminzugriff gefunden</translation>
    </message>
    <message>
        <source>The connection to %1 needs attention</source>
        <translation>%1: Die Verbindung braucht Aufmerksamkeit</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
</context>
<context>
    <name>stint::ui::PeopleModel</name>
    <message>
        <source>Admin</source>
        <translation>Admin</translation>
    </message>
    <message>
        <source>Technician</source>
        <translation>Techniker</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
</context>
<context>
    <name>stint::ui::PeoplePage</name>
    <message>
        <source>People</source>
        <translation>Personen</translation>
    </message>
    <message>
        <source>Everyone who signs in to Stint: technicians ask for access, admins manage and approve. New people join by invite.</source>
        <translation>Alle, die sich bei Stint anmelden: Techniker fordern Zugriff an, Admins verwalten und genehmigen. Neue Personen kommen per Einladung dazu.</translation>
    </message>
    <message>
        <source>&amp;Invite person…</source>
        <translation>Person &amp;einladen…</translation>
    </message>
    <message>
        <source>Search people and invites</source>
        <translation>Personen, Einladungen</translation>
    </message>
    <message>
        <source>People and invites</source>
        <translation>Personen und Einladungen</translation>
    </message>
    <message>
        <source>Choose a person to see their role, sessions and passkeys.</source>
        <translation>Wählen Sie eine Person, um ihre Rolle, Sitzungen und Passkeys zu sehen.</translation>
    </message>
    <message>
        <source>&amp;End sessions…</source>
        <translation>Sitzungen &amp;beenden…</translation>
    </message>
    <message>
        <source>Sign this person out everywhere, now</source>
        <translation>Diese Person jetzt überall abmelden</translation>
    </message>
    <message>
        <source>Passkeys</source>
        <translation>Passkeys</translation>
    </message>
    <message>
        <source>Re&amp;move passkey…</source>
        <translation>Passkey ent&amp;fernen…</translation>
    </message>
    <message>
        <source>Pe&amp;ople</source>
        <translation>Pe&amp;rsonen</translation>
    </message>
    <message>
        <source>Invites</source>
        <translation>Einladungen</translation>
    </message>
    <message>
        <source>Re&amp;voke invite…</source>
        <translation>Einladung &amp;widerrufen…</translation>
    </message>
    <message>
        <source>In&amp;vites</source>
        <translation>Ein&amp;ladungen</translation>
    </message>
    <message>
        <source>%1 since %2</source>
        <translation>%1 seit %2</translation>
    </message>
    <message>
        <source>In no group.</source>
        <translation>In keiner Gruppe.</translation>
    </message>
    <message>
        <source>Groups: %1</source>
        <translation>Gruppen: %1</translation>
    </message>
    <message>
        <source>This is you.</source>
        <translation>Das sind Sie.</translation>
    </message>
    <message>
        <source>Make &amp;technician…</source>
        <translation>Zum &amp;Techniker machen…</translation>
    </message>
    <message>
        <source>Make &amp;admin…</source>
        <translation>Zum &amp;Admin machen…</translation>
    </message>
    <message>
        <source>E&amp;nable</source>
        <translation>A&amp;ktivieren</translation>
    </message>
    <message>
        <source>&amp;Disable…</source>
        <translation>&amp;Deaktivieren…</translation>
    </message>
    <message>
        <source>Reading passkeys…</source>
        <translation>Passkeys werden gelesen…</translation>
    </message>
    <message>
        <source>Passkey</source>
        <translation>Passkey</translation>
    </message>
    <message>
        <source>added %1</source>
        <translation>hinzugefügt %1</translation>
    </message>
    <message>
        <source>used %1</source>
        <translation>verwendet %1</translation>
    </message>
    <message>
        <source>synced</source>
        <translation>synchronisiert</translation>
    </message>
    <message>
        <source>possibly copied: its counter went backwards</source>
        <translation>möglicherweise kopiert: sein Zähler ist zurückgegangen</translation>
    </message>
    <message>
        <source>The only passkey: it cannot be removed (invite the person again instead).</source>
        <translation>Der einzige Passkey: Er kann nicht entfernt werden (laden Sie die Person stattdessen erneut ein).</translation>
    </message>
    <message>
        <source>No passkeys.</source>
        <translation>Keine Passkeys.</translation>
    </message>
    <message>
        <source>Make %1 an admin?</source>
        <translation>%1 zum Admin machen?</translation>
    </message>
    <message>
        <source>Make %1 a technician?</source>
        <translation>%1 zum Techniker machen?</translation>
    </message>
    <message>
        <source>%1 will manage tenants, people and access policies, approve requests and revoke access.</source>
        <translation>%1 wird Mandanten, Personen und Zugriffsrichtlinien verwalten, Anfragen genehmigen und Zugriffe entziehen.</translation>
    </message>
    <message>
        <source>%1 will no longer manage Stint or approve requests; they can still ask for access as their policies allow.</source>
        <translation>%1 wird Stint nicht mehr verwalten und keine Anfragen mehr genehmigen; Zugriff anfordern geht weiterhin, soweit die Richtlinien es erlauben.</translation>
    </message>
    <message>
        <source>Make admin</source>
        <translation>Zum Admin machen</translation>
    </message>
    <message>
        <source>Make technician</source>
        <translation>Zum Techniker machen</translation>
    </message>
    <message>
        <source>Changing the role…</source>
        <translation>Rolle wird geändert…</translation>
    </message>
    <message>
        <source>%1 is now an admin.</source>
        <translation>%1 ist jetzt Admin.</translation>
    </message>
    <message>
        <source>%1 is now a technician.</source>
        <translation>%1 ist jetzt Techniker.</translation>
    </message>
    <message>
        <source>Enabling %1…</source>
        <translation>%1 wird aktiviert…</translation>
    </message>
    <message>
        <source>%1 can sign in again.</source>
        <translation>%1 kann sich wieder anmelden.</translation>
    </message>
    <message>
        <source>%1 can no longer sign in, and is signed out everywhere now.</source>
        <translation>%1 kann sich nicht mehr anmelden und ist jetzt überall abgemeldet.</translation>
    </message>
    <message numerus="yes">
        <source>Their %n live checkout(s) keep running until they end: revoke them on Live checkouts to end them now.</source>
        <translation>
            <numerusform>Der %n laufende Zugriff läuft weiter, bis er endet: Entziehen Sie ihn unter „Laufende Zugriffe“, um ihn sofort zu beenden.</numerusform>
            <numerusform>Die %n laufenden Zugriffe laufen weiter, bis sie enden: Entziehen Sie sie unter „Laufende Zugriffe“, um sie sofort zu beenden.</numerusform>
        </translation>
    </message>
    <message>
        <source>Disable %1?</source>
        <translation>%1 deaktivieren?</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>Deaktivieren</translation>
    </message>
    <message>
        <source>Disabling %1…</source>
        <translation>%1 wird deaktiviert…</translation>
    </message>
    <message>
        <source>%1 is disabled.</source>
        <translation>%1 ist deaktiviert.</translation>
    </message>
    <message>
        <source>Sign %1 out everywhere?</source>
        <translation>%1 überall abmelden?</translation>
    </message>
    <message>
        <source>Every session of %1 ends now, on every computer. They can sign in again with a passkey.</source>
        <translation>Jede Sitzung von %1 endet jetzt, auf jedem Computer. Eine erneute Anmeldung mit einem Passkey ist möglich.</translation>
    </message>
    <message>
        <source>End sessions</source>
        <translation>Sitzungen beenden</translation>
    </message>
    <message>
        <source>Ending sessions…</source>
        <translation>Sitzungen werden beendet…</translation>
    </message>
    <message>
        <source>%1 is signed out everywhere.</source>
        <translation>%1 ist überall abgemeldet.</translation>
    </message>
    <message>
        <source>this passkey</source>
        <translation>diesen Passkey</translation>
    </message>
    <message>
        <source>Remove %1?</source>
        <translation>%1 entfernen?</translation>
    </message>
    <message>
        <source>%1 can no longer sign in with %2. Their other passkeys keep working.</source>
        <translation>%1 kann sich nicht mehr mit %2 anmelden. Die anderen Passkeys funktionieren weiter.</translation>
    </message>
    <message>
        <source>Remove passkey</source>
        <translation>Passkey entfernen</translation>
    </message>
    <message>
        <source>Removing the passkey…</source>
        <translation>Passkey wird entfernt…</translation>
    </message>
    <message>
        <source>The passkey was removed.</source>
        <translation>Der Passkey wurde entfernt.</translation>
    </message>
    <message>
        <source>Revoke the invite for %1?</source>
        <translation>Einladung für %1 widerrufen?</translation>
    </message>
    <message>
        <source>The link sent to %1 stops working. You can invite them again later.</source>
        <translation>Der an %1 gesendete Link funktioniert nicht mehr. Sie können später erneut einladen.</translation>
    </message>
    <message>
        <source>Revoke invite</source>
        <translation>Einladung widerrufen</translation>
    </message>
    <message>
        <source>Revoking…</source>
        <translation>Wird widerrufen…</translation>
    </message>
    <message>
        <source>The invite for %1 was revoked.</source>
        <translation>Die Einladung für %1 wurde widerrufen.</translation>
    </message>
</context>
<context>
    <name>stint::ui::PinDialog</name>
    <message>
        <source>Security key PIN</source>
        <translation>PIN des Sicherheitsschlüssels</translation>
    </message>
    <message>
        <source>Enter your security key&apos;s PIN</source>
        <translation>Geben Sie die PIN Ihres Sicherheitsschlüssels ein</translation>
    </message>
    <message>
        <source>Your key asks for its PIN to make sure it is you. The PIN stays between you and the key: Stint does not keep it.</source>
        <translation>Ihr Schlüssel fragt nach seiner PIN, um sicherzugehen, dass Sie es sind. Die PIN bleibt zwischen Ihnen und dem Schlüssel: Stint speichert sie nicht.</translation>
    </message>
    <message>
        <source>&amp;PIN</source>
        <translation>&amp;PIN</translation>
    </message>
    <message numerus="yes">
        <source>At least %n characters.</source>
        <translation>
            <numerusform>Mindestens %n Zeichen.</numerusform>
            <numerusform>Mindestens %n Zeichen.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation>&amp;Weiter</translation>
    </message>
</context>
<context>
    <name>stint::ui::PoliciesModel</name>
    <message>
        <source>%1 (group)</source>
        <translation>%1 (Gruppe)</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>Genehmigung</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>Justification</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Nichts</translation>
    </message>
    <message>
        <source>Policy</source>
        <translation>Richtlinie</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Wer</translation>
    </message>
    <message>
        <source>Tenants</source>
        <translation>Mandanten</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <source>Longest</source>
        <translation>Höchstdauer</translation>
    </message>
    <message>
        <source>Asks for</source>
        <translation>Verlangt</translation>
    </message>
</context>
<context>
    <name>stint::ui::PoliciesPage</name>
    <message>
        <source>Access policies</source>
        <translation>Zugriffsrichtlinien</translation>
    </message>
    <message>
        <source>Who may ask for which roles in which tenants, for how long, and what a request must carry. Nobody has access without one.</source>
        <translation>Wer welche Rollen in welchen Mandanten anfordern darf, wie lange, und was eine Anfrage enthalten muss. Ohne Richtlinie hat niemand Zugriff.</translation>
    </message>
    <message>
        <source>&amp;New policy…</source>
        <translation>&amp;Neue Richtlinie…</translation>
    </message>
    <message>
        <source>Search policies, people, tenants, roles</source>
        <translation>Richtlinie, Person, Rolle</translation>
    </message>
    <message>
        <source>Choose a policy to see what it grants.</source>
        <translation>Wählen Sie eine Richtlinie, um zu sehen, was sie gewährt.</translation>
    </message>
    <message>
        <source>&amp;Change…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>No access policies yet</source>
        <translation>Noch keine Zugriffsrichtlinien</translation>
    </message>
    <message>
        <source>Without a policy nobody can ask for access. Make one: who, which tenants, which roles.</source>
        <translation>Ohne Richtlinie kann niemand Zugriff anfordern. Legen Sie eine an: wer, welche Mandanten, welche Rollen.</translation>
    </message>
    <message>
        <source>Make a policy</source>
        <translation>Richtlinie anlegen</translation>
    </message>
    <message>
        <source>Who: %1</source>
        <translation>Wer: %1</translation>
    </message>
    <message>
        <source>nobody yet</source>
        <translation>noch niemand</translation>
    </message>
    <message>
        <source>Tenants: %1</source>
        <translation>Mandanten: %1</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>noch keine</translation>
    </message>
    <message>
        <source>Roles: %1</source>
        <translation>Rollen: %1</translation>
    </message>
    <message>
        <source>For at most %1 at a time.</source>
        <translation>Höchstens %1 am Stück.</translation>
    </message>
    <message>
        <source>Requests need: %1.</source>
        <translation>Anfragen brauchen: %1.</translation>
    </message>
    <message>
        <source>Policy created.</source>
        <translation>Richtlinie angelegt.</translation>
    </message>
    <message>
        <source>Policy saved.</source>
        <translation>Richtlinie gespeichert.</translation>
    </message>
    <message>
        <source>%1 stops granting access: people covered only by it can no longer ask for it.</source>
        <translation>%1 gewährt keinen Zugriff mehr: Wer nur durch sie abgedeckt ist, kann ihn nicht mehr anfordern.</translation>
    </message>
    <message numerus="yes">
        <source>It granted %n live checkout(s): Stint revokes those that no other policy grants.</source>
        <translation>
            <numerusform>Sie hat %n laufenden Zugriff gewährt: Stint entzieht ihn, wenn keine andere Richtlinie ihn gewährt.</numerusform>
            <numerusform>Sie hat %n laufende Zugriffe gewährt: Stint entzieht die, die keine andere Richtlinie gewährt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete %1?</source>
        <translation>%1 löschen?</translation>
    </message>
    <message>
        <source>Delete policy</source>
        <translation>Richtlinie löschen</translation>
    </message>
    <message>
        <source>Deleting…</source>
        <translation>Wird gelöscht…</translation>
    </message>
    <message>
        <source>%1 was deleted.</source>
        <translation>%1 wurde gelöscht.</translation>
    </message>
</context>
<context>
    <name>stint::ui::PolicyEditor</name>
    <message>
        <source>An admin &amp;approves each request</source>
        <translation>Ein Admin &amp;genehmigt jede Anfrage</translation>
    </message>
    <message>
        <source>A &amp;ticket number</source>
        <translation>Eine &amp;Ticketnummer</translation>
    </message>
    <message>
        <source>A &amp;justification</source>
        <translation>Eine &amp;Begründung</translation>
    </message>
    <message>
        <source>%1 (group)</source>
        <translation>%1 (Gruppe)</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n Mitglied</numerusform>
            <numerusform>%n Mitglieder</numerusform>
        </translation>
    </message>
    <message>
        <source> (disabled)</source>
        <translation> (deaktiviert)</translation>
    </message>
    <message>
        <source>privileged</source>
        <translation>privilegiert</translation>
    </message>
    <message>
        <source>Policy name</source>
        <translation>Name der Richtlinie</translation>
    </message>
    <message>
        <source>e.g. Helpdesk: password resets</source>
        <translation>z. B. Helpdesk: Kennwörter zurücksetzen</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Longest checkout</source>
        <translation>Längster Zugriff</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>&amp;Description</source>
        <translation>Bes&amp;chreibung</translation>
    </message>
    <message>
        <source>&amp;Longest checkout</source>
        <translation>&amp;Längster Zugriff</translation>
    </message>
    <message>
        <source>Requests need</source>
        <translation>Anfragen brauchen</translation>
    </message>
    <message>
        <source>&amp;Who</source>
        <translation>&amp;Wer</translation>
    </message>
    <message>
        <source>In which &amp;tenants</source>
        <translation>In welchen &amp;Mandanten</translation>
    </message>
    <message>
        <source>Which &amp;roles</source>
        <translation>Welche &amp;Rollen</translation>
    </message>
    <message>
        <source>&amp;Create policy</source>
        <translation>Richtlinie &amp;anlegen</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>New access policy</source>
        <translation>Neue Zugriffsrichtlinie</translation>
    </message>
    <message>
        <source>Change %1</source>
        <translation>%1 ändern</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Search %1</source>
        <translation>%1 durchsuchen</translation>
    </message>
    <message>
        <source>Space ticks the selected entry.</source>
        <translation>Die Leertaste hakt den ausgewählten Eintrag an.</translation>
    </message>
    <message>
        <source>Offered in every chosen tenant</source>
        <translation>In jedem gewählten Mandanten angeboten</translation>
    </message>
    <message>
        <source>Offered only in %1</source>
        <translation>Nur in %1 angeboten</translation>
    </message>
    <message>
        <source>Not offered by the chosen tenants</source>
        <translation>Von den gewählten Mandanten nicht angeboten</translation>
    </message>
    <message numerus="yes">
        <source>%n person(s)</source>
        <translation>
            <numerusform>%n Person</numerusform>
            <numerusform>%n Personen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n group(s)</source>
        <translation>
            <numerusform>%n Gruppe</numerusform>
            <numerusform>%n Gruppen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tenant(s)</source>
        <translation>
            <numerusform>%n Mandant</numerusform>
            <numerusform>%n Mandanten</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose tenants first: the roles they offer are listed here.</source>
        <translation>Wählen Sie zuerst Mandanten: Die Rollen, die sie anbieten, erscheinen hier.</translation>
    </message>
    <message numerus="yes">
        <source>%n role(s)</source>
        <translation>
            <numerusform>%n Rolle</numerusform>
            <numerusform>%n Rollen</numerusform>
        </translation>
    </message>
    <message>
        <source>Give the policy a name</source>
        <translation>Geben Sie der Richtlinie einen Namen</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <source>Someone else changed this policy; reading their version…</source>
        <translation>Jemand anderes hat diese Richtlinie geändert; die neue Fassung wird gelesen…</translation>
    </message>
    <message>
        <source>Someone else saved changes to this policy while you were editing. The form now shows their version; make your change again and save.</source>
        <translation>Jemand anderes hat Änderungen an dieser Richtlinie gespeichert, während Sie sie bearbeitet haben. Das Formular zeigt jetzt deren Fassung; nehmen Sie Ihre Änderung erneut vor und speichern Sie.</translation>
    </message>
    <message>
        <source>Someone else deleted this policy while you were editing it.</source>
        <translation>Jemand anderes hat diese Richtlinie gelöscht, während Sie sie bearbeitet haben.</translation>
    </message>
</context>
<context>
    <name>stint::ui::PortalMenu</name>
    <message>
        <source>Admin portals</source>
        <translation>Admin-Portale</translation>
    </message>
</context>
<context>
    <name>stint::ui::RequestAccessDialog</name>
    <message>
        <source>&amp;Request access</source>
        <translation>Zugriff an&amp;fordern</translation>
    </message>
    <message>
        <source>Request access to %1</source>
        <translation>Zugriff auf %1 anfordern</translation>
    </message>
    <message>
        <source>Stint prepares your own account in %1 with the roles you choose, for the time you choose, and takes it all away again when the time is up.</source>
        <translation>Stint bereitet Ihr eigenes Konto in %1 mit den Rollen und für die Zeit vor, die Sie wählen, und entzieht alles wieder, wenn die Zeit abgelaufen ist.</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>Rollen</translation>
    </message>
    <message>
        <source>Check the directory roles you need. Space toggles a role.</source>
        <translation>Haken Sie die Verzeichnisrollen an, die Sie brauchen. Die Leertaste schaltet eine Rolle um.</translation>
    </message>
    <message>
        <source>%1 — needs approval</source>
        <translation>%1 – braucht Genehmigung</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>e.g. Reset MFA for a locked-out user</source>
        <translation>z. B. MFA für einen ausgesperrten Benutzer zurücksetzen</translation>
    </message>
    <message>
        <source>Justification</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <source>e.g. INC-4711</source>
        <translation>z. B. INC-4711</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>R&amp;oles</source>
        <translation>R&amp;ollen</translation>
    </message>
    <message>
        <source>&amp;Duration</source>
        <translation>&amp;Dauer</translation>
    </message>
    <message>
        <source>Choose a role first.</source>
        <translation>Wählen Sie zuerst eine Rolle.</translation>
    </message>
    <message>
        <source>No single access policy grants you these roles together. Request them one at a time, or ask an administrator.</source>
        <translation>Keine einzelne Zugriffsrichtlinie gewährt Ihnen diese Rollen zusammen. Fordern Sie sie einzeln an oder wenden Sie sich an einen Administrator.</translation>
    </message>
    <message>
        <source>up to %1 for these roles</source>
        <translation>bis zu %1 für diese Rollen</translation>
    </message>
    <message>
        <source>&amp;Justification (required)</source>
        <translation>&amp;Begründung (Pflichtfeld)</translation>
    </message>
    <message>
        <source>&amp;Justification (optional)</source>
        <translation>&amp;Begründung (optional)</translation>
    </message>
    <message>
        <source>&amp;Ticket (required)</source>
        <translation>&amp;Ticket (Pflichtfeld)</translation>
    </message>
    <message>
        <source>&amp;Ticket (optional)</source>
        <translation>&amp;Ticket (optional)</translation>
    </message>
    <message>
        <source>Required by your access policy</source>
        <translation>Von Ihrer Zugriffsrichtlinie verlangt</translation>
    </message>
    <message>
        <source>An administrator must approve this request (access policy &quot;%1&quot;). Stint shows here when they decide.</source>
        <translation>Ein Administrator muss diese Anfrage genehmigen (Zugriffsrichtlinie „%1“). Stint zeigt hier an, wenn entschieden wurde.</translation>
    </message>
    <message>
        <source>&amp;Ask for approval</source>
        <translation>Genehmigung &amp;anfragen</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Sending the request…</source>
        <translation>Anfrage wird gesendet…</translation>
    </message>
    <message>
        <source>must name at least one role: check one above.</source>
        <translation>Wählen Sie oben mindestens eine aus.</translation>
    </message>
    <message>
        <source>is required by the access policy &quot;%1&quot;: say what you are going to do.</source>
        <translation>Pflichtangabe laut Zugriffsrichtlinie „%1“: Beschreiben Sie, was Sie tun werden.</translation>
    </message>
    <message>
        <source>is required by the access policy &quot;%1&quot;.</source>
        <translation>Pflichtangabe laut Zugriffsrichtlinie „%1“.</translation>
    </message>
</context>
<context>
    <name>stint::ui::SettingsDialog</name>
    <message>
        <source>&amp;Forget saved data…</source>
        <translation>Gespeicherte Daten &amp;vergessen…</translation>
    </message>
    <message>
        <source>Stint settings</source>
        <translation>Stint-Einstellungen</translation>
    </message>
    <message>
        <source>Stint service</source>
        <translation>Stint-Dienst</translation>
    </message>
    <message>
        <source>Stint service address</source>
        <translation>Adresse des Stint-Dienstes</translation>
    </message>
    <message>
        <source>https address of your Stint service; plain http only for a service on this computer.</source>
        <translation>https-Adresse Ihres Stint-Dienstes; einfaches http nur für einen Dienst auf diesem Computer.</translation>
    </message>
    <message>
        <source>Changing it signs you in to the other service; your session here is kept for when you come back.</source>
        <translation>Eine Änderung meldet Sie beim anderen Dienst an; Ihre Sitzung hier bleibt für Ihre Rückkehr erhalten.</translation>
    </message>
    <message>
        <source>The address your administrator gave you.</source>
        <translation>Die Adresse, die Ihr Administrator Ihnen gegeben hat.</translation>
    </message>
    <message>
        <source>&amp;Address</source>
        <translation>&amp;Adresse</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>A new language applies when Stint next starts.</source>
        <translation>Eine neue Sprache gilt ab dem nächsten Start von Stint.</translation>
    </message>
    <message>
        <source>&amp;Show Stint in</source>
        <translation>Anzeige&amp;sprache</translation>
    </message>
    <message>
        <source>Saved data</source>
        <translation>Gespeicherte Daten</translation>
    </message>
    <message>
        <source>Stint keeps an encrypted copy of what you may see on this computer, so that it opens at once and still shows your access when the service cannot be reached. Passwords are never saved.</source>
        <translation>Stint bewahrt auf diesem Computer eine verschlüsselte Kopie dessen auf, was Sie sehen dürfen, damit es sofort öffnet und Ihre Zugriffe auch dann zeigt, wenn der Dienst nicht erreichbar ist. Kennwörter werden nie gespeichert.</translation>
    </message>
    <message>
        <source>Deletes the saved copy on this computer; Stint fetches it again.</source>
        <translation>Löscht die gespeicherte Kopie auf diesem Computer; Stint ruft sie erneut ab.</translation>
    </message>
    <message>
        <source>Enter the address of your Stint service.</source>
        <translation>Geben Sie die Adresse Ihres Stint-Dienstes ein.</translation>
    </message>
    <message>
        <source>This address cannot be used: %1</source>
        <translation>Diese Adresse kann nicht verwendet werden: %1</translation>
    </message>
    <message>
        <source>Forget saved data?</source>
        <translation>Gespeicherte Daten vergessen?</translation>
    </message>
    <message>
        <source>Stint deletes its saved copy on this computer and fetches everything again from the service. Until that finishes, nothing is shown if the service cannot be reached. Your access and your session are not affected.</source>
        <translation>Stint löscht seine gespeicherte Kopie auf diesem Computer und ruft alles erneut vom Dienst ab. Bis das abgeschlossen ist, wird nichts angezeigt, wenn der Dienst nicht erreichbar ist. Ihre Zugriffe und Ihre Sitzung bleiben unberührt.</translation>
    </message>
    <message>
        <source>&amp;Forget saved data</source>
        <translation>Gespeicherte Daten &amp;vergessen</translation>
    </message>
    <message>
        <source>Saved data forgotten</source>
        <translation>Gespeicherte Daten vergessen</translation>
    </message>
</context>
<context>
    <name>stint::ui::Shell</name>
    <message>
        <source>Opening Stint…</source>
        <translation>Stint wird geöffnet…</translation>
    </message>
    <message>
        <source>Waiting for the system keychain… If it asks for your password, unlock it.</source>
        <translation>Warten auf den Schlüsselbund des Systems… Falls er nach Ihrem Kennwort fragt, entsperren Sie ihn.</translation>
    </message>
    <message>
        <source>You are signed in, but Stint could not keep your session in the system keychain, so you will sign in again next time. %1</source>
        <translation>Sie sind angemeldet, aber Stint konnte Ihre Sitzung nicht im Schlüsselbund des Systems speichern; beim nächsten Mal melden Sie sich daher erneut an. %1</translation>
    </message>
    <message>
        <source>Stint could not open its saved data on this computer, so it starts without it and cannot show anything while offline. %1</source>
        <translation>Stint konnte seine gespeicherten Daten auf diesem Computer nicht öffnen; es startet ohne sie und kann offline nichts anzeigen. %1</translation>
    </message>
    <message>
        <source>Sign in to Stint again</source>
        <translation>Erneut bei Stint anmelden</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>You have signed out. Your saved data on this computer was deleted.</source>
        <translation>Sie haben sich abgemeldet. Ihre gespeicherten Daten auf diesem Computer wurden gelöscht.</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Stint keeps running</source>
        <translation>Stint läuft weiter</translation>
    </message>
    <message>
        <source>Stint stays here so that it can warn you before your access ends. Quit it from this icon&apos;s menu.</source>
        <translation>Stint bleibt hier, damit es Sie warnen kann, bevor Ihr Zugriff endet. Beenden Sie es über das Menü dieses Symbols.</translation>
    </message>
</context>
<context>
    <name>stint::ui::SignInPage</name>
    <message>
        <source>C&amp;hange…</source>
        <translation>Ä&amp;ndern…</translation>
    </message>
    <message>
        <source>Sign in with security &amp;key</source>
        <translation>Mit &amp;Sicherheitsschlüssel anmelden</translation>
    </message>
    <message>
        <source>Sign in with &amp;browser</source>
        <translation>Mit &amp;Browser anmelden</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Stint</source>
        <translation>Stint</translation>
    </message>
    <message>
        <source>Sign in to Stint</source>
        <translation>Bei Stint anmelden</translation>
    </message>
    <message>
        <source>Use another Stint service</source>
        <translation>Anderen Stint-Dienst verwenden</translation>
    </message>
    <message>
        <source>Stint &amp;service address</source>
        <translation>&amp;Adresse des Stint-Dienstes</translation>
    </message>
    <message>
        <source>Stint service address</source>
        <translation>Adresse des Stint-Dienstes</translation>
    </message>
    <message>
        <source>The address your administrator gave you. It must start with https (plain http only for a service on this computer).</source>
        <translation>Die Adresse, die Ihr Administrator Ihnen gegeben hat. Sie muss mit https beginnen (einfaches http nur für einen Dienst auf diesem Computer).</translation>
    </message>
    <message>
        <source>Your administrator gives you this address.</source>
        <translation>Diese Adresse erhalten Sie von Ihrem Administrator.</translation>
    </message>
    <message>
        <source>&amp;Email (optional)</source>
        <translation>&amp;E-Mail (optional)</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>Email (optional)</source>
        <translation>E-Mail (optional)</translation>
    </message>
    <message>
        <source>Leave it empty when your passkey is stored on the security key; enter it when the key asks which account.</source>
        <translation>Lassen Sie das Feld leer, wenn Ihr Passkey auf dem Sicherheitsschlüssel gespeichert ist; füllen Sie es aus, wenn der Schlüssel nach dem Konto fragt.</translation>
    </message>
    <message>
        <source>Leave it empty when your passkey is stored on your key.</source>
        <translation>Leer lassen, wenn Ihr Passkey auf Ihrem Schlüssel gespeichert ist.</translation>
    </message>
    <message>
        <source>Signs in with a FIDO2 security key plugged into this computer.</source>
        <translation>Meldet Sie mit einem FIDO2-Sicherheitsschlüssel an, der an diesem Computer steckt.</translation>
    </message>
    <message>
        <source>Opens your web browser to sign in with a passkey there, then comes back to Stint.</source>
        <translation>Öffnet Ihren Webbrowser, um sich dort mit einem Passkey anzumelden, und kehrt dann zu Stint zurück.</translation>
    </message>
    <message>
        <source>Sign-in progress</source>
        <translation>Fortschritt der Anmeldung</translation>
    </message>
    <message>
        <source>Sign-in problem</source>
        <translation>Problem bei der Anmeldung</translation>
    </message>
    <message>
        <source>Stops the sign-in that is running.</source>
        <translation>Bricht die laufende Anmeldung ab.</translation>
    </message>
    <message>
        <source>Sign-in cancelled.</source>
        <translation>Anmeldung abgebrochen.</translation>
    </message>
    <message>
        <source>Service: %1</source>
        <translation>Dienst: %1</translation>
    </message>
    <message>
        <source>Enter the address of your Stint service.</source>
        <translation>Geben Sie die Adresse Ihres Stint-Dienstes ein.</translation>
    </message>
    <message>
        <source>This address cannot be used: %1</source>
        <translation>Diese Adresse kann nicht verwendet werden: %1</translation>
    </message>
    <message>
        <source>Stint could not use this address. Check it and try again.</source>
        <translation>Stint konnte diese Adresse nicht verwenden. Prüfen Sie sie und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Checking your PIN with the key…</source>
        <translation>PIN wird mit dem Schlüssel geprüft…</translation>
    </message>
    <message>
        <source>Contacting the Stint service…</source>
        <translation>Verbindung zum Stint-Dienst…</translation>
    </message>
    <message>
        <source>Signed in.</source>
        <translation>Angemeldet.</translation>
    </message>
    <message>
        <source>Waiting for your PIN…</source>
        <translation>Warten auf Ihre PIN…</translation>
    </message>
    <message>
        <source>Several security keys are plugged in: touch the one you want to use.</source>
        <translation>Mehrere Sicherheitsschlüssel sind eingesteckt: Berühren Sie den, den Sie verwenden möchten.</translation>
    </message>
    <message>
        <source>Touch your security key now.</source>
        <translation>Berühren Sie jetzt Ihren Sicherheitsschlüssel.</translation>
    </message>
    <message>
        <source>Asking the Stint service…</source>
        <translation>Anfrage an den Stint-Dienst…</translation>
    </message>
    <message>
        <source>Your browser is open: sign in there. Stint waits here and continues on its own.</source>
        <translation>Ihr Browser ist geöffnet: Melden Sie sich dort an. Stint wartet hier und macht von selbst weiter.</translation>
    </message>
    <message>
        <source>Finishing sign-in…</source>
        <translation>Anmeldung wird abgeschlossen…</translation>
    </message>
    <message>
        <source>Stint does not know this passkey. Use the security key you enrolled, check the email above (or leave it empty), or sign in with the browser.</source>
        <translation>Stint kennt diesen Passkey nicht. Verwenden Sie den Sicherheitsschlüssel, mit dem Sie sich registriert haben, prüfen Sie die E-Mail-Adresse oben (oder lassen Sie sie leer), oder melden Sie sich über den Browser an.</translation>
    </message>
</context>
<context>
    <name>stint::ui::StatusChip</name>
    <message>
        <source>Requested</source>
        <translation>Angefordert</translation>
    </message>
    <message>
        <source>Awaiting approval</source>
        <translation>Wartet auf Genehmigung</translation>
    </message>
    <message>
        <source>Preparing access</source>
        <translation>Wird vorbereitet</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Ending</source>
        <translation>Wird beendet</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <source>Denied</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Revocation failing</source>
        <translation>Entzug schlägt fehl</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>Unhealthy</source>
        <translation>Gestört</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>Wird verbunden</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>Wird geprüft</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Getrennt</translation>
    </message>
</context>
<context>
    <name>stint::ui::SyncIndicator</name>
    <message>
        <source>Up to date · synced %1</source>
        <translation>Aktuell · synchronisiert %1</translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation>Aktuell</translation>
    </message>
    <message>
        <source>Showing saved data from %1 · connecting…</source>
        <translation>Gespeicherte Daten von %1 · Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <source>Showing saved data · connecting…</source>
        <translation>Gespeicherte Daten · Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird hergestellt…</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Nicht angemeldet</translation>
    </message>
    <message>
        <source>Offline · showing saved data from %1</source>
        <translation>Offline · gespeicherte Daten von %1</translation>
    </message>
    <message>
        <source>Offline · showing saved data</source>
        <translation>Offline · gespeicherte Daten</translation>
    </message>
    <message>
        <source>Sync status: %1</source>
        <translation>Synchronisierungsstatus: %1</translation>
    </message>
</context>
<context>
    <name>stint::ui::TechnicianView</name>
    <message>
        <source>Search tenants, domains, roles (Ctrl+K)</source>
        <translation>Mandanten, Domänen, Rollen suchen (Strg+K)</translation>
    </message>
    <message>
        <source>Search tenants</source>
        <translation>Mandanten suchen</translation>
    </message>
    <message>
        <source>Filters the tenant list as you type. Down moves into the list, Enter chooses the tenant.</source>
        <translation>Filtert die Mandantenliste bei der Eingabe. Pfeil nach unten wechselt in die Liste, Eingabe wählt den Mandanten.</translation>
    </message>
    <message>
        <source>Tenants you may access</source>
        <translation>Mandanten, auf die Sie zugreifen dürfen</translation>
    </message>
    <message>
        <source>&amp;Tenants</source>
        <translation>Ma&amp;ndanten</translation>
    </message>
    <message>
        <source>&amp;My access</source>
        <translation>&amp;Meine Zugriffe</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>V&amp;erlauf</translation>
    </message>
    <message>
        <source>1 tenant</source>
        <translation>1 Mandant</translation>
    </message>
    <message>
        <source>%1 tenants</source>
        <translation>%1 Mandanten</translation>
    </message>
    <message>
        <source>%1 of %2 tenants match</source>
        <translation>%1 von %2 Mandanten passen</translation>
    </message>
    <message>
        <source>No tenants for you yet</source>
        <translation>Noch keine Mandanten für Sie</translation>
    </message>
    <message>
        <source>No access policy grants you roles in a customer tenant. Ask an administrator to add you to one.</source>
        <translation>Keine Zugriffsrichtlinie gewährt Ihnen Rollen in einem Kundenmandanten. Bitten Sie einen Administrator, Sie in eine aufzunehmen.</translation>
    </message>
    <message>
        <source>No tenant matches</source>
        <translation>Kein Mandant passt</translation>
    </message>
    <message>
        <source>Nothing matches &quot;%1&quot;. Search by tenant name, domain, tenant id or role.</source>
        <translation>Nichts passt zu „%1“. Suchen Sie nach Mandantenname, Domäne, Mandanten-ID oder Rolle.</translation>
    </message>
    <message>
        <source>Clear search</source>
        <translation>Suche leeren</translation>
    </message>
    <message>
        <source>&amp;My access (%1)</source>
        <translation>&amp;Meine Zugriffe (%1)</translation>
    </message>
    <message>
        <source>Your session has ended. Sign in again to continue; until then this is what Stint last knew.</source>
        <translation>Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an, um fortzufahren; bis dahin sehen Sie den zuletzt bekannten Stand.</translation>
    </message>
    <message numerus="yes">
        <source> Retrying in %n s.</source>
        <translation>
            <numerusform> Neuer Versuch in %n s.</numerusform>
            <numerusform> Neuer Versuch in %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source> Retrying…</source>
        <translation> Neuer Versuch…</translation>
    </message>
    <message>
        <source>Offline: showing what Stint last knew. Countdowns run on from the last known end times; states may be out of date.</source>
        <translation>Offline: Stint zeigt den zuletzt bekannten Stand. Countdowns laufen ab den zuletzt bekannten Endzeiten weiter; Zustände können veraltet sein.</translation>
    </message>
    <message>
        <source>Retry &amp;now</source>
        <translation>&amp;Jetzt erneut versuchen</translation>
    </message>
    <message>
        <source>Connecting to the Stint service… showing what Stint last knew.</source>
        <translation>Verbindung zum Stint-Dienst wird hergestellt… Stint zeigt den zuletzt bekannten Stand.</translation>
    </message>
    <message>
        <source>Nothing to launch: none of your access is ready. Request access first (Ctrl+R).</source>
        <translation>Nichts zu öffnen: Keiner Ihrer Zugriffe ist bereit. Fordern Sie zuerst Zugriff an (Strg+R).</translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantListModel</name>
    <message>
        <source>No roles granted to you any more</source>
        <translation>Ihnen sind keine Rollen mehr gewährt</translation>
    </message>
    <message numerus="yes">
        <source> +%n more</source>
        <translation>
            <numerusform> +%n weitere</numerusform>
            <numerusform> +%n weitere</numerusform>
        </translation>
    </message>
    <message>
        <source>up to %1</source>
        <translation>bis zu %1</translation>
    </message>
    <message>
        <source>approval needed</source>
        <translation>Genehmigung nötig</translation>
    </message>
    <message>
        <source>approval for some roles</source>
        <translation>Genehmigung für manche Rollen</translation>
    </message>
    <message>
        <source>%1, %2, %3</source>
        <translation>%1, %2, %3</translation>
    </message>
    <message>
        <source>, your access: %1</source>
        <translation>, Ihr Zugriff: %1</translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantPanel</name>
    <message>
        <source>up to %1</source>
        <translation>bis zu %1</translation>
    </message>
    <message>
        <source>an administrator approves</source>
        <translation>ein Administrator genehmigt</translation>
    </message>
    <message>
        <source>justification and ticket required</source>
        <translation>Begründung und Ticket erforderlich</translation>
    </message>
    <message>
        <source>justification required</source>
        <translation>Begründung erforderlich</translation>
    </message>
    <message>
        <source>ticket required</source>
        <translation>Ticket erforderlich</translation>
    </message>
    <message>
        <source>&amp;Request access…</source>
        <translation>Zugriff an&amp;fordern…</translation>
    </message>
    <message>
        <source>Choose a tenant</source>
        <translation>Wählen Sie einen Mandanten</translation>
    </message>
    <message>
        <source>Pick a customer tenant on the left to see what you may ask for there. Ctrl+K searches.</source>
        <translation>Wählen Sie links einen Kundenmandanten, um zu sehen, was Sie dort anfordern dürfen. Strg+K sucht.</translation>
    </message>
    <message>
        <source>Request access to this tenant (Ctrl+R)</source>
        <translation>Zugriff auf diesen Mandanten anfordern (Strg+R)</translation>
    </message>
    <message>
        <source>What you may ask for</source>
        <translation>Was Sie anfordern dürfen</translation>
    </message>
    <message>
        <source>No access policy grants you roles here any more. Ask an administrator if you need access.</source>
        <translation>Keine Zugriffsrichtlinie gewährt Ihnen hier noch Rollen. Wenden Sie sich an einen Administrator, wenn Sie Zugriff brauchen.</translation>
    </message>
    <message>
        <source>Sign in again to request access.</source>
        <translation>Melden Sie sich erneut an, um Zugriff anzufordern.</translation>
    </message>
    <message>
        <source>You have an open checkout here: end it before asking again.</source>
        <translation>Sie haben hier einen offenen Zugriff: Beenden Sie ihn, bevor Sie erneut anfragen.</translation>
    </message>
    <message>
        <source>This tenant is not connected to Microsoft Entra ID yet: a request waits until an administrator connects it.</source>
        <translation>Dieser Mandant ist noch nicht mit Microsoft Entra ID verbunden: Eine Anfrage wartet, bis ein Administrator ihn verbindet.</translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantSettingsDialog</name>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>Letters a–z, digits, &apos;.&apos;, &apos;-&apos; and &apos;_&apos;, with at least one of {user} (the technician&apos;s email name), {name} (their display name) or {id} (a short unique id).</source>
        <translation>Buchstaben a–z, Ziffern, &apos;.&apos;, &apos;-&apos; und &apos;_&apos;, mit mindestens einem von {user} (der E-Mail-Name des Technikers), {name} (sein Anzeigename) oder {id} (eine kurze eindeutige ID).</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Kennwort</translation>
    </message>
    <message>
        <source>Temporary Access Pass</source>
        <translation>Befristeter Zugriffspass</translation>
    </message>
    <message>
        <source>Both</source>
        <translation>Beides</translation>
    </message>
    <message>
        <source>Disable the account</source>
        <translation>Konto deaktivieren</translation>
    </message>
    <message>
        <source>Delete the account</source>
        <translation>Konto löschen</translation>
    </message>
    <message>
        <source>Search roles</source>
        <translation>Rollen suchen</translation>
    </message>
    <message>
        <source>privileged</source>
        <translation>privilegiert</translation>
    </message>
    <message>
        <source>Roles offered</source>
        <translation>Angebotene Rollen</translation>
    </message>
    <message>
        <source>Tick the roles technicians may be given in this tenant. Space ticks the selected role.</source>
        <translation>Haken Sie die Rollen an, die Technikern in diesem Mandanten gegeben werden dürfen. Die Leertaste hakt die ausgewählte Rolle an.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <source>Account domain</source>
        <translation>Kontodomäne</translation>
    </message>
    <message>
        <source>Account naming rule</source>
        <translation>Regel für Kontonamen</translation>
    </message>
    <message>
        <source>Credential</source>
        <translation>Zugangsdaten</translation>
    </message>
    <message>
        <source>When a checkout ends</source>
        <translation>Wenn ein Zugriff endet</translation>
    </message>
    <message>
        <source>Default duration</source>
        <translation>Standarddauer</translation>
    </message>
    <message>
        <source>Longest duration</source>
        <translation>Höchstdauer</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>N&amp;otes</source>
        <translation>N&amp;otizen</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>Konten</translation>
    </message>
    <message>
        <source>&amp;Domain</source>
        <translation>&amp;Domäne</translation>
    </message>
    <message>
        <source>Naming &amp;rule</source>
        <translation>Namens&amp;regel</translation>
    </message>
    <message>
        <source>&amp;Credential</source>
        <translation>&amp;Zugangsdaten</translation>
    </message>
    <message>
        <source>When it &amp;ends</source>
        <translation>Bei &amp;Ende</translation>
    </message>
    <message>
        <source>Checkout length</source>
        <translation>Dauer eines Zugriffs</translation>
    </message>
    <message>
        <source>De&amp;fault</source>
        <translation>S&amp;tandard</translation>
    </message>
    <message>
        <source>&amp;Longest</source>
        <translation>&amp;Längste</translation>
    </message>
    <message>
        <source>Technicians can only be given the roles ticked here, and only those their policy grants.</source>
        <translation>Technikern können nur die hier angehakten Rollen gegeben werden, und nur die, die ihre Richtlinie gewährt.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>%1 settings</source>
        <translation>Einstellungen für %1</translation>
    </message>
    <message>
        <source> (default)</source>
        <translation> (Standard)</translation>
    </message>
    <message>
        <source> (initial)</source>
        <translation> (anfangs)</translation>
    </message>
    <message>
        <source>%1 (no longer verified)</source>
        <translation>%1 (nicht mehr verifiziert)</translation>
    </message>
    <message>
        <source>One of the tenant&apos;s verified domains.</source>
        <translation>Eine der verifizierten Domänen des Mandanten.</translation>
    </message>
    <message>
        <source>Connect the tenant to choose from its verified domains.</source>
        <translation>Verbinden Sie den Mandanten, um aus seinen verifizierten Domänen zu wählen.</translation>
    </message>
    <message>
        <source>The tenant no longer lists this role.</source>
        <translation>Der Mandant führt diese Rolle nicht mehr.</translation>
    </message>
    <message>
        <source>Reading the tenant&apos;s domains and roles…</source>
        <translation>Domänen und Rollen des Mandanten werden gelesen…</translation>
    </message>
    <message>
        <source>The tenant has not been checked yet: connect it to choose from its domains and roles.</source>
        <translation>Der Mandant wurde noch nicht geprüft: Verbinden Sie ihn, um aus seinen Domänen und Rollen zu wählen.</translation>
    </message>
    <message>
        <source>Your account would be %1@%2</source>
        <translation>Ihr Konto wäre %1@%2</translation>
    </message>
    <message>
        <source>&lt;domain&gt;</source>
        <translation>&lt;Domäne&gt;</translation>
    </message>
    <message>
        <source>Each checkout then starts from a new account: its sign-in history and mailbox do not carry over.</source>
        <translation>Jeder Zugriff beginnt dann mit einem neuen Konto: Anmeldeverlauf und Postfach werden nicht übernommen.</translation>
    </message>
    <message>
        <source>The technician&apos;s account stays in the tenant, disabled and without roles, between checkouts.</source>
        <translation>Das Konto des Technikers bleibt zwischen den Zugriffen im Mandanten, deaktiviert und ohne Rollen.</translation>
    </message>
    <message>
        <source>%1 of %2 roles offered, %3 of them privileged.</source>
        <translation>%1 von %2 Rollen angeboten, %3 davon privilegiert.</translation>
    </message>
    <message>
        <source>%1 of %2 roles offered.</source>
        <translation>%1 von %2 Rollen angeboten.</translation>
    </message>
    <message>
        <source>Enter the tenant&apos;s name</source>
        <translation>Geben Sie den Namen des Mandanten ein</translation>
    </message>
    <message>
        <source>The default must not be longer than the longest (%1)</source>
        <translation>Die Standarddauer darf nicht länger als die Höchstdauer sein (%1)</translation>
    </message>
    <message>
        <source>Some fields need a change; see the messages below them.</source>
        <translation>Einige Felder müssen geändert werden; siehe die Hinweise darunter.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <source>Someone else changed this tenant; reading their version…</source>
        <translation>Jemand anderes hat diesen Mandanten geändert; die neue Fassung wird gelesen…</translation>
    </message>
    <message>
        <source>Someone else saved changes to %1 while you were editing. The form now shows their version; make your change again and save.</source>
        <translation>Jemand anderes hat Änderungen an %1 gespeichert, während Sie bearbeitet haben. Das Formular zeigt jetzt deren Fassung; nehmen Sie Ihre Änderung erneut vor und speichern Sie.</translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantsPage</name>
    <message>
        <source>Temporary Access Pass</source>
        <translation>befristetem Zugriffspass</translation>
    </message>
    <message>
        <source>password and Temporary Access Pass</source>
        <translation>Kennwort und befristetem Zugriffspass</translation>
    </message>
    <message>
        <source>password</source>
        <translation>Kennwort</translation>
    </message>
    <message>
        <source>Customer tenants</source>
        <translation>Kundenmandanten</translation>
    </message>
    <message>
        <source>The Microsoft Entra ID tenants you manage: connect them, choose how Stint makes accounts there, and keep an eye on their health.</source>
        <translation>Die Microsoft Entra ID-Mandanten, die Sie verwalten: Verbinden Sie sie, legen Sie fest, wie Stint dort Konten anlegt, und behalten Sie ihren Zustand im Blick.</translation>
    </message>
    <message>
        <source>&amp;Add tenant…</source>
        <translation>Mandant &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Search tenants, domains, status</source>
        <translation>Mandant, Domäne, Status</translation>
    </message>
    <message>
        <source>Choose a tenant to see its connection and health.</source>
        <translation>Wählen Sie einen Mandanten, um seine Verbindung und seinen Zustand zu sehen.</translation>
    </message>
    <message>
        <source>Tenant details</source>
        <translation>Details zum Mandanten</translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation>Ver&amp;binden…</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>C&amp;heck now</source>
        <translation>Jetzt &amp;prüfen</translation>
    </message>
    <message>
        <source>Run the connection health check again</source>
        <translation>Die Zustandsprüfung der Verbindung erneut ausführen</translation>
    </message>
    <message>
        <source>&amp;Reconcile now</source>
        <translation>Jetzt a&amp;bgleichen</translation>
    </message>
    <message>
        <source>Revoke any Stint account in the tenant that has access without a live checkout</source>
        <translation>Jedes Stint-Konto im Mandanten entziehen, das ohne laufenden Zugriff Rechte hat</translation>
    </message>
    <message>
        <source>&amp;Disconnect…</source>
        <translation>&amp;Trennen…</translation>
    </message>
    <message>
        <source>Re&amp;move tenant…</source>
        <translation>Mandant ent&amp;fernen…</translation>
    </message>
    <message>
        <source>No customer tenants yet</source>
        <translation>Noch keine Kundenmandanten</translation>
    </message>
    <message>
        <source>Add a customer, then connect it to Microsoft Entra ID so technicians can check out access there.</source>
        <translation>Fügen Sie einen Kunden hinzu und verbinden Sie ihn dann mit Microsoft Entra ID, damit Techniker dort Zugriff erhalten können.</translation>
    </message>
    <message>
        <source>Add a customer tenant</source>
        <translation>Kundenmandant hinzufügen</translation>
    </message>
    <message>
        <source>The connection could not be read: %1</source>
        <translation>Die Verbindung konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Entra tenant: %1</source>
        <translation>Entra-Mandant: %1</translation>
    </message>
    <message>
        <source>Cloud: %1</source>
        <translation>Cloud: %1</translation>
    </message>
    <message>
        <source>&lt;domain not chosen&gt;</source>
        <translation>&lt;Domäne nicht gewählt&gt;</translation>
    </message>
    <message>
        <source>Accounts: %1@%2, signing in with a %3; %4 when a checkout ends.</source>
        <translation>Konten: %1@%2, Anmeldung mit %3; bei Zugriffsende %4.</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>deaktiviert</translation>
    </message>
    <message>
        <source>Checkouts: %1 by default, at most %2.</source>
        <translation>Zugriffe: standardmäßig %1, höchstens %2.</translation>
    </message>
    <message>
        <source>No roles offered yet: choose them in Settings.</source>
        <translation>Noch keine Rollen angeboten: Wählen Sie sie in den Einstellungen.</translation>
    </message>
    <message numerus="yes">
        <source>%n role(s) offered.</source>
        <translation>
            <numerusform>%n Rolle angeboten.</numerusform>
            <numerusform>%n Rollen angeboten.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n checkout(s) live now.</source>
        <translation>
            <numerusform>%n Zugriff läuft gerade.</numerusform>
            <numerusform>%n Zugriffe laufen gerade.</numerusform>
        </translation>
    </message>
    <message>
        <source>No live checkouts.</source>
        <translation>Keine laufenden Zugriffe.</translation>
    </message>
    <message>
        <source>Re&amp;connect…</source>
        <translation>Erneut ver&amp;binden…</translation>
    </message>
    <message>
        <source>Added. Connect it to Microsoft Entra ID next.</source>
        <translation>Hinzugefügt. Verbinden Sie ihn als Nächstes mit Microsoft Entra ID.</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>Einstellungen gespeichert.</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>%1 wird geprüft…</translation>
    </message>
    <message>
        <source>The health check of %1 is running; its findings appear below.</source>
        <translation>Die Zustandsprüfung von %1 läuft; ihre Befunde erscheinen unten.</translation>
    </message>
    <message>
        <source>Starting reconciliation…</source>
        <translation>Abgleich wird gestartet…</translation>
    </message>
    <message>
        <source>Reconciling %1: any Stint account there with access but no live checkout is revoked, and each one found becomes an alert.</source>
        <translation>%1 wird abgeglichen: Jedes Stint-Konto dort, das Rechte, aber keinen laufenden Zugriff hat, wird entzogen, und für jedes gefundene entsteht eine Warnung.</translation>
    </message>
    <message numerus="yes">
        <source>Disconnecting %1 revokes its %n live checkout(s) first. Then Stint forgets the tenant&apos;s proven identity and health report, and nobody can check out access there until it is connected again.</source>
        <translation>
            <numerusform>Beim Trennen von %1 wird zuerst sein %n laufender Zugriff entzogen. Dann vergisst Stint die nachgewiesene Identität und den Zustandsbericht des Mandanten, und niemand kann dort Zugriff erhalten, bis er wieder verbunden ist.</numerusform>
            <numerusform>Beim Trennen von %1 werden zuerst seine %n laufenden Zugriffe entzogen. Dann vergisst Stint die nachgewiesene Identität und den Zustandsbericht des Mandanten, und niemand kann dort Zugriff erhalten, bis er wieder verbunden ist.</numerusform>
        </translation>
    </message>
    <message>
        <source>Stint forgets %1&apos;s proven identity and health report, and nobody can check out access there until it is connected again.</source>
        <translation>Stint vergisst die nachgewiesene Identität und den Zustandsbericht von %1, und niemand kann dort Zugriff erhalten, bis er wieder verbunden ist.</translation>
    </message>
    <message>
        <source>Disconnect %1?</source>
        <translation>%1 trennen?</translation>
    </message>
    <message>
        <source>Revoke and disconnect</source>
        <translation>Entziehen und trennen</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Trennen</translation>
    </message>
    <message>
        <source>Revoking and disconnecting…</source>
        <translation>Wird entzogen und getrennt…</translation>
    </message>
    <message>
        <source>Disconnecting…</source>
        <translation>Wird getrennt…</translation>
    </message>
    <message>
        <source>%1 is disconnected.</source>
        <translation>%1 ist getrennt.</translation>
    </message>
    <message>
        <source>Revoking the live checkouts of %1; it is disconnected once they have ended.</source>
        <translation>Die laufenden Zugriffe von %1 werden entzogen; die Verbindung wird getrennt, sobald sie beendet sind.</translation>
    </message>
    <message>
        <source>Remove %1?</source>
        <translation>%1 entfernen?</translation>
    </message>
    <message>
        <source>Stint forgets %1 and its settings, and access policies stop covering it. The audit log keeps its history. This cannot be undone.</source>
        <translation>Stint vergisst %1 und seine Einstellungen, und Zugriffsrichtlinien decken ihn nicht mehr ab. Das Audit-Protokoll behält seinen Verlauf. Das kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Remove tenant</source>
        <translation>Mandant entfernen</translation>
    </message>
    <message>
        <source>Removing %1…</source>
        <translation>%1 wird entfernt…</translation>
    </message>
    <message>
        <source>%1 was removed.</source>
        <translation>%1 wurde entfernt.</translation>
    </message>
</context>
<context>
    <name>stint::ui::TimeText</name>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Yesterday %1</source>
        <translation>gestern %1</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n h</numerusform>
            <numerusform>%n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n Tag</numerusform>
            <numerusform>%n Tagen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation>vor %1</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>in %1</translation>
    </message>
    <message>
        <source>ddd d MMM</source>
        <comment>date this year, QLocale format</comment>
        <translation>ddd d. MMM</translation>
    </message>
    <message>
        <source>d MMM yyyy</source>
        <comment>date in another year, QLocale format</comment>
        <translation>d. MMM yyyy</translation>
    </message>
</context>
<context>
    <name>stint::ui::TrayIcon</name>
    <message>
        <source>%1 — %2 left</source>
        <translation>%1 – noch %2</translation>
    </message>
    <message>
        <source>%1 — preparing…</source>
        <translation>%1 – wird vorbereitet…</translation>
    </message>
    <message>
        <source>%1 — awaiting approval</source>
        <translation>%1 – wartet auf Genehmigung</translation>
    </message>
    <message>
        <source>%1 — ending…</source>
        <translation>%1 – wird beendet…</translation>
    </message>
    <message>
        <source>Stint</source>
        <translation>Stint</translation>
    </message>
    <message>
        <source>No live access</source>
        <translation>Kein laufender Zugriff</translation>
    </message>
    <message>
        <source>&amp;Show Stint</source>
        <translation>Stint &amp;anzeigen</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Ab&amp;melden</translation>
    </message>
    <message>
        <source>&amp;Quit Stint</source>
        <translation>Stint &amp;beenden</translation>
    </message>
    <message numerus="yes">
        <source>%n approval(s) waiting</source>
        <translation>
            <numerusform>%n Genehmigung wartet</numerusform>
            <numerusform>%n Genehmigungen warten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s)</source>
        <translation>
            <numerusform>%n Warnung</numerusform>
            <numerusform>%n Warnungen</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline: times are from saved data</source>
        <translation>Offline: Zeiten aus gespeicherten Daten</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Nicht angemeldet</translation>
    </message>
</context>
<context>
    <name>stint::ui::WebhookDialog</name>
    <message>
        <source>Add a webhook</source>
        <translation>Webhook hinzufügen</translation>
    </message>
    <message>
        <source>Stint posts events to this address as they happen (JSON, signed), and tries again for a while when the receiver does not answer.</source>
        <translation>Stint sendet Ereignisse an diese Adresse, sobald sie eintreten (JSON, signiert), und versucht es eine Weile erneut, wenn der Empfänger nicht antwortet.</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>e.g. PSA ticketing</source>
        <translation>z. B. PSA-Ticketsystem</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>&amp;Address</source>
        <translation>&amp;Adresse</translation>
    </message>
    <message>
        <source>&amp;Description</source>
        <translation>&amp;Beschreibung</translation>
    </message>
    <message>
        <source>None ticked: every event.</source>
        <translation>Nichts angehakt: alle Ereignisse.</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>The webhook is added. This is its signing secret: store it in the receiver now. Stint shows it only this once.</source>
        <translation>Der Webhook ist hinzugefügt. Dies ist sein Signaturgeheimnis: Hinterlegen Sie es jetzt beim Empfänger. Stint zeigt es nur dieses eine Mal.</translation>
    </message>
    <message>
        <source>Signing secret</source>
        <translation>Signaturgeheimnis</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>A&amp;nzeigen</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>&amp;Add webhook</source>
        <translation>Webhook &amp;hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Done</source>
        <translation>&amp;Fertig</translation>
    </message>
    <message>
        <source>&amp;Hide</source>
        <translation>Verbe&amp;rgen</translation>
    </message>
    <message>
        <source>Copied. Stint clears the clipboard in a minute.</source>
        <translation>Kopiert. Stint leert die Zwischenablage in einer Minute.</translation>
    </message>
    <message>
        <source>Enter the receiver&apos;s address, starting with https://</source>
        <translation>Geben Sie die Adresse des Empfängers ein, beginnend mit https://</translation>
    </message>
    <message>
        <source>Adding the webhook…</source>
        <translation>Webhook wird hinzugefügt…</translation>
    </message>
</context>
<context>
    <name>stint::ui::WebhooksModel</name>
    <message>
        <source>Checkouts</source>
        <translation>Zugriffe</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Warnungen</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Alle Ereignisse</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
</context>
<context>
    <name>stint::ui::WebhooksPage</name>
    <message>
        <source>Webhooks</source>
        <translation>Webhooks</translation>
    </message>
    <message>
        <source>Stint posts checkout, alert and connection events to these addresses as they happen: your PSA, chat or SIEM.</source>
        <translation>Stint sendet Ereignisse zu Zugriffen, Warnungen und Verbindungen an diese Adressen, sobald sie eintreten: an Ihr PSA, Ihren Chat oder Ihr SIEM.</translation>
    </message>
    <message>
        <source>&amp;Add webhook…</source>
        <translation>Webhook &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Search webhooks</source>
        <translation>Webhooks durchsuchen</translation>
    </message>
    <message>
        <source>Choose a webhook to see its deliveries.</source>
        <translation>Wählen Sie einen Webhook, um seine Zustellungen zu sehen.</translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation>Zustellungen</translation>
    </message>
    <message>
        <source>Given up &amp;only</source>
        <translation>Nur &amp;aufgegebene</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <source>Send a&amp;gain</source>
        <translation>Erneut &amp;senden</translation>
    </message>
    <message>
        <source>Deliver this event again, with a new round of attempts</source>
        <translation>Dieses Ereignis erneut zustellen, mit einer neuen Runde von Versuchen</translation>
    </message>
    <message>
        <source>No webhooks yet</source>
        <translation>Noch keine Webhooks</translation>
    </message>
    <message>
        <source>Add one to have Stint post checkouts, alerts and connection changes to your other tools.</source>
        <translation>Fügen Sie einen hinzu, damit Stint Zugriffe, Warnungen und Verbindungsänderungen an Ihre anderen Werkzeuge sendet.</translation>
    </message>
    <message>
        <source>Add a webhook</source>
        <translation>Webhook hinzufügen</translation>
    </message>
    <message>
        <source>Events: %1</source>
        <translation>Ereignisse: %1</translation>
    </message>
    <message>
        <source>On: events are posted as they happen.</source>
        <translation>Aktiv: Ereignisse werden gesendet, sobald sie eintreten.</translation>
    </message>
    <message>
        <source>Paused: nothing is posted.</source>
        <translation>Pausiert: Es wird nichts gesendet.</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>Reading deliveries…</source>
        <translation>Zustellungen werden gelesen…</translation>
    </message>
    <message>
        <source>No delivery was given up on.</source>
        <translation>Keine Zustellung wurde aufgegeben.</translation>
    </message>
    <message>
        <source>Nothing delivered yet.</source>
        <translation>Noch nichts zugestellt.</translation>
    </message>
    <message>
        <source>Sending again…</source>
        <translation>Wird erneut gesendet…</translation>
    </message>
    <message>
        <source>Queued to be sent again.</source>
        <translation>Zum erneuten Senden eingereiht.</translation>
    </message>
    <message>
        <source>Resuming…</source>
        <translation>Wird fortgesetzt…</translation>
    </message>
    <message>
        <source>Pausing…</source>
        <translation>Wird pausiert…</translation>
    </message>
    <message>
        <source>Resumed.</source>
        <translation>Fortgesetzt.</translation>
    </message>
    <message>
        <source>Paused: events are not posted until you resume.</source>
        <translation>Pausiert: Ereignisse werden erst wieder gesendet, wenn Sie fortsetzen.</translation>
    </message>
    <message>
        <source>Delete this webhook?</source>
        <translation>Diesen Webhook löschen?</translation>
    </message>
    <message>
        <source>Stint stops posting to %1 and forgets its delivery records, including any still being retried.</source>
        <translation>Stint sendet nicht mehr an %1 und vergisst seine Zustellprotokolle, auch die, die noch wiederholt werden.</translation>
    </message>
    <message>
        <source>Delete webhook</source>
        <translation>Webhook löschen</translation>
    </message>
    <message>
        <source>Deleting…</source>
        <translation>Wird gelöscht…</translation>
    </message>
    <message>
        <source>The webhook was deleted.</source>
        <translation>Der Webhook wurde gelöscht.</translation>
    </message>
</context>
<context>
    <name>stint::ui::WorkspacePage</name>
    <message>
        <source>Views</source>
        <translation>Ansichten</translation>
    </message>
    <message>
        <source>Acc&amp;ess</source>
        <translation>Zu&amp;griff</translation>
    </message>
    <message>
        <source>Tenants you may access, your live access and your history (Ctrl+1)</source>
        <translation>Mandanten, auf die Sie zugreifen dürfen, Ihre laufenden Zugriffe und Ihr Verlauf (Strg+1)</translation>
    </message>
    <message>
        <source>A&amp;dministration</source>
        <translation>&amp;Verwaltung</translation>
    </message>
    <message>
        <source>A&amp;dministration (%1)</source>
        <translation>&amp;Verwaltung (%1)</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) wait for you: approvals and alerts (Ctrl+2)</source>
        <translation>
            <numerusform>%n Eintrag wartet auf Sie: Genehmigungen und Warnungen (Strg+2)</numerusform>
            <numerusform>%n Einträge warten auf Sie: Genehmigungen und Warnungen (Strg+2)</numerusform>
        </translation>
    </message>
    <message>
        <source>Tenants, people, policies, approvals, alerts and the audit log (Ctrl+2)</source>
        <translation>Mandanten, Personen, Richtlinien, Genehmigungen, Warnungen und das Audit-Protokoll (Strg+2)</translation>
    </message>
</context>
</TS>
