// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace stint::store {

// SQLCipher 3.4.1's page cryptography without OpenSSL 3's per-call costs.
//
// SQLCipher encrypts every page it writes with AES-256-CBC under a fresh random IV and authenticates it with
// HMAC-SHA1; it decrypts and checks every page it reads. Its OpenSSL code, written for OpenSSL 1.x, creates a
// cipher and an HMAC context per page, and under OpenSSL 3 each of those looks the algorithm up in the provider
// table (behind a process-wide lock), and draws each IV from RAND_bytes (about 3 µs a call here). Profiles showed
// that overhead as a third of a durable audit append and a tenth of an audit verify.
//
// installPageCrypto() registers, through SQLCipher's own provider interface (sqlcipher_register_provider), a
// provider that is SQLCipher's OpenSSL one with three functions replaced:
//   - cipher: the same AES-256-CBC without padding, on a per-thread context whose key schedule is kept while the
//     key stays the same (only the IV is set per page);
//   - hmac:   the same HMAC-SHA1 over (page, page number), on a per-thread EVP_MAC context keyed once per key;
//   - random: the same RAND_bytes output, drawn 4 KiB at a time into a per-thread pool and handed out once each;
//     a forked child discards the pool it inherited, so two processes never hand out the same IV.
// The bytes on disk are exactly SQLCipher's (TestPageCrypto has the sqlcipher command line, with its own provider,
// read what this one wrote and the reverse). Keys copied into the per-thread contexts are wiped when the key
// changes and when the thread ends.
//
// Before registering, it checks it is talking to the SQLCipher it was written for: SQLite 3.15.2 inside, a provider
// of exactly 20 functions named "openssl", AES-256-CBC with 32-byte keys, 16-byte IVs and 20-byte HMACs, and the
// replaced functions giving the same bytes as the stock ones on a test page (both directions, two keys). If any of
// that does not hold (another SQLCipher), SQLCipher's own provider stays and the store works as before, slower.
//
// Safe to call from any thread, any number of times; the first call decides. Returns whether this provider is in
// use. It holds one SQLCipher activation for the life of the process, so SQLCipher never frees the provider.
bool installPageCrypto();

} // namespace stint::store
