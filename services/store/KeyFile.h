// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Crypto.h"

namespace stint::store {

// The master key file: 64 hex digits (256 bits) and a newline, mode 0600. The store key and the keys that encrypt
// secrets at rest are derived from it.

// Creates a new key file; refuses to overwrite one ("store.key_exists").
Result<void> createKeyFile(const QString& path);

// Reads the key; refuses a file that group or others may read or write ("store.key_permissions"),
// a missing file ("store.key_missing") and anything that is not exactly one 256-bit hex key ("store.key_malformed").
Result<crypto::SecretBytes> loadKeyFile(const QString& path);

// Derives a purpose-bound 256-bit subkey (HMAC-SHA256(master, "stint:" + purpose)).
crypto::SecretBytes deriveKey(const crypto::SecretBytes& master, QByteArrayView purpose);

} // namespace stint::store
