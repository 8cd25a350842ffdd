private import CCrypto

/// OpenSSL's HMAC implementation, fetched once. Fetched algorithm objects are immutable and
/// may be shared by any number of threads; each call makes its own context from it.
nonisolated(unsafe) private let hmacAlgorithm: OpaquePointer? = EVP_MAC_fetch(nil, "HMAC", nil)

/// HMAC with SHA-256 (RFC 2104) through libcrypto's EVP_MAC API.
package enum HMACSHA256 {
    /// The authentication code's length in bytes.
    package static let byteCount = 32

    /// The HMAC-SHA-256 of `message` under `key`. Any key length works, the empty key included.
    package static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        mustSucceed { () throws(CryptoError) -> [UInt8] in try compute(key: key, message: message) }
    }

    private static func compute(key: [UInt8], message: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let hmacAlgorithm else { throw CryptoError.drainingQueue(operation: "EVP_MAC_fetch") }
        guard let context = EVP_MAC_CTX_new(hmacAlgorithm) else {
            throw CryptoError.drainingQueue(operation: "EVP_MAC_CTX_new")
        }
        defer { EVP_MAC_CTX_free(context) }
        try check(ccrypto_hmac_sha256_init(context, key, key.count), operation: "EVP_MAC_init")
        try check(EVP_MAC_update(context, message, message.count), operation: "EVP_MAC_update")
        var output = [UInt8](repeating: 0, count: byteCount)
        var length = 0
        try check(EVP_MAC_final(context, &output, &length, output.count), operation: "EVP_MAC_final")
        return Array(output.prefix(length))
    }
}
