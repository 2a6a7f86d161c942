// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArrayView>
#include <QCborValue>

// A strict CBOR (RFC 8949) decoder for untrusted input: COSE keys (core/PublicKey) and the WebAuthn structures an
// authenticator sends (attestation objects, authenticator data). Qt's QCborStreamReader checks well-formedness; on top
// of it this decodes only the subset CTAP2 uses and rejects what Qt would accept silently:
// - accepted: unsigned and negative integers in the range of qint64, definite-length byte and text strings (text must
//   be valid UTF-8), definite-length arrays and maps, true, false and null;
// - rejected: negative integers below -2^63 (Qt wraps them, even onto small positive numbers), indefinite lengths,
//   tags, floats, simple values other than true/false/null, map keys other than integers and text strings, duplicate
//   map keys, more than 1024 entries in one array or map, and nesting deeper than `maxDepth`.
// It does not check canonical (deterministic) encoding: shortest-form integers and sorted map keys are not required.
namespace stint::cbor {

inline constexpr auto kMalformed = "cbor.malformed";

struct Decoded
{
    QCborValue value;
    qsizetype size = 0; // bytes the item used
};

// Decodes the one data item at the start of `data`; bytes after it are left alone.
Result<Decoded> decodeItem(QByteArrayView data, int maxDepth = 16);
// Decodes exactly one data item that spans all of `data`.
Result<QCborValue> decodeExactly(QByteArrayView data, int maxDepth = 16);

} // namespace stint::cbor
