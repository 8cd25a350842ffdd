import Auth
import Crypto
package import HTTPMessage
import JSON
import Synchronization

/// Counts what the exchange does, for metrics. Never sees a token.
package protocol PATExchangeObserver: Sendable {
    /// A PAT was verified with Loonflow and a JWT minted for its owner.
    func patExchanged()
    /// A request went with a JWT minted earlier.
    func patExchangeCacheHit()
    /// Loonflow refused a PAT during verification.
    func patVerificationRefused()
    /// A request waited for a verification of its PAT that was already running.
    func patVerificationShared()
    /// Loonflow accepted a PAT but its owner could not be read with a JWT signed with the key
    /// (most likely the wrong key): the request went with the PAT itself.
    func patExchangeFellBack()
}

/// Swaps a personal access token for a short-lived JWT of its owner, so Loonflow runs its
/// PBKDF2 check once per token and lifetime instead of on every REST call.
///
/// The first request with a PAT verifies it with Loonflow (`PATVerification`); concurrent
/// first requests with the same PAT wait for that one verification. Then this gateway signs
/// an HS256 JWT with the deployment's key, laid out like `/login`'s, and sends it in place of
/// the PAT until `lifetimeSeconds` have passed. Entries are keyed by the PAT's SHA-256, never
/// by the user, and a refused PAT is never remembered. The minted JWT stays in this object:
/// it is written only into the outgoing `Authorization` header.
package final class PATExchange: HTTPClient {
    package let base: any HTTPClient
    package let lifetimeSeconds: Int64
    private let verification: PATVerification
    private let signer: HS256Signer
    private let now: @Sendable () -> Int64
    private let observer: (any PATExchangeObserver)?

    private struct State {
        var cache: ExchangeCache
        /// Verifications under way, by PAT hash, so concurrent first calls share one.
        var pending: [String: Task<Minted?, any Error>] = [:]
    }

    /// What one verification gave the requests waiting on it.
    private enum Minted: Sendable {
        case jwt(String)
        /// Loonflow's refusal, returned as the answer to every waiting request.
        case rejected(UpstreamResponse)
    }

    private enum Lookup {
        case cached(ExchangedToken)
        case verifying(Task<Minted?, any Error>)
        case shared(Task<Minted?, any Error>)
    }

    private let state: Mutex<State>

    /// - Parameters:
    ///   - base: where requests go (the libcurl client).
    ///   - baseURL: Loonflow's origin plus any prefix, without `/api/v1.0`.
    ///   - key: the deployment's `JWT_SALT`.
    ///   - now: Unix seconds; injected so tests never depend on the date.
    package init(
        base: any HTTPClient, baseURL: String, key: [UInt8], lifetimeSeconds: Int, maxEntries: Int,
        observer: (any PATExchangeObserver)? = nil, now: @escaping @Sendable () -> Int64 = { currentUnixTime() }
    ) {
        var origin = baseURL
        while origin.hasSuffix("/") { origin.removeLast() }
        self.base = base
        self.lifetimeSeconds = Int64(max(1, lifetimeSeconds))
        self.signer = HS256Signer(key: key)
        self.verification = PATVerification(http: base, baseURL: origin, signer: signer)
        self.now = now
        self.observer = observer
        self.state = Mutex(State(cache: ExchangeCache(capacity: maxEntries)))
    }

    /// How many PATs have an entry (a minted JWT, or a note to send the PAT as it is).
    package var entryCount: Int { state.withLock { $0.cache.count } }

    package func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        guard let pat = Self.personalAccessToken(in: request) else { return try await base.send(request) }
        let key = SHA256.hash(Array(pat.utf8)).hexString
        switch try await minted(for: pat, key: key, isWrite: !request.isIdempotent) {
        case .jwt(let jwt)?:
            var exchanged = request
            exchanged.headers.set("Authorization", "Bearer \(jwt)")
            return Self.withoutMintedToken(try await base.send(exchanged), jwt: jwt)
        case .rejected(let refusal)?:
            return refusal
        case nil:
            return try await base.send(request)
        }
    }

    /// Error answers are short, and Loonflow's may quote the `Authorization` it was sent: the
    /// minted JWT is replaced in them before they travel up (the client's own PAT is redacted
    /// by `LoonflowClient`). Longer bodies are pages of Loonflow's rows and stay as they are.
    private static func withoutMintedToken(_ response: UpstreamResponse, jwt: String) -> UpstreamResponse {
        guard response.body.count <= 64 * 1024 else { return response }
        var redacted = response
        redacted.body = SecretRedactor(secrets: AccessToken.secretParts(of: jwt)).redact(response.body)
        return redacted
    }

    /// The PAT of a `Bearer lfpat.…` request, else nil.
    private static func personalAccessToken(in request: UpstreamRequest) -> String? {
        guard let header = request.headers["Authorization"], header.hasPrefix("Bearer lfpat.") else { return nil }
        return String(header.dropFirst("Bearer ".count))
    }

    /// A cached JWT, or the outcome of the one verification running for this PAT; nil when
    /// the PAT should go to Loonflow itself.
    private func minted(for pat: String, key: String, isWrite: Bool) async throws(UpstreamError) -> Minted? {
        let lookup = state.withLock { state -> Lookup in
            if let token = state.cache.token(for: key, now: now()) { return .cached(token) }
            if let running = state.pending[key] { return .shared(running) }
            let started = Task { try await self.verify(pat, key: key) }
            state.pending[key] = started
            return .verifying(started)
        }
        let task: Task<Minted?, any Error>
        switch lookup {
        case .cached(.jwt(let jwt)):
            observer?.patExchangeCacheHit()
            return .jwt(jwt)
        case .cached(.passThrough):
            return nil
        case .verifying(let running):
            task = running
        case .shared(let running):
            observer?.patVerificationShared()
            task = running
        }
        do {
            return try await task.value
        } catch let error as UpstreamError {
            // The caller's own request was not sent: a write must not read as "outcome unknown".
            throw isWrite ? UpstreamError(error.kind, requestMayHaveBeenSent: false, detail: error.detail) : error
        } catch {
            throw UpstreamError(.other, requestMayHaveBeenSent: false, detail: "personal access token check failed")
        }
    }

    /// Runs the verification once, caches a minted JWT and always clears the pending entry.
    private func verify(_ pat: String, key: String) async throws(UpstreamError) -> Minted? {
        let started = now()
        let outcome: PATVerification.Outcome
        do {
            outcome = try await verification.run(pat, now: started)
        } catch {
            _ = state.withLock { $0.pending.removeValue(forKey: key) }
            throw error
        }
        let result: Minted?
        switch outcome {
        case .verified(let user):
            let validUntil = started + lifetimeSeconds
            // A little past the cache's lifetime, so a request sent at its last moment still passes.
            let jwt = signer.sign([
                "exp": .number(Int(validUntil + 30)), "iat": .number(Int(started)), "data": .object(user),
            ])
            state.withLock { $0.cache.store(.jwt(jwt), for: key, validUntil: validUntil, now: started) }
            observer?.patExchanged()
            result = .jwt(jwt)
        case .rejected(let refusal):
            observer?.patVerificationRefused()
            result = .rejected(refusal)
        case .unidentified:
            // Remembered too, so a wrong key costs one extra check per lifetime, not one per call.
            state.withLock { $0.cache.store(.passThrough, for: key, validUntil: started + lifetimeSeconds, now: started) }
            observer?.patExchangeFellBack()
            result = nil
        }
        _ = state.withLock { $0.pending.removeValue(forKey: key) }
        return result
    }
}
