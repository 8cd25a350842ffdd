private import CCrypto

/// SHA-256 through libcrypto's EVP digest API.
package enum SHA256 {
    /// The digest length in bytes.
    package static let byteCount = 32

    /// The SHA-256 digest of `bytes`.
    package static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable({ digest(of: $0) }) {
            return digest
        }
        return Array(bytes).withUnsafeBufferPointer { digest(of: $0) }
    }

    private static func digest(of buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        mustSucceed { () throws(CryptoError) -> [UInt8] in
            var output = [UInt8](repeating: 0, count: byteCount)
            var length: UInt32 = 0
            let status = EVP_Digest(buffer.baseAddress, buffer.count, &output, &length, EVP_sha256(), nil)
            try check(status, operation: "EVP_Digest")
            return output
        }
    }
}
