#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

/// Starts an HMAC-SHA-256 computation on a context made from the "HMAC" EVP_MAC.
/// Exists because building an OSSL_PARAM array (the digest name) is awkward from Swift.
/// An empty key is passed as a non-NULL pointer: EVP_MAC_init treats a NULL key as
/// "keep the previous key", and a fresh context has none.
static inline int ccrypto_hmac_sha256_init(EVP_MAC_CTX *ctx, const unsigned char *key, size_t key_length) {
    static const unsigned char empty_key = 0;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_MAC_init(ctx, key_length == 0 || key == NULL ? &empty_key : key, key_length, params);
}
