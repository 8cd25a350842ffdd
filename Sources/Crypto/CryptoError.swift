private import CCrypto

/// A libcrypto call that failed, with the reasons OpenSSL queued for it.
package struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C function that failed, such as `RAND_bytes`.
    package var operation: String
    /// OpenSSL's error strings, oldest first; empty when it queued none.
    package var reasons: [String]

    package init(operation: String, reasons: [String]) {
        self.operation = operation
        self.reasons = reasons
    }

    package var description: String {
        let detail = reasons.isEmpty ? "no detail from OpenSSL" : reasons.joined(separator: "; ")
        return "\(operation) failed: \(detail)"
    }

    /// Empties this thread's OpenSSL error queue into an error for `operation`.
    /// The queue is per thread, so this must run right after the failing call.
    static func drainingQueue(operation: String) -> CryptoError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return CryptoError(operation: operation, reasons: reasons)
    }
}

/// Turns a libcrypto status (1 = success) into a thrown `CryptoError`.
/// - Throws: `CryptoError` with the drained error queue when `status` is not 1.
func check(_ status: Int32, operation: String) throws(CryptoError) {
    guard status == 1 else { throw CryptoError.drainingQueue(operation: operation) }
}

/// Runs a libcrypto step that fails only when OpenSSL cannot allocate memory or has lost
/// its default provider; there is nothing sensible to do then but stop.
func mustSucceed<T>(_ body: () throws(CryptoError) -> T) -> T {
    do {
        return try body()
    } catch {
        fatalError("libcrypto: \(error)")
    }
}
