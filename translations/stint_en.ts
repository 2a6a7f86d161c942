<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>stint::client::Fido2SecurityKeys</name>
    <message numerus="yes">
        <source>Wrong PIN. %n attempt(s) left before the key locks.</source>
        <translation>
            <numerusform>Wrong PIN. %n attempt left before the key locks.</numerusform>
            <numerusform>Wrong PIN. %n attempts left before the key locks.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::AdminView</name>
    <message numerus="yes">
        <source>%n new</source>
        <translation>
            <numerusform>%n new</numerusform>
            <numerusform>%n new</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation>
            <numerusform>%n waiting</numerusform>
            <numerusform>%n waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Trying again in %n s.</source>
        <translation>
            <numerusform>Trying again in %n s.</numerusform>
            <numerusform>Trying again in %n s.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::AuditExportDialog</name>
    <message numerus="yes">
        <source>%n event(s) written, back to %1…</source>
        <translation>
            <numerusform>%n event written, back to %1…</numerusform>
            <numerusform>%n events written, back to %1…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n event(s) written to %1.</source>
        <translation>
            <numerusform>%n event written to %1.</numerusform>
            <numerusform>%n events written to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::AuditPage</name>
    <message numerus="yes">
        <source>All %n event(s) shown.</source>
        <translation>
            <numerusform>%n event shown (all).</numerusform>
            <numerusform>All %n events shown.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The newest %n event(s) shown.</source>
        <translation>
            <numerusform>The newest %n event shown.</numerusform>
            <numerusform>The newest %n events shown.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::ConnectDialog</name>
    <message numerus="yes">
        <source>The health check found %n problem(s) to fix: see the tenant&apos;s health.</source>
        <translation>
            <numerusform>The health check found %n problem to fix: see the tenant&apos;s health.</numerusform>
            <numerusform>The health check found %n problems to fix: see the tenant&apos;s health.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The health check has %n warning(s): see the tenant&apos;s health.</source>
        <translation>
            <numerusform>The health check has %n warning: see the tenant&apos;s health.</numerusform>
            <numerusform>The health check has %n warnings: see the tenant&apos;s health.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::ErrorText</name>
    <message numerus="yes">
        <source>Too many attempts. Wait %n second(s) and try again.</source>
        <translation>
            <numerusform>Too many attempts. Wait %n second and try again.</numerusform>
            <numerusform>Too many attempts. Wait %n seconds and try again.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>That PIN is not right. %n attempt(s) left before the key locks itself.</source>
        <translation>
            <numerusform>That PIN is not right. %n attempt left before the key locks itself.</numerusform>
            <numerusform>That PIN is not right. %n attempts left before the key locks itself.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::GroupDialog</name>
    <message numerus="yes">
        <source>%n member(s).</source>
        <translation>
            <numerusform>%n member.</numerusform>
            <numerusform>%n members.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::GroupsPage</name>
    <message numerus="yes">
        <source>%n member(s): %1</source>
        <translation>
            <numerusform>%n member: %1</numerusform>
            <numerusform>%n members: %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 is removed from %n access polic(ies) (%2): its %3 member(s) lose what those policies grant them through it.</source>
        <translation>
            <numerusform>%1 is removed from %n access policy (%2): its %3 member(s) lose what that policy grants them through it.</numerusform>
            <numerusform>%1 is removed from %n access policies (%2): its %3 member(s) lose what those policies grant them through it.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::HealthView</name>
    <message numerus="yes">
        <source>Last reconciled %1: %n account(s) out of step were revoked.</source>
        <translation>
            <numerusform>Last reconciled %1: %n account out of step was revoked.</numerusform>
            <numerusform>Last reconciled %1: %n accounts out of step were revoked.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::Notifier</name>
    <message numerus="yes">
        <source>Access to %1 ends in %n minute(s)</source>
        <translation>
            <numerusform>Access to %1 ends in %n minute</numerusform>
            <numerusform>Access to %1 ends in %n minutes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::PeoplePage</name>
    <message numerus="yes">
        <source>Their %n live checkout(s) keep running until they end: revoke them on Live checkouts to end them now.</source>
        <translation>
            <numerusform>Their %n live checkout keeps running until it ends: revoke it on Live checkouts to end it now.</numerusform>
            <numerusform>Their %n live checkouts keep running until they end: revoke them on Live checkouts to end them now.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::PinDialog</name>
    <message numerus="yes">
        <source>At least %n characters.</source>
        <translation>
            <numerusform>At least %n character.</numerusform>
            <numerusform>At least %n characters.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::PoliciesPage</name>
    <message numerus="yes">
        <source>It granted %n live checkout(s): Stint revokes those that no other policy grants.</source>
        <translation>
            <numerusform>It granted %n live checkout: Stint revokes it unless another policy grants it.</numerusform>
            <numerusform>It granted %n live checkouts: Stint revokes those that no other policy grants.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::PolicyEditor</name>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n member</numerusform>
            <numerusform>%n members</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n person(s)</source>
        <translation>
            <numerusform>%n person</numerusform>
            <numerusform>%n people</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n group(s)</source>
        <translation>
            <numerusform>%n group</numerusform>
            <numerusform>%n groups</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n tenant(s)</source>
        <translation>
            <numerusform>%n tenant</numerusform>
            <numerusform>%n tenants</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n role(s)</source>
        <translation>
            <numerusform>%n role</numerusform>
            <numerusform>%n roles</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::TechnicianView</name>
    <message numerus="yes">
        <source> Retrying in %n s.</source>
        <translation>
            <numerusform> Retrying in %n s.</numerusform>
            <numerusform> Retrying in %n s.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantListModel</name>
    <message numerus="yes">
        <source> +%n more</source>
        <translation>
            <numerusform> +%n more</numerusform>
            <numerusform> +%n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::TenantsPage</name>
    <message numerus="yes">
        <source>%n role(s) offered.</source>
        <translation>
            <numerusform>%n role offered.</numerusform>
            <numerusform>%n roles offered.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n checkout(s) live now.</source>
        <translation>
            <numerusform>%n checkout live now.</numerusform>
            <numerusform>%n checkouts live now.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Disconnecting %1 revokes its %n live checkout(s) first. Then Stint forgets the tenant&apos;s proven identity and health report, and nobody can check out access there until it is connected again.</source>
        <translation>
            <numerusform>Disconnecting %1 revokes its %n live checkout first. Then Stint forgets the tenant&apos;s proven identity and health report, and nobody can check out access there until it is connected again.</numerusform>
            <numerusform>Disconnecting %1 revokes its %n live checkouts first. Then Stint forgets the tenant&apos;s proven identity and health report, and nobody can check out access there until it is connected again.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::TimeText</name>
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
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::TrayIcon</name>
    <message numerus="yes">
        <source>%n approval(s) waiting</source>
        <translation>
            <numerusform>%n approval waiting</numerusform>
            <numerusform>%n approvals waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s)</source>
        <translation>
            <numerusform>%n alert</numerusform>
            <numerusform>%n alerts</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>stint::ui::WorkspacePage</name>
    <message numerus="yes">
        <source>%n item(s) wait for you: approvals and alerts (Ctrl+2)</source>
        <translation>
            <numerusform>%n item waits for you: approvals and alerts (Ctrl+2)</numerusform>
            <numerusform>%n items wait for you: approvals and alerts (Ctrl+2)</numerusform>
        </translation>
    </message>
</context>
</TS>
