import Auth
import Crypto
import HTTPMessage
import JSON
import MCPCore
import Synchronization

/// Legacy-era session ids that any replica can check without shared state: each id carries
/// the negotiated version and an expiry, signed with HMAC-SHA256 under a key the replicas
/// share. Ending a session (DELETE) puts its id on this process's deny-list until it expires.
package final class SessionTokens: Sendable {
    private let key: [UInt8]
    private let lifetimeSeconds: Int64
    private let now: @Sendable () -> Int64
    private let ended = Mutex<[String: Int64]>([:])

    package init(key: [UInt8], lifetimeSeconds: Int64 = 86_400, now: @escaping @Sendable () -> Int64 = { currentUnixTime() }) {
        self.key = key
        self.lifetimeSeconds = lifetimeSeconds
        self.now = now
    }

    /// A new signed id for a session speaking `version`.
    package func issue(version: String) -> String {
        let nonce = secureRandomBytes(count: 12).hexString
        let payload = "\(version)|\(now() + lifetimeSeconds)|\(nonce)"
        let encoded = Base64URL.encode(Array(payload.utf8))
        let signature = Base64URL.encode(HMACSHA256.authenticationCode(key: key, message: Array(encoded.utf8)))
        return "s1.\(encoded).\(signature)"
    }

    package enum Problem: Error, Equatable {
        case missing, invalid, expired, ended
    }

    /// The negotiated version inside a valid, live id.
    package func validate(_ id: String) -> Result<String, Problem> {
        let parts = id.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "s1", let signature = Base64URL.decode(parts[2]) else { return .failure(.invalid) }
        let expected = HMACSHA256.authenticationCode(key: key, message: Array(parts[1].utf8))
        guard constantTimeEquals(expected, signature), let payloadBytes = Base64URL.decode(parts[1]),
            let payload = String(validating: payloadBytes, as: UTF8.self)
        else { return .failure(.invalid) }
        let fields = payload.split(separator: "|")
        guard fields.count == 3, let expiry = Int64(fields[1]) else { return .failure(.invalid) }
        guard expiry > now() else { return .failure(.expired) }
        if ended.withLock({ $0[id] != nil }) { return .failure(.ended) }
        return .success(String(fields[0]))
    }

    /// Checks the `Mcp-Session-Id` of a legacy request; `initialize` needs none.
    func check(method: String, headers: HTTPHeaders) -> Result<String?, StreamableHTTPHandler.Refusal> {
        guard method != MCPMethod.initialize.rawValue else { return .success(nil) }
        guard let id = headers["Mcp-Session-Id"], !id.isEmpty else {
            return .failure(Self.refusal(status: 400, "Bad Request: Mcp-Session-Id header is required; send initialize first to get one"))
        }
        switch validate(id) {
        case .success: return .success(id)
        case .failure(.expired): return .failure(Self.refusal(status: 404, "Session expired: initialize again"))
        case .failure(.ended): return .failure(Self.refusal(status: 404, "Session has been terminated: initialize again"))
        case .failure: return .failure(Self.refusal(status: 404, "Session not found: the Mcp-Session-Id is not one this deployment issued"))
        }
    }

    /// DELETE with a session id ends that session.
    func terminate(_ headers: HTTPHeaders) -> HTTPResponse {
        guard let id = headers["Mcp-Session-Id"], !id.isEmpty else {
            return Self.refusal(status: 400, "Bad Request: DELETE needs the Mcp-Session-Id header").response(id: nil)
        }
        guard case .success = validate(id) else {
            return Self.refusal(status: 404, "Session not found").response(id: nil)
        }
        let current = now()
        ended.withLock { ended in
            ended = ended.filter { $0.value > current }
            ended[id] = expiry(of: id) ?? current + lifetimeSeconds
        }
        return HTTPResponse(status: 200)
    }

    private func expiry(of id: String) -> Int64? {
        let parts = id.split(separator: ".")
        guard parts.count == 3, let bytes = Base64URL.decode(parts[1]) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: "|")
        return fields.count == 3 ? Int64(fields[1]) : nil
    }

    private static func refusal(status: Int, _ message: String) -> StreamableHTTPHandler.Refusal {
        StreamableHTTPHandler.Refusal { id in
            ResponseBuilder.error(id: id, .transportRefused(message), status: status)
        }
    }
}
