<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>stint::client::ApiError</name>
    <message>
        <source>The service refused the request as malformed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are not signed in, or your session has ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are not allowed to do this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It does not exist (any more).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It changed in the meantime.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many attempts; wait a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The service is not available right now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The service failed (HTTP %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The service answered HTTP %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::AuditExport</name>
    <message>
        <source>The export was stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An export is already running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint cannot write %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export was cancelled; no file was written.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::BrowserSignIn</name>
    <message>
        <source>Signing in was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in is under way already; finish or cancel that first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint service&apos;s address cannot be opened in a browser for signing in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No answer came from the browser in time. Sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in page did not hand over a sign-in code. Sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not open the web browser. Open the address Stint shows in a browser on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::CredentialKeeper</name>
    <message>
        <source>This access is not ready (or no longer): there is no credential to show.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only the technician who asked for this access sees its credential.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::Fido2SecurityKeys</name>
    <message>
        <source>Signing in with the security key was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No security key found. Plug in your key and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A security key is plugged in but could not be opened. On Linux, check that your user may use it (the udev rules of libfido2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set a PIN on your security key first: the service needs the key to confirm it is you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This security key cannot confirm it is you (it has neither a PIN nor a fingerprint reader). Use another key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No security key was touched in time. Try again, and touch your key when it blinks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The security key stopped the request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in request could not be prepared for the security key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The security key gave an answer that does not fit the request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The security key answered for another service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The security key did not confirm that it is you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The security key was removed before it answered. Plug it in and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No security key was touched in time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The security key stopped answering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The PIN of this security key is blocked after too many wrong attempts. The key must be reset (which deletes its passkeys); use another key or ask your admin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Wrong PIN. %n attempt(s) left before the key locks.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the PIN of your security key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This security key holds no passkey for this service. Use the key you enrolled with.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many wrong PINs in a row. Unplug the security key, plug it in again and retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request was declined on the key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The security key failed (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in request is malformed (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A security key PIN has at least 4 characters and at most 63 bytes.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::LockedSecret</name>
    <message>
        <source>No memory could be set aside for a secret.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::LoopbackPage</name>
    <message>
        <source>The Stint app cannot reach the Stint service. Check the network and start again from the app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You can close this browser tab and return to Stint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>en</source>
        <comment>the language of the browser pages, as a BCP 47 tag</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft&apos;s answer reached Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint is now checking the connection to the customer&apos;s tenant. The result shows in the Stint app in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You&apos;re signed in to Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint app is signed in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint app is signed in as %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint received the answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint app is finishing; it shows the result.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft did not grant access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft answered with the error “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in as a Global Administrator of the customer&apos;s tenant, or ask one to connect it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was changed; you can start again from Stint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong. Start again from the Stint app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This took too long</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint stopped waiting for this answer. Start again from the Stint app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled in Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This was cancelled in the Stint app. Start again there if you still want to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This answer is not for Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer does not belong to the request the Stint app made, so Stint ignored it. If you started in Stint, finish in the browser window that Stint opened, or start again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint already received an answer for this request; this one was ignored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not read this request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint app waits here only for Microsoft&apos;s or the Stint service&apos;s answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing here</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::LoopbackServer</name>
    <message>
        <source>The listener was already used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint cannot receive the browser&apos;s answer: no port on 127.0.0.1 is free (%1).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::PemFiles</name>
    <message>
        <source>Choose a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a folder, not a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint cannot read %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is larger than a PEM certificate or key can be (%2 KiB at most). Choose the right file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is not a complete PEM file: a BEGIN line has no matching END line.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The certificate in the file is damaged (its base64 text does not decode).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file holds something marked as a certificate that is not a valid X.509 certificate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file holds a private key, not a certificate. Choose the certificate (.pem, .crt or .cer in PEM form).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file holds no PEM certificate (a block starting &quot;-----BEGIN CERTIFICATE-----&quot;). A DER .cer file must be converted to PEM first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The private key is protected by a password. Stint needs it without one (it seals the key in the service); export it unencrypted, for example with &quot;openssl pkey -in key.pem -out plain.pem&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key is not an RSA key (%1). Microsoft Entra accepts only RSA certificates for app sign-in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The private key in the file is damaged (its base64 text does not decode).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key is not an RSA key. Microsoft Entra accepts only RSA certificates for app sign-in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file holds a certificate, not its private key. Choose the key file (often .key or .pem).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file holds no PEM private key (a block starting &quot;-----BEGIN PRIVATE KEY-----&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::SecurityKeySignIn</name>
    <message>
        <source>Signing in with the security key was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::SessionKeeper</name>
    <message>
        <source>The service&apos;s answer to the sign-in cannot be used.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::SqlCipherReplica</name>
    <message>
        <source>Cannot create the folder for the local cache (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local cache cannot be opened with its key (the key was lost or replaced, or the file is not a cache).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local cache cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local cache cannot be opened: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The damaged local cache %1 cannot be removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new local cache cannot be created: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new local cache cannot be set up: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local cache is damaged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local cache was written by a newer version of Stint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local cache cannot be set up: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local cache belongs to another person or service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local cache does not say whose it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local cache is not open.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::TenantConnector</name>
    <message>
        <source>Connecting the tenant was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A tenant is being connected already; finish or cancel that first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No answer came from the browser in time. Start connecting the tenant again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft did not grant the connection: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint service sent an address for the browser that Stint does not open (it must use https).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not open the web browser. Open the address Stint shows in a browser on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::WebSocketEventChannel</name>
    <message>
        <source>The live channel stopped answering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The live channel sent something this app does not understand (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The live channel was closed by the service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The live channel was disconnected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The live channel was disconnected (%1).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::client::portals</name>
    <message>
        <source>Microsoft Entra admin center</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure portal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft 365 admin center</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft Intune admin center</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exchange admin center</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::desktop::DesktopCloudServices</name>
    <message>
        <source>The folder for saved data cannot be created.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AboutDialog</name>
    <message>
        <source>About Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint icon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Just-in-time admin access to your customers&apos; Microsoft Entra ID tenants: ask, use it for as long as you need, and it is taken away again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qt %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Licensed under the GNU General Public License, version 3 or later.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::ActionStatus</name>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AddTenantDialog</name>
    <message>
        <source>Add a customer tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The customer&apos;s name, e.g. Contoso Ltd</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: contract, contacts, anything technicians should know</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add the customer first; then connect it to Microsoft Entra ID from its page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N&amp;otes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the customer&apos;s name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding %1…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AdminPage</name>
    <message>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AdminTenantModel</name>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live checkouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not chosen</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AdminView</name>
    <message>
        <source>Administration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admin pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>People</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Groups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Policies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live checkouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Webhooks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For admins only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These pages manage tenants, people and policies. Ask an admin of your organization if you need them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n new</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Showing what Stint last knew%1; connecting to the service…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline: showing what Stint last knew</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Trying again in %n s.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Trying again…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Retry now</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AlertsModel</name>
    <message>
        <source>Revocation failing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drift found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection unhealthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What happened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raised</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AlertsPage</name>
    <message>
        <source>Alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Things Stint could not put right on its own: revocations it could not confirm, accounts found out of step, connections that stopped working.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark all as &amp;seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an alert to see it in full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark as s&amp;een</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revocations Stint cannot confirm, accounts found out of step and unhealthy connections show up here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No details were given.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raised %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: Stint keeps trying. Meanwhile, check the account in the tenant&apos;s Entra admin center and disable it by hand if it still has access.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: Stint has revoked what it found. Look in the audit log for who or what enabled the account outside Stint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: open the tenant and follow its health findings, then press Check now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open checkout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open tenant</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::ApprovalsModel</name>
    <message>
        <source>Technician</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::ApprovalsPage</name>
    <message>
        <source>Approvals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests whose policy asks an admin to approve them. The technician waits until you decide.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search technicians, tenants, tickets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests waiting for approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a request to decide it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is your own request: another admin decides it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Co&amp;mment for the technician (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comment for the technician</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Deny…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests that need an admin&apos;s approval appear here, and Stint tells you when one arrives.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asks for access to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No justification given.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked %1 (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unless decided within %1, the request lapses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved: Stint is preparing %1&apos;s access to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny %1&apos;s request?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not get access to %2, and sees your comment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Comment for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denying…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied. %1 has been told.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AuditExportDialog</name>
    <message>
        <source>&amp;CSV, for spreadsheets (details as JSON in one column)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;JSON Lines, one event per line as the API gives it (for tools)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>until %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>actions %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every event of the log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every event %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose where to save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) written, back to %1…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Save the audit log as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON Lines files (*.jsonl)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file to save to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the log…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) written to %1.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AuditModel</name>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::AuditPage</name>
    <message>
        <source>Audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything done in Stint, by whom and when, in a tamper-evident chain. Filter it, read each event in full, and export it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search the loaded events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An action&apos;s full name, or the start of it ending with a dot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>any action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T&amp;enant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lear filters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load &amp;more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an event to read it in full.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Anyone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“From” must be before “To”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading older events…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the log…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No events match these filters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>All %n event(s) shown.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The newest %n event(s) shown.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>By %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>At %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target: %1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event %1 · hash %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no details)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::Banner</name>
    <message>
        <source>Status message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::BusySpinner</name>
    <message>
        <source>Working</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::CheckoutActions</name>
    <message>
        <source>This access is not live any more: there is nothing to end.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Withdraw request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Withdraw your request for access to %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing has been granted yet. You can ask again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End your access to %1 now?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint takes the roles away from %1, disables the account and forgets its credential. Anything you are signed in to with it stops working. You can request access again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>your account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Withdraw request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;End access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keep request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keep access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It had already ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Withdrawing the request…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ending access…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The request was not withdrawn.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access was not ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only ready access can be extended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not extended: this access already lasts as long as your access policy allows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extending by %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not extended: the access policy says it %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not extended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extended by %1. Access now ends at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extended by %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admin portals open once your access is ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not open your web browser. The link to the %1 was copied instead: paste it into your browser.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened the %1 in your browser.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened the %1 in your browser. Sign in as %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::CheckoutCard</name>
    <message>
        <source>Time left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy &amp;user name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Launch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xtend…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;End now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copies the account&apos;s user name (not secret)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opens a Microsoft admin portal for this tenant, signing in as this account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asks for more time, within what your access policy allows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temporary Access Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your last request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asked for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Withdraw request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Withdraws this request; asks to confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ends this access now and disables the account; asks to confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time left (last known)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time is up: Stint is ending this access.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>until %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::CheckoutText</name>
    <message>
        <source>Microsoft Graph asked to slow down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft&apos;s service could not be reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft Entra ID is still spreading the new account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft&apos;s service had a temporary problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a step has to be tried again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The time was up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You ended it early.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your access policy no longer grants it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for %1 to be connected to Microsoft Entra ID. Stint prepares your access as soon as an administrator connects it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request sent. Stint is checking it against your access policies.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for an administrator to approve. The request lapses %1 (%2) if nobody decides.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for an administrator to approve.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Still preparing: %1, retrying (attempt %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing your account in %1: creating or enabling it, setting a fresh credential and assigning the roles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready. Sign in as %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ending access: removing the roles and disabling the account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ending access: %1 Removing the roles and disabling the account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not yet confirm that this access was removed. It keeps trying, and administrators have been alerted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access ended. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied by an administrator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No administrator decided in time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access could not be prepared.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access could not be prepared: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::ConfirmDialog</name>
    <message>
        <source>&amp;Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Required: it goes into the audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: it goes into the audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a reason first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::ConnectDialog</name>
    <message>
        <source>Client &amp;secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cer&amp;tificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Admin consent for your Stint app (recommended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The customer&apos;s &amp;own app registration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The customer&apos;s Global Administrator signs in and approves the permissions Stint needs. Nothing to set up in their tenant first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your Stint service has no multi-tenant app configured: use the customer&apos;s own app registration, or ask whoever runs the service to add one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The customer&apos;s app</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Use the stored credential (app %1, certificate)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Use the stored credential (app %1, client secret)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Application (client) ID, a GUID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Application (client) ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>App &amp;ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signs in with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The secret&apos;s value (not its ID)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secret expiry date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Se&amp;cret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate file (.pem, .crt)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the certificate file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key file (.pem, .key), not password-protected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private key file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Br&amp;owse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the private key file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certi&amp;ficate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Private &amp;key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The app must list http://127.0.0.1%1 as a redirect URI (Mobile and desktop applications) and hold Stint&apos;s application permissions with admin consent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the app&apos;s certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the app&apos;s private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>admin@customer.example</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer admin&apos;s sign-in name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>customer.onmicrosoft.com or the tenant ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer&apos;s tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer &amp;admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer&apos;s te&amp;nant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opening your browser…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for Microsoft…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verifying the connection…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect %1 to Microsoft Entra ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint opens your browser at Microsoft. Whoever signs in there must be an administrator of the customer&apos;s tenant.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This copy of Stint cannot open a browser sign-in. Connect the tenant from the Stint desktop app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft has answered; Stint is still checking the tenant. You can close this: the result appears on the tenant&apos;s page, and as an alert if something is wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.cer *.key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try &amp;again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 to come</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the app&apos;s Application (client) ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the client secret&apos;s value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some fields need a change; see the messages below them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storing the app&apos;s credential in Stint…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Use the stored credential</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish in your browser. This window follows along.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft has answered. Stint is proving the tenant and checking what it may do there…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The health check found %n problem(s) to fix: see the tenant&apos;s health.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The health check has %n warning(s): see the tenant&apos;s health.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Choose its account domain and the roles to offer in its settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not connect the tenant: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::CredentialPanel</name>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temporary Access Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy &amp;pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password (hidden until shown)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copies the password to the clipboard for 30 seconds, hidden from clipboard managers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temporary Access Pass (hidden until shown)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copies the Temporary Access Pass to the clipboard for 30 seconds, hidden from clipboard managers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shows the credential on screen for 30 seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The pass works until %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetching the credential… (each view is recorded in the audit log)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The credential could not be fetched. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The credential is no longer available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Hide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shown for 30 seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password copied. Stint clears the clipboard in 30 seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temporary Access Pass copied. Stint clears the clipboard in 30 seconds.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::DeliveriesModel</name>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gave up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next attempt %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP %1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::ErrorText</name>
    <message>
        <source>The Stint service cannot be reached. Check your network connection; Stint keeps trying on its own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint service did not answer in time. Try again in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint service&apos;s certificate was not accepted, so nothing was sent. Ask your administrator to check the service address and its certificate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your session has ended. Sign in again to continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are not allowed to do this. Ask an administrator if you need it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This no longer exists. It may have been removed by someone else.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Someone else changed this in the meantime. Your view has been refreshed; make your change again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Too many attempts. Wait %n second(s) and try again.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Too many attempts. Wait a moment and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint service sent an answer this app does not understand. Update Stint, or tell your administrator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system keychain is not available, so Stint cannot keep your session. Unlock or start your keychain (for example GNOME Keyring or KWallet) and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Stint service ran into a problem. Try again; if it keeps happening, tell your administrator (request id %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No security key was found. Plug in your security key, then try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your security key needs its PIN. Enter it to continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>That PIN is not right. %n attempt(s) left before the key locks itself.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>That PIN is not right. Check it and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your security key is locked after too many wrong PINs. Use another key, or reset this one with its maker&apos;s tool (resetting removes the passkeys on it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your security key has no PIN, and Stint needs one to know it is you. Set a PIN on the key first (for example with its maker&apos;s tool), then try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This security key holds no passkey for this Stint service. Use the key you enrolled with, or sign in with the browser.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No security key was touched in time. Try again and touch your key when it blinks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The security key was unplugged before sign-in finished. Plug it back in and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The security key reported a problem. Try again, or try another key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>request %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::ExtendDialog</name>
    <message>
        <source>&amp;Extend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extend access to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your access to %1 ends at %2 (in %3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your access to %1 is ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extend by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint checks what your access policy allows when you extend.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This access already lasts as long as your access policy allows. End it and request access again if you need more time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your access policy allows up to %1 more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extend &amp;by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The access policy says this %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extended by %1. Access now ends at %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extended by %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::FormErrors</name>
    <message>
        <source>Some fields need a change; see the messages below them.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::GroupDialog</name>
    <message>
        <source>New group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (disabled)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search people</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick the people in this group. Space ticks the selected person.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Create group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n member(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Give the group a name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::GroupsModel</name>
    <message>
        <source>Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Used by policies</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::GroupsPage</name>
    <message>
        <source>Groups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Groups of people. Access policies can name a group, so that access follows membership.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New group…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search groups and members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a group to see its members and the policies that use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No members yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n member(s): %1</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>No access policy names this group.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Used by: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group created.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access policy names %1, so nobody&apos;s access changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 is removed from %n access polic(ies) (%2): its %3 member(s) lose what those policies grant them through it.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Delete %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was deleted.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::HealthView</name>
    <message>
        <source>Connection health</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Health</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect again with admin consent: Microsoft then asks the customer&apos;s admin to grant every permission Stint needs. With the customer&apos;s own app, add the missing application permissions to it and grant admin consent in the Entra admin center.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In the customer&apos;s Entra admin center, open Roles &amp; admins → Privileged Authentication Administrator → Add assignments, and add the Stint app. Then press Check now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn on Temporary Access Pass in Protection → Authentication methods → Policies, or set this tenant&apos;s credential kind to Password in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raise the Temporary Access Pass lifetime (and allow more than one use) in the tenant&apos;s authentication methods policy, or keep checkouts within what it allows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify a domain in the tenant (Settings → Domain names): Stint makes accounts on a verified domain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create a new client secret or certificate for the customer&apos;s app registration, then enter it with Connect… → The customer&apos;s own app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the right customer&apos;s admin signed in. If Stint bound the wrong tenant, disconnect and connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix what the message describes in the tenant, then press Check now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the connection…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unhealthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected: connect the tenant to check its health.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the customer&apos;s admin to finish in the browser.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the tenant…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checked %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The last attempt failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer&apos;s own app %1, signing in with a certificate (thumbprint %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer&apos;s own app %1, signing in with a client secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, which expires %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected through the MSP&apos;s Stint app (admin consent).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Last reconciled %1: %n account(s) out of step were revoked.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Last reconciled %1: nothing out of step.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::HistoryModel</name>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::HistoryView</name>
    <message>
        <source>Your checkouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No history yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every checkout you make is listed here, with when it started and ended and why.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::InviteDialog</name>
    <message>
        <source>Invite a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint makes a one-time link. The person opens it and enrolls a passkey (a security key, or their computer&apos;s or phone&apos;s own).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>name@your-msp.example</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As colleagues know them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Technician: asks for access to tenants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admin: manages tenants, people and policies, and approves</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One-time enrollment link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint shows this link only now and keeps no copy. Send it over a channel you trust; anyone who has it can enroll as this person until it is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Make invite link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied. Stint clears the clipboard in %1 minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the person&apos;s email address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Making the invite…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send this link to %1. It works once, until %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::InvitesModel</name>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link expires</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::LiveCheckoutsModel</name>
    <message>
        <source>Technician</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::LiveCheckoutsPage</name>
    <message>
        <source>Live checkouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who has administrator access in which customer tenant right now, and for how long. Revoke ends it at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search technicians, tenants, accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a checkout to see it, or revoke it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline: the time counts down from what Stint last knew; the checkout may have changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Revoke…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nobody has access right now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When a technician checks out access to a tenant, it shows here with the time left.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access since %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ends %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approved by %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not confirm that the access was taken away%1. It keeps trying; check the tenant.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retrying (attempt %1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke %1&apos;s access to %2?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 loses administrator access to %2 now: Stint removes the account&apos;s roles, ends its sign-in sessions and disables it. The reason goes into the audit log and to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Why (required)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoking %1&apos;s access to %2…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::MainWindow</name>
    <message>
        <source>Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find tenant…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jump to the tenant search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Request access…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request access to the selected tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Launch portal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the selected access&apos;s admin portal in your browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acc&amp;ess</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show your tenants and access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;dministration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the administration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetch everything from the Stint service again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service address, language and saved data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign out of Stint on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version and licence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>He&amp;lp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::MyAccessPage</name>
    <message>
        <source>No access right now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When you request access to a tenant, its progress and countdown show here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find a tenant</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::Notifier</name>
    <message>
        <source>a customer tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extend it if you need more time, or end it now if you are done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your policy allows no more time. End it now if you are done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Access to %1 ends in %n minute(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Your access to %1 is ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 until %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your request for %1 was denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No reason was given.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your access to %1 could not be set up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Stint for details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your access to %1 was ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 asks for %2 for %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approval needed for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access in %1 could not be confirmed as removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected admin access found in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection to %1 needs attention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::PeopleModel</name>
    <message>
        <source>Admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Technician</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Groups</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::PeoplePage</name>
    <message>
        <source>People</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everyone who signs in to Stint: technicians ask for access, admins manage and approve. New people join by invite.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Invite person…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search people and invites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>People and invites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a person to see their role, sessions and passkeys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;End sessions…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign this person out everywhere, now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passkeys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;move passkey…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pe&amp;ople</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;voke invite…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In&amp;vites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 since %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In no group.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Groups: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make &amp;technician…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make &amp;admin…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;nable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disable…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading passkeys…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passkey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>added %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>used %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>synced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>possibly copied: its counter went backwards</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The only passkey: it cannot be removed (invite the person again instead).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No passkeys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make %1 an admin?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make %1 a technician?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 will manage tenants, people and access policies, approve requests and revoke access.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 will no longer manage Stint or approve requests; they can still ask for access as their policies allow.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make technician</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changing the role…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is now an admin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is now a technician.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enabling %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 can sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 can no longer sign in, and is signed out everywhere now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Their %n live checkout(s) keep running until they end: revoke them on Live checkouts to end them now.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Disable %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disabling %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is disabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign %1 out everywhere?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every session of %1 ends now, on every computer. They can sign in again with a passkey.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ending sessions…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is signed out everywhere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this passkey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 can no longer sign in with %2. Their other passkeys keep working.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove passkey</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing the passkey…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The passkey was removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke the invite for %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The link sent to %1 stops working. You can invite them again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke invite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The invite for %1 was revoked.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::PinDialog</name>
    <message>
        <source>Security key PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your security key&apos;s PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your key asks for its PIN to make sure it is you. The PIN stays between you and the key: Stint does not keep it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>At least %n characters.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::PoliciesModel</name>
    <message>
        <source>%1 (group)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Justification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asks for</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::PoliciesPage</name>
    <message>
        <source>Access policies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who may ask for which roles in which tenants, for how long, and what a request must carry. Nobody has access without one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New policy…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search policies, people, tenants, roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a policy to see what it grants.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access policies yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Without a policy nobody can ask for access. Make one: who, which tenants, which roles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make a policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nobody yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenants: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For at most %1 at a time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests need: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Policy created.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Policy saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 stops granting access: people covered only by it can no longer ask for it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>It granted %n live checkout(s): Stint revokes those that no other policy grants.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Delete %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was deleted.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::PolicyEditor</name>
    <message>
        <source>An admin &amp;approves each request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A &amp;ticket number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A &amp;justification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (group)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source> (disabled)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>privileged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Policy name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. Helpdesk: password resets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest checkout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Longest checkout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests need</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In which &amp;tenants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which &amp;roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Create policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New access policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Space ticks the selected entry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offered in every chosen tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offered only in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not offered by the chosen tenants</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n person(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n group(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tenant(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Choose tenants first: the roles they offer are listed here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n role(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Give the policy a name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Someone else changed this policy; reading their version…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Someone else saved changes to this policy while you were editing. The form now shows their version; make your change again and save.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Someone else deleted this policy while you were editing it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::PortalMenu</name>
    <message>
        <source>Admin portals</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::RequestAccessDialog</name>
    <message>
        <source>&amp;Request access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request access to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint prepares your own account in %1 with the roles you choose, for the time you choose, and takes it all away again when the time is up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the directory roles you need. Space toggles a role.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — needs approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. Reset MFA for a locked-out user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Justification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. INC-4711</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R&amp;oles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a role first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No single access policy grants you these roles together. Request them one at a time, or ask an administrator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>up to %1 for these roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Justification (required)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Justification (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Ticket (required)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Ticket (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Required by your access policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An administrator must approve this request (access policy &quot;%1&quot;). Stint shows here when they decide.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Ask for approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending the request…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must name at least one role: check one above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>is required by the access policy &quot;%1&quot;: say what you are going to do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>is required by the access policy &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::SettingsDialog</name>
    <message>
        <source>&amp;Forget saved data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint service address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https address of your Stint service; plain http only for a service on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changing it signs you in to the other service; your session here is kept for when you come back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address your administrator gave you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language applies when Stint next starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Show Stint in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint keeps an encrypted copy of what you may see on this computer, so that it opens at once and still shows your access when the service cannot be reached. Passwords are never saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deletes the saved copy on this computer; Stint fetches it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the address of your Stint service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This address cannot be used: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget saved data?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint deletes its saved copy on this computer and fetches everything again from the service. Until that finishes, nothing is shown if the service cannot be reached. Your access and your session are not affected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Forget saved data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved data forgotten</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::Shell</name>
    <message>
        <source>Opening Stint…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the system keychain… If it asks for your password, unlock it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are signed in, but Stint could not keep your session in the system keychain, so you will sign in again next time. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not open its saved data on this computer, so it starts without it and cannot show anything while offline. %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to Stint again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You have signed out. Your saved data on this computer was deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint keeps running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint stays here so that it can warn you before your access ends. Quit it from this icon&apos;s menu.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::SignInPage</name>
    <message>
        <source>C&amp;hange…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in with security &amp;key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in with &amp;browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use another Stint service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint &amp;service address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint service address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address your administrator gave you. It must start with https (plain http only for a service on this computer).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your administrator gives you this address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Email (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Email (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave it empty when your passkey is stored on the security key; enter it when the key asks which account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave it empty when your passkey is stored on your key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signs in with a FIDO2 security key plugged into this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opens your web browser to sign in with a passkey there, then comes back to Stint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stops the sign-in that is running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the address of your Stint service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This address cannot be used: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint could not use this address. Check it and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking your PIN with the key…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contacting the Stint service…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for your PIN…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Several security keys are plugged in: touch the one you want to use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Touch your security key now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the Stint service…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your browser is open: sign in there. Stint waits here and continues on its own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finishing sign-in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint does not know this passkey. Use the security key you enrolled, check the email above (or leave it empty), or sign in with the browser.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::StatusChip</name>
    <message>
        <source>Requested</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Awaiting approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revocation failing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unhealthy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::SyncIndicator</name>
    <message>
        <source>Up to date · synced %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Showing saved data from %1 · connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Showing saved data · connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline · showing saved data from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline · showing saved data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync status: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::TechnicianView</name>
    <message>
        <source>Search tenants, domains, roles (Ctrl+K)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search tenants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filters the tenant list as you type. Down moves into the list, Enter chooses the tenant.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenants you may access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tenants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;My access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tenants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 tenants match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No tenants for you yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access policy grants you roles in a customer tenant. Ask an administrator to add you to one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No tenant matches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing matches &quot;%1&quot;. Search by tenant name, domain, tenant id or role.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;My access (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your session has ended. Sign in again to continue; until then this is what Stint last knew.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source> Retrying in %n s.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source> Retrying…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline: showing what Stint last knew. Countdowns run on from the last known end times; states may be out of date.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry &amp;now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to the Stint service… showing what Stint last knew.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to launch: none of your access is ready. Request access first (Ctrl+R).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantListModel</name>
    <message>
        <source>No roles granted to you any more</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source> +%n more</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>up to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approval needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>approval for some roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, %2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, your access: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantPanel</name>
    <message>
        <source>up to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an administrator approves</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>justification and ticket required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>justification required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ticket required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Request access…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick a customer tenant on the left to see what you may ask for there. Ctrl+K searches.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request access to this tenant (Ctrl+R)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What you may ask for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access policy grants you roles here any more. Ask an administrator if you need access.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again to request access.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You have an open checkout here: end it before asking again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This tenant is not connected to Microsoft Entra ID yet: a request waits until an administrator connects it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantSettingsDialog</name>
    <message>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Letters a–z, digits, &apos;.&apos;, &apos;-&apos; and &apos;_&apos;, with at least one of {user} (the technician&apos;s email name), {name} (their display name) or {id} (a short unique id).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temporary Access Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Both</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disable the account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search roles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>privileged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roles offered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick the roles technicians may be given in this tenant. Space ticks the selected role.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account naming rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Credential</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When a checkout ends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N&amp;otes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Domain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Naming &amp;rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Credential</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When it &amp;ends</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkout length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>De&amp;fault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Longest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Technicians can only be given the roles ticked here, and only those their policy grants.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (initial)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (no longer verified)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One of the tenant&apos;s verified domains.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect the tenant to choose from its verified domains.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tenant no longer lists this role.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the tenant&apos;s domains and roles…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tenant has not been checked yet: connect it to choose from its domains and roles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your account would be %1@%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;domain&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each checkout then starts from a new account: its sign-in history and mailbox do not carry over.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The technician&apos;s account stays in the tenant, disabled and without roles, between checkouts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 roles offered, %3 of them privileged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 roles offered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the tenant&apos;s name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The default must not be longer than the longest (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some fields need a change; see the messages below them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Someone else changed this tenant; reading their version…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Someone else saved changes to %1 while you were editing. The form now shows their version; make your change again and save.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantsPage</name>
    <message>
        <source>Temporary Access Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>password and Temporary Access Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer tenants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Microsoft Entra ID tenants you manage: connect them, choose how Stint makes accounts there, and keep an eye on their health.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add tenant…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search tenants, domains, status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a tenant to see its connection and health.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;heck now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the connection health check again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reconcile now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke any Stint account in the tenant that has access without a live checkout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disconnect…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;move tenant…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No customer tenants yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a customer, then connect it to Microsoft Entra ID so technicians can check out access there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a customer tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entra tenant: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cloud: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;domain not chosen&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts: %1@%2, signing in with a %3; %4 when a checkout ends.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkouts: %1 by default, at most %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No roles offered yet: choose them in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n role(s) offered.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n checkout(s) live now.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>No live checkouts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;connect…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added. Connect it to Microsoft Entra ID next.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The health check of %1 is running; its findings appear below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting reconciliation…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconciling %1: any Stint account there with access but no live checkout is revoked, and each one found becomes an alert.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Disconnecting %1 revokes its %n live checkout(s) first. Then Stint forgets the tenant&apos;s proven identity and health report, and nobody can check out access there until it is connected again.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Stint forgets %1&apos;s proven identity and health report, and nobody can check out access there until it is connected again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnect %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoke and disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoking and disconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is disconnected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Revoking the live checkouts of %1; it is disconnected once they have ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint forgets %1 and its settings, and access policies stop covering it. The audit log keeps its history. This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was removed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::TimeText</name>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yesterday %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>just now</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::TrayIcon</name>
    <message>
        <source>%1 — %2 left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — preparing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — awaiting approval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — ending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No live access</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Show Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit Stint</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n approval(s) waiting</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Offline: times are from saved data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::WebhookDialog</name>
    <message>
        <source>Add a webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint posts events to this address as they happen (JSON, signed), and tries again for a while when the receiver does not answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. PSA ticketing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None ticked: every event.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The webhook is added. This is its signing secret: store it in the receiver now. Stint shows it only this once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing secret</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Hide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied. Stint clears the clipboard in a minute.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the receiver&apos;s address, starting with https://</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding the webhook…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::WebhooksModel</name>
    <message>
        <source>Checkouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::WebhooksPage</name>
    <message>
        <source>Webhooks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint posts checkout, alert and connection events to these addresses as they happen: your PSA, chat or SIEM.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add webhook…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search webhooks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a webhook to see its deliveries.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deliveries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Given up &amp;only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send a&amp;gain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deliver this event again, with a new round of attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No webhooks yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add one to have Stint post checkouts, alerts and connection changes to your other tools.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On: events are posted as they happen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused: nothing is posted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading deliveries…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No delivery was given up on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing delivered yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending again…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued to be sent again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resuming…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pausing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resumed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused: events are not posted until you resume.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete this webhook?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stint stops posting to %1 and forgets its delivery records, including any still being retried.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete webhook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The webhook was deleted.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>stint::ui::WorkspacePage</name>
    <message>
        <source>Views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acc&amp;ess</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenants you may access, your live access and your history (Ctrl+1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;dministration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;dministration (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) wait for you: approvals and alerts (Ctrl+2)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Tenants, people, policies, approvals, alerts and the audit log (Ctrl+2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
