// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudContext.h"
#include "models/Checkout.h"

// A Temporary Access Pass lasts the window it was issued for (within the tenant's policy). When a ready checkout is
// extended past its pass, the technician would be left with a pass that stops working while the access still runs —
// one of the failures MSPs report of other tools. So an extension renews the pass: a new one, lasting from now to the
// checkout's new end (within the policy), replaces the old one in the tenant (a user has one pass at a time) and in
// the credential vault, and the technician hears of it on the live channel (checkout.updated).
//
// The Graph call runs on the worker pool; the result is applied on the service thread only if the checkout is still
// ready (a checkout ended meanwhile drops the new pass: revocation deletes it from the tenant anyway). Audited as
// checkout.credential_renewed (success or failure, never the pass). A failed renewal leaves the old pass, which still
// works until its own end, and the password if one was issued; extending again tries again.
namespace stint::cloud::engine {

// Starts a renewal when the checkout's stored credential holds a pass that ends before the checkout does. True when
// one was started; false when none is needed (no pass, or it lasts long enough).
Result<bool> renewTemporaryAccessPassIfShort(CloudContext& cloud, const models::Checkout& checkout);

} // namespace stint::cloud::engine
