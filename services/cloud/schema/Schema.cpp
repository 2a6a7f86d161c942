// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/schema/Schema.h"

namespace stint::cloud {

namespace {
// The only type that differs between SQLite and PostgreSQL in this schema.
QStringList forBackend(QStringList statements, store::Backend backend)
{
    const bool postgres = backend == store::Backend::PostgreSql;
    const QString bytes = postgres ? QStringLiteral("BYTEA") : QStringLiteral("BLOB");
    // SQLite keeps a table without a rowid in the b-tree of its primary key; PostgreSQL has no rowid to drop.
    const QString withoutRowid = postgres ? QString() : QStringLiteral(" WITHOUT ROWID");
    for (QString& s : statements) {
        s.replace(QStringLiteral("{BYTES}"), bytes);
        s.replace(QStringLiteral("{WITHOUT_ROWID}"), withoutRowid);
    }
    return statements;
}

QStringList initialSchema()
{
    return {
        QStringLiteral("CREATE TABLE organizations ("
                       " id TEXT PRIMARY KEY, name TEXT NOT NULL, settings TEXT NOT NULL,"
                       " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"),
        QStringLiteral("CREATE TABLE people ("
                       " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id),"
                       " email TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,"
                       " role TEXT NOT NULL CHECK (role IN ('admin', 'technician')),"
                       " status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),"
                       " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"),
        QStringLiteral("CREATE INDEX people_org ON people(org_id, id)"),
        QStringLiteral("CREATE TABLE groups ("
                       " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id),"
                       " name TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
                       " UNIQUE (org_id, name))"),
        QStringLiteral("CREATE TABLE group_members ("
                       " group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,"
                       " person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
                       " PRIMARY KEY (group_id, person_id))"),
        QStringLiteral("CREATE INDEX group_members_person ON group_members(person_id)"),
        // WebAuthn credentials. credential_id is the authenticator's raw id; public_key the COSE key as registered.
        QStringLiteral("CREATE TABLE credentials ("
                       " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id),"
                       " person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
                       " credential_id {BYTES} NOT NULL UNIQUE, public_key {BYTES} NOT NULL,"
                       " algorithm BIGINT NOT NULL, sign_count BIGINT NOT NULL, aaguid TEXT NOT NULL,"
                       " backup_eligible BIGINT NOT NULL, backup_state BIGINT NOT NULL,"
                       " attestation_format TEXT NOT NULL, attestation_type TEXT NOT NULL,"
                       " name TEXT NOT NULL, flagged BIGINT NOT NULL DEFAULT 0,"
                       " created_at BIGINT NOT NULL, last_used_at BIGINT)"),
        QStringLiteral("CREATE INDEX credentials_person ON credentials(person_id)"),
        QStringLiteral("CREATE TABLE invites ("
                       " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id),"
                       " token_hash {BYTES} NOT NULL UNIQUE, email TEXT NOT NULL, display_name TEXT NOT NULL,"
                       " role TEXT NOT NULL, created_by TEXT, created_at BIGINT NOT NULL,"
                       " expires_at BIGINT NOT NULL, used_at BIGINT, revoked_at BIGINT)"),
        QStringLiteral("CREATE INDEX invites_org ON invites(org_id, id)"),
        // Single-use ceremony challenges; a row is consumed (used_at set) by the first verification attempt.
        QStringLiteral("CREATE TABLE webauthn_challenges ("
                       " id TEXT PRIMARY KEY, challenge {BYTES} NOT NULL, purpose TEXT NOT NULL,"
                       " person_id TEXT, invite_id TEXT, native_request TEXT,"
                       " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)"),
        QStringLiteral("CREATE TABLE sessions ("
                       " id TEXT PRIMARY KEY, token_hash {BYTES} NOT NULL UNIQUE,"
                       " person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
                       " org_id TEXT NOT NULL, created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL,"
                       " idle_expires_at BIGINT NOT NULL, absolute_expires_at BIGINT NOT NULL, revoked_at BIGINT,"
                       " source_address TEXT NOT NULL, user_agent TEXT NOT NULL)"),
        QStringLiteral("CREATE INDEX sessions_person ON sessions(person_id)"),
        // One-time codes of the native-app hand-off (RFC 8252 loopback, PKCE S256).
        QStringLiteral("CREATE TABLE native_codes ("
                       " code_hash {BYTES} PRIMARY KEY, person_id TEXT NOT NULL, org_id TEXT NOT NULL,"
                       " code_challenge TEXT NOT NULL, redirect_uri TEXT NOT NULL,"
                       " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)"),
        QStringLiteral("CREATE TABLE tenants ("
                       " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id),"
                       " name TEXT NOT NULL, notes TEXT NOT NULL,"
                       " entra_tenant_id TEXT, connection_status TEXT NOT NULL, connection TEXT NOT NULL,"
                       " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL,"
                       " UNIQUE (org_id, name))"),
        QStringLiteral("CREATE TABLE policies ("
                       " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id),"
                       " name TEXT NOT NULL, description TEXT NOT NULL, roles TEXT NOT NULL,"
                       " max_duration_minutes BIGINT NOT NULL, require_justification BIGINT NOT NULL,"
                       " require_ticket BIGINT NOT NULL, require_approval BIGINT NOT NULL,"
                       " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL,"
                       " UNIQUE (org_id, name))"),
        QStringLiteral("CREATE TABLE policy_tenants ("
                       " policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,"
                       " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
                       " PRIMARY KEY (policy_id, tenant_id))"),
        QStringLiteral("CREATE INDEX policy_tenants_tenant ON policy_tenants(tenant_id)"),
        QStringLiteral("CREATE TABLE policy_subjects ("
                       " policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,"
                       " subject_type TEXT NOT NULL CHECK (subject_type IN ('person', 'group')),"
                       " subject_id TEXT NOT NULL, PRIMARY KEY (policy_id, subject_type, subject_id))"),
        QStringLiteral("CREATE INDEX policy_subjects_subject ON policy_subjects(subject_type, subject_id)"),
        QStringLiteral("CREATE TABLE checkouts ("
                       " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id),"
                       " tenant_id TEXT NOT NULL REFERENCES tenants(id),"
                       " technician_id TEXT NOT NULL REFERENCES people(id), policy_id TEXT,"
                       " roles TEXT NOT NULL, duration_minutes BIGINT NOT NULL,"
                       " justification TEXT NOT NULL, ticket TEXT NOT NULL, state TEXT NOT NULL,"
                       " state_reason TEXT NOT NULL, requested_at BIGINT NOT NULL,"
                       " decided_by TEXT, decided_at BIGINT, ready_at BIGINT, expires_at BIGINT, ended_at BIGINT,"
                       " next_action_at BIGINT, attempts BIGINT NOT NULL DEFAULT 0,"
                       " updated_at BIGINT NOT NULL, version BIGINT NOT NULL)"),
        QStringLiteral("CREATE INDEX checkouts_org ON checkouts(org_id, id)"),
        QStringLiteral("CREATE INDEX checkouts_technician ON checkouts(technician_id, id)"),
        QStringLiteral("CREATE INDEX checkouts_due ON checkouts(next_action_at)"),
        // Stored responses of creating requests, so a retried request with the same Idempotency-Key gets the same
        // answer instead of a second record.
        QStringLiteral("CREATE TABLE idempotency_keys ("
                       " person_id TEXT NOT NULL, idem_key TEXT NOT NULL, route TEXT NOT NULL,"
                       " request_hash {BYTES} NOT NULL, status BIGINT NOT NULL, response TEXT NOT NULL,"
                       " created_at BIGINT NOT NULL, PRIMARY KEY (person_id, idem_key))"),
        // The tamper-evident audit log: one hash chain per organization (see cloud/audit/AuditLog.h).
        QStringLiteral("CREATE TABLE audit_events ("
                       " org_id TEXT NOT NULL, seq BIGINT NOT NULL, id TEXT NOT NULL UNIQUE,"
                       " occurred_at BIGINT NOT NULL, actor_id TEXT NOT NULL, actor_label TEXT NOT NULL,"
                       " action TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL,"
                       " tenant_id TEXT NOT NULL, source_address TEXT NOT NULL, outcome TEXT NOT NULL,"
                       " details TEXT NOT NULL, prev_hash {BYTES} NOT NULL, hash {BYTES} NOT NULL,"
                       " PRIMARY KEY (org_id, seq))"),
        QStringLiteral("CREATE INDEX audit_time ON audit_events(org_id, occurred_at)"),
        // The live channel's durable event stream; seq is global and increasing, audience says who may see it.
        QStringLiteral("CREATE TABLE events ("
                       " seq BIGINT PRIMARY KEY, org_id TEXT NOT NULL, audience TEXT NOT NULL,"
                       " type TEXT NOT NULL, payload TEXT NOT NULL, created_at BIGINT NOT NULL)"),
        QStringLiteral("CREATE INDEX events_org ON events(org_id, seq)"),
    };
}

// Tenants, policies and checkouts: the request side of a checkout.
QStringList checkoutRequests()
{
    return {
        // At most one open checkout per technician and tenant, also under concurrent requests to a PostgreSQL
        // backend (the API checks it first, to answer with a clear problem). The open states are listed rather
        // than the final ones so that a state added later can only weaken this guard, never refuse a valid request.
        QStringLiteral("CREATE UNIQUE INDEX checkouts_one_open ON checkouts(tenant_id, technician_id)"
                       " WHERE state IN ('requested', 'awaiting_approval', 'provisioning', 'ready', 'revoking',"
                       " 'revoke_failed')"),
        QStringLiteral("CREATE INDEX checkouts_tenant ON checkouts(tenant_id, state)"),
        QStringLiteral("CREATE INDEX checkouts_state_due ON checkouts(state, next_action_at)"),
        QStringLiteral("CREATE INDEX tenants_org ON tenants(org_id, id)"),
        QStringLiteral("CREATE INDEX policies_org ON policies(org_id, id)"),
    };
}

// The provisioning engine: the account Stint keeps for each technician in each tenant, the credential of a ready
// checkout (sealed with the credentials key, bound to its checkout id), and the account a checkout uses.
QStringList provisioningEngine()
{
    return {
        QStringLiteral("CREATE TABLE tenant_accounts ("
                       " org_id TEXT NOT NULL REFERENCES organizations(id),"
                       " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
                       " person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,"
                       " account_id TEXT NOT NULL, upn TEXT NOT NULL, created_at BIGINT NOT NULL,"
                       " PRIMARY KEY (tenant_id, person_id))"),
        QStringLiteral("CREATE TABLE checkout_credentials ("
                       " checkout_id TEXT PRIMARY KEY REFERENCES checkouts(id) ON DELETE CASCADE,"
                       " org_id TEXT NOT NULL, sealed {BYTES} NOT NULL, kind TEXT NOT NULL, upn TEXT NOT NULL,"
                       " expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL)"),
        QStringLiteral("ALTER TABLE checkouts ADD COLUMN account_upn TEXT"),
    };
}

// Connecting customer tenants (their proof, health reports, credentials and one-time connect states), webhooks and
// their delivery queue. Independent of migration 3's tables.
QStringList tenantConnections()
{
    return {
        // One Entra tenant belongs to at most one tenant record, across organizations (NULLs do not collide).
        QStringLiteral("CREATE UNIQUE INDEX tenants_entra_tenant ON tenants(entra_tenant_id)"),
        // The last health check and reconciliation of a tenant; report is the JSON the API shows.
        QStringLiteral("CREATE TABLE tenant_connections ("
                       " tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
                       " org_id TEXT NOT NULL, report TEXT NOT NULL, last_error TEXT NOT NULL,"
                       " checked_at BIGINT, reconciled_at BIGINT, drift_found BIGINT NOT NULL DEFAULT 0,"
                       " reconcile_summary TEXT NOT NULL, updated_at BIGINT NOT NULL)"),
        // A per-customer app registration. `sealed` holds the client secret or the private key PEM, sealed with the
        // connections key and the tenant id as AAD; everything else is what the API may show.
        QStringLiteral("CREATE TABLE tenant_credentials ("
                       " tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,"
                       " org_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('client_secret', 'certificate')),"
                       " client_id TEXT NOT NULL, certificate_pem TEXT NOT NULL, thumbprint TEXT NOT NULL,"
                       " not_after BIGINT, secret_expires_at BIGINT, sealed {BYTES} NOT NULL,"
                       " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)"),
        // One-time `state` values of the connect flow, stored hashed; the PKCE verifier is sealed.
        QStringLiteral("CREATE TABLE connect_states ("
                       " state_hash {BYTES} PRIMARY KEY, org_id TEXT NOT NULL,"
                       " tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
                       " session_id TEXT NOT NULL, person_id TEXT NOT NULL, kind TEXT NOT NULL,"
                       " redirect_uri TEXT NOT NULL, tenant_hint TEXT NOT NULL, sealed_verifier {BYTES},"
                       " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)"),
        QStringLiteral("CREATE INDEX connect_states_tenant ON connect_states(tenant_id)"),
        QStringLiteral("CREATE TABLE webhooks ("
                       " id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id),"
                       " url TEXT NOT NULL, description TEXT NOT NULL, event_types TEXT NOT NULL,"
                       " enabled BIGINT NOT NULL, sealed_secret {BYTES} NOT NULL,"
                       " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version BIGINT NOT NULL)"),
        QStringLiteral("CREATE INDEX webhooks_org ON webhooks(org_id, id)"),
        // The durable delivery queue: one row per (webhook, event); `dead` rows are the dead letters.
        QStringLiteral("CREATE TABLE webhook_deliveries ("
                       " id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,"
                       " org_id TEXT NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL, body TEXT NOT NULL,"
                       " status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),"
                       " attempts BIGINT NOT NULL, next_attempt_at BIGINT, last_attempt_at BIGINT,"
                       " last_status BIGINT, last_error TEXT NOT NULL, created_at BIGINT NOT NULL,"
                       " delivered_at BIGINT, UNIQUE (webhook_id, event_id))"),
        QStringLiteral("CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at)"),
        QStringLiteral("CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id)"),
        // How far the webhook outbox has read the live event stream (events.seq).
        QStringLiteral("CREATE TABLE webhook_cursor (id TEXT PRIMARY KEY, seq BIGINT NOT NULL)"),
    };
}
// The cause of a failed provision whose clean-up is still running (checkouts.failure), so that the checkout ends as
// failed with it once the clean-up is confirmed.
QStringList checkoutFailures()
{
    return {
        QStringLiteral("ALTER TABLE checkouts ADD COLUMN failure TEXT"),
    };
}

// What each account Stint made was last granted (its role assignments, its Temporary Access Pass), as JSON, so that a
// revocation after a restart starts with the writes (engine/TenantAccounts.h). NULL: not known, the revocation reads
// first — as for every account recorded before this migration.
QStringList grantedObjects()
{
    return {
        QStringLiteral("ALTER TABLE tenant_accounts ADD COLUMN granted_objects TEXT"),
    };
}

// The audit log, leaner: its rows live in the b-tree of their primary key (org_id, seq) instead of a rowid table
// plus a copy of that key in an index (verify walks one b-tree in order instead of looking each row up), and the
// event id loses its unique index (128 random bits; nothing looks events up by id). The rows are copied unchanged, so
// every chain verifies as before. bench_audit measured 538 file bytes per event against about 625 before.
QStringList leanerAuditLog()
{
    return {
        QStringLiteral("CREATE TABLE audit_events_lean ("
                       " org_id TEXT NOT NULL, seq BIGINT NOT NULL, id TEXT NOT NULL,"
                       " occurred_at BIGINT NOT NULL, actor_id TEXT NOT NULL, actor_label TEXT NOT NULL,"
                       " action TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL,"
                       " tenant_id TEXT NOT NULL, source_address TEXT NOT NULL, outcome TEXT NOT NULL,"
                       " details TEXT NOT NULL, prev_hash {BYTES} NOT NULL, hash {BYTES} NOT NULL,"
                       " PRIMARY KEY (org_id, seq)){WITHOUT_ROWID}"),
        QStringLiteral("INSERT INTO audit_events_lean (org_id, seq, id, occurred_at, actor_id, actor_label, action,"
                       " target_type, target_id, tenant_id, source_address, outcome, details, prev_hash, hash)"
                       " SELECT org_id, seq, id, occurred_at, actor_id, actor_label, action, target_type, target_id,"
                       " tenant_id, source_address, outcome, details, prev_hash, hash FROM audit_events"
                       " ORDER BY org_id, seq"),
        QStringLiteral("DROP TABLE audit_events"),
        QStringLiteral("ALTER TABLE audit_events_lean RENAME TO audit_events"),
        QStringLiteral("CREATE INDEX audit_time ON audit_events(org_id, occurred_at)"),
    };
}
} // namespace

QList<store::Migration> cloudMigrations(store::Backend backend)
{
    return {
        {1, QStringLiteral("initial schema"), forBackend(initialSchema(), backend)},
        {2, QStringLiteral("checkout requests"), forBackend(checkoutRequests(), backend)},
        {3, QStringLiteral("provisioning engine"), forBackend(provisioningEngine(), backend)},
        {4, QStringLiteral("tenant connections and webhooks"), forBackend(tenantConnections(), backend)},
        {5, QStringLiteral("checkout failures"), forBackend(checkoutFailures(), backend)},
        {6, QStringLiteral("granted objects"), forBackend(grantedObjects(), backend)},
        {7, QStringLiteral("leaner audit log"), forBackend(leanerAuditLog(), backend)},
    };
}

} // namespace stint::cloud
