private import CCrypto

/// Random bytes from OpenSSL's CSPRNG, for session identifiers and secrets.
package enum SecureRandom {
    /// `count` bytes from `RAND_bytes`.
    /// - Throws: `CryptoError` when the generator cannot be seeded or fails.
    package static func bytes(count: Int) throws(CryptoError) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "random byte count out of range: \(count)")
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        try check(RAND_bytes(&output, Int32(count)), operation: "RAND_bytes")
        return output
    }
}

/// `count` bytes from OpenSSL's CSPRNG. Stops the process if the generator fails: handing
/// out predictable secrets would be worse.
package func secureRandomBytes(count: Int) -> [UInt8] {
    mustSucceed { () throws(CryptoError) -> [UInt8] in try SecureRandom.bytes(count: count) }
}

/// Whether two byte strings are equal, taking the same time wherever they differ, so
/// comparing a secret leaks nothing but its length.
package func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    guard !a.isEmpty else { return true }
    return CRYPTO_memcmp(a, b, a.count) == 0
}
