// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

// The organization, its people, groups and invites; a person's own profile, passkeys and sessions.
namespace stint::cloud::api {

Reply me(RequestContext& ctx);                    // GET /v1/me
Reply myCredentials(RequestContext& ctx);         // GET /v1/me/credentials
Reply renameMyCredential(RequestContext& ctx);    // PATCH /v1/me/credentials/{credentialId}
Reply deleteMyCredential(RequestContext& ctx);    // DELETE /v1/me/credentials/{credentialId}
Reply mySessions(RequestContext& ctx);            // GET /v1/me/sessions
Reply revokeMySession(RequestContext& ctx);       // DELETE /v1/me/sessions/{sessionId}

Reply getOrganization(RequestContext& ctx);       // GET /v1/organization
Reply updateOrganization(RequestContext& ctx);    // PATCH /v1/organization

Reply listPeople(RequestContext& ctx);            // GET /v1/people
Reply getPerson(RequestContext& ctx);             // GET /v1/people/{personId}
Reply updatePerson(RequestContext& ctx);          // PATCH /v1/people/{personId}
Reply personCredentials(RequestContext& ctx);     // GET /v1/people/{personId}/credentials
Reply deletePersonCredential(RequestContext& ctx);// DELETE /v1/people/{personId}/credentials/{credentialId}
Reply revokePersonSessions(RequestContext& ctx);  // POST /v1/people/{personId}/sessions/revoke

Reply listInvites(RequestContext& ctx);           // GET /v1/invites
Reply createInvite(RequestContext& ctx);          // POST /v1/invites
Reply revokeInvite(RequestContext& ctx);          // DELETE /v1/invites/{inviteId}

Reply listGroups(RequestContext& ctx);            // GET /v1/groups
Reply createGroup(RequestContext& ctx);           // POST /v1/groups
Reply getGroup(RequestContext& ctx);              // GET /v1/groups/{groupId}
Reply updateGroup(RequestContext& ctx);           // PATCH /v1/groups/{groupId}
Reply deleteGroup(RequestContext& ctx);           // DELETE /v1/groups/{groupId}

} // namespace stint::cloud::api
