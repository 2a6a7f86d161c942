// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

// Ownership of OpenSSL objects: `OpenSslPtr<EVP_PKEY> key(EVP_PKEY_new())` frees the key with EVP_PKEY_free when it
// goes out of scope. One deleter with an overload per type, so that a type without one fails to compile instead of
// being freed the wrong way. For .cpp files only: headers keep OpenSSL types out of their interfaces.
namespace stint {

struct OpenSslDeleter
{
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
    void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
    void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(BIO* p) const { BIO_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_NAME* p) const { X509_NAME_free(p); }
    void operator()(BASIC_CONSTRAINTS* p) const { BASIC_CONSTRAINTS_free(p); }
    void operator()(ASN1_OBJECT* p) const { ASN1_OBJECT_free(p); }
    // Every ASN.1 string type (ASN1_OCTET_STRING, ASN1_INTEGER, …) is an ASN1_STRING to the compiler.
    void operator()(ASN1_STRING* p) const { ASN1_STRING_free(p); }
    // Bytes OpenSSL allocated for the caller (i2d_* output, ASN1_STRING_to_UTF8).
    void operator()(unsigned char* p) const { OPENSSL_free(p); }
};

template <typename T>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter>;

} // namespace stint
