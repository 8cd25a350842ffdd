import Crypto
import Curl
import HTTPMessage
import JSON
import LoonflowClient
import Synchronization
import Testing
import TestSupport

/// A clock the test moves by hand, so lifetimes never depend on the date or on waiting.
final class ManualClock: Sendable {
    private let seconds = Mutex<Int64>(1_900_000_000)
    var now: Int64 { seconds.withLock { $0 } }
    func advance(by delta: Int64) { seconds.withLock { $0 += delta } }
}

/// What the exchange reported, counted.
final class ExchangeCounts: PATExchangeObserver {
    private let counts = Mutex<[String: Int]>([:])
    func patExchanged() { bump("exchanged") }
    func patExchangeCacheHit() { bump("hits") }
    func patVerificationRefused() { bump("refused") }
    func patVerificationShared() { bump("shared") }
    func patExchangeFellBack() { bump("fellBack") }
    subscript(name: String) -> Int { counts.withLock { $0[name] ?? 0 } }
    private func bump(_ name: String) { counts.withLock { $0[name, default: 0] += 1 } }
}

/// The PAT exchange over real libcurl against a loopback Loonflow that checks tokens itself.
@Suite struct PATExchangeTests {
    static let alicePAT = "lfpat.7d0c6a52-1c1e-4a8f-9e55-3f6f0b1a2c01.exchangeAliceSecret_Q9xZ2vT7wK3mN8pR4sL6"
    static let alicePAT2 = "lfpat.9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d.exchangeAliceSecond_H5jK7lP2qW9eR3tY6uI1"
    static let adminPAT = "lfpat.0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b.exchangeAdminSecret_M4nB6vC8xZ1aS3dF5gH7"
    static let ttl = 60

    struct Setup {
        let loonflow: TokenCheckingLoonflow
        let exchange: PATExchange
        let clock: ManualClock
        let counts: ExchangeCounts
        let curl: CurlHTTPClient

        func tickets(_ pat: String) async throws -> UpstreamResponse {
            try await exchange.send(
                UpstreamRequest(method: "GET", url: loonflow.upstream.url("/api/v1.0/tickets"), headers: ["Authorization": "Bearer \(pat)"]))
        }

        func stop() {
            curl.shutdown()
            loonflow.stop()
        }
    }

    static func setUp(profileGate: TestGate? = nil) throws -> Setup {
        let clock = ManualClock()
        let loonflow = try TokenCheckingLoonflow(profileGate: profileGate, now: { clock.now })
        loonflow.issue(alicePAT, to: TokenCheckingLoonflow.alice)
        loonflow.issue(alicePAT2, to: TokenCheckingLoonflow.alice)
        loonflow.issue(adminPAT, to: TokenCheckingLoonflow.admin)
        let curl = try CurlHTTPClient(options: CurlClientOptions(connectTimeoutMs: 2_000, totalTimeoutMs: 10_000))
        let counts = ExchangeCounts()
        let exchange = PATExchange(
            base: curl, baseURL: loonflow.baseURL + "/", key: TestJWT.defaultKey, lifetimeSeconds: ttl, maxEntries: 100,
            observer: counts, now: { clock.now })
        return Setup(loonflow: loonflow, exchange: exchange, clock: clock, counts: counts, curl: curl)
    }

    @Test func anErrorQuotingTheMintedJWTDoesNotCarryIt() async throws {
        let setup = try Self.setUp()
        defer { setup.stop() }
        let response = try await setup.exchange.send(
            UpstreamRequest(
                method: "GET", url: setup.loonflow.upstream.url(TokenCheckingLoonflow.quotingPath),
                headers: ["Authorization": "Bearer \(Self.alicePAT)"]))
        let minted = try #require(setup.loonflow.acceptedJWTs.last, "Loonflow saw a minted JWT")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(!text.contains(String(minted.split(separator: ".")[2])), "\(text)")
        #expect(text.contains("token rejected: Bearer [redacted]"), "\(text)")
    }

    @Test func concurrentFirstCallsVerifyOnce() async throws {
        // The verification is held until every other caller is waiting for it.
        let gate = TestGate()
        let setup = try Self.setUp(profileGate: gate)
        defer { setup.stop() }
        let callers = 8
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<callers { group.addTask { try await setup.tickets(Self.alicePAT).status } }
            #expect(await eventually { setup.counts["shared"] == callers - 1 }, "every later caller joined the running check")
            gate.open()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: callers))
        #expect(setup.loonflow.patChecks == 1)
        #expect(setup.counts["exchanged"] == 1)
        let ticketCallers = setup.loonflow.callers.filter { $0.path == "/api/v1.0/tickets" }
        #expect(ticketCallers.count == callers)
        #expect(ticketCallers.allSatisfy { $0.email == "alice@loonapp.com" && !$0.byPAT })
    }

    @Test func laterCallsWithinTheLifetimeDoNotVerify() async throws {
        let setup = try Self.setUp()
        defer { setup.stop() }
        #expect(try await setup.tickets(Self.alicePAT).status == 200)
        for _ in 0..<5 {
            setup.clock.advance(by: 11)
            #expect(try await setup.tickets(Self.alicePAT).status == 200)
        }
        #expect(setup.loonflow.patChecks == 1)
        #expect(setup.counts["hits"] == 5)
        #expect(setup.loonflow.callers.filter { $0.byPAT }.map(\.path) == ["/api/v1.0/accounts/my_profile"])
    }

    @Test func expiryBringsANewVerification() async throws {
        let setup = try Self.setUp()
        defer { setup.stop() }
        #expect(try await setup.tickets(Self.alicePAT).status == 200)
        setup.clock.advance(by: Int64(Self.ttl) - 1)
        #expect(try await setup.tickets(Self.alicePAT).status == 200)
        #expect(setup.loonflow.patChecks == 1)
        setup.clock.advance(by: 1)
        #expect(try await setup.tickets(Self.alicePAT).status == 200)
        #expect(setup.loonflow.patChecks == 2)
        #expect(setup.counts["exchanged"] == 2)
    }

    @Test func revokedPATStopsAtTheEndOfTheLifetime() async throws {
        let setup = try Self.setUp()
        defer { setup.stop() }
        #expect(try await setup.tickets(Self.alicePAT).status == 200)
        setup.loonflow.revoke(Self.alicePAT)
        #expect(try await setup.tickets(Self.alicePAT).status == 200, "still trusted within the lifetime")
        setup.clock.advance(by: Int64(Self.ttl))
        let refused = try await setup.tickets(Self.alicePAT)
        #expect(refused.status == 500)
        #expect(LoonflowClient.interpret(refused) == .failure(.tokenProbablyRejected))
    }

    @Test func rejectedPATIsNeverCached() async throws {
        let setup = try Self.setUp()
        defer { setup.stop() }
        let unknown = "lfpat.6a1f4c2e-0000-4000-8000-000000000000.exchangeUnknownSecret_Zq1Xw2Ec3Rv4Tb5Yn6"
        for attempt in 1...3 {
            let response = try await setup.tickets(unknown)
            #expect(response.status == 500, "Loonflow's own refusal reaches the caller")
            #expect(setup.loonflow.patChecks == attempt)
        }
        #expect(setup.counts["refused"] == 3)
        #expect(setup.counts["exchanged"] == 0)
        #expect(setup.exchange.entryCount == 0)
        #expect(setup.loonflow.callers.isEmpty, "nothing was answered for the unknown token")
    }

    @Test func twoPATsOfOneUserAreSeparateEntries() async throws {
        let setup = try Self.setUp()
        defer { setup.stop() }
        #expect(try await setup.tickets(Self.alicePAT).status == 200)
        #expect(try await setup.tickets(Self.alicePAT2).status == 200)
        #expect(setup.loonflow.patChecks == 2)
        #expect(setup.exchange.entryCount == 2)
        setup.loonflow.revoke(Self.alicePAT2)
        setup.clock.advance(by: Int64(Self.ttl))
        #expect(try await setup.tickets(Self.alicePAT).status == 200)
        #expect(try await setup.tickets(Self.alicePAT2).status == 500, "revoking one PAT does not ride on the other's entry")
    }

    @Test(arguments: [(alicePAT, TokenCheckingLoonflow.alice), (adminPAT, TokenCheckingLoonflow.admin)])
    func mintedJWTHasLoginsLayoutAndTheKeysSignature(pat: String, user: TokenCheckingLoonflow.User) async throws {
        let setup = try Self.setUp()
        defer { setup.stop() }
        #expect(try await setup.tickets(pat).status == 200)
        let ticketsRequest = try #require(setup.loonflow.upstream.requests("GET", "/api/v1.0/tickets").last)
        let header = try #require(ticketsRequest.headers["Authorization"])
        let jwt = String(header.dropFirst("Bearer ".count))
        #expect(setup.loonflow.acceptedJWTs.contains(jwt), "the upstream verified it with the key")
        let parts = jwt.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let expectedSignature = HMACSHA256.authenticationCode(key: TestJWT.defaultKey, message: Array("\(parts[0]).\(parts[1])".utf8))
        #expect(Base64URL.decode(parts[2]) == expectedSignature)
        #expect(Base64URL.decode(parts[0]).map { String(decoding: $0, as: UTF8.self) } == #"{"alg":"HS256","typ":"JWT"}"#)
        let payloadBytes = try #require(Base64URL.decode(parts[1]))
        let payload = try #require(try JSONParser().parse(payloadBytes).objectValue)
        #expect(payload.map(\.key) == ["exp", "iat", "data"])
        #expect(payload["iat"]?.intValue.map(Int64.init) == setup.clock.now)
        let exp = try #require(payload["exp"]?.intValue)
        #expect(exp > Int(setup.clock.now) + Self.ttl - 1 && exp <= Int(setup.clock.now) + Self.ttl + 60)
        let data = try #require(payload["data"]?.objectValue)
        #expect(data.map(\.key) == [
            "id", "label", "creator_info", "tenant_id", "name", "alias", "external_user_id", "email", "phone", "is_active", "type",
            "avatar", "lang",
        ])
        #expect(data["id"]?.stringValue == user.id)
        #expect(data["email"]?.stringValue == user.email)
        #expect(data["type"]?.stringValue == user.type)
        #expect(data["tenant_id"]?.stringValue == TokenCheckingLoonflow.tenant)
        #expect(data["phone"]?.stringValue == "555-0100")
        #expect(data["external_user_id"]?.stringValue == "")
    }

    @Test func writesGoWithTheMintedJWTOnce() async throws {
        let setup = try Self.setUp()
        defer { setup.stop() }
        let path = "/api/v1.0/tickets/d1e0f7fa-5957-4073-aac4-d12fc8eb440c/handle"
        let response = try await setup.exchange.send(
            UpstreamRequest(
                method: "POST", url: setup.loonflow.upstream.url(path),
                headers: ["Authorization": "Bearer \(Self.alicePAT)", "Content-Type": "application/json"], body: Array("{}".utf8),
                isIdempotent: false))
        #expect(response.status == 200)
        let posts = setup.loonflow.upstream.requests("POST", path)
        #expect(posts.count == 1)
        #expect(posts.first?.headers["Authorization"]?.hasPrefix("Bearer lfpat.") == false)
        #expect(setup.loonflow.callers.last == .init(path: path, email: "alice@loonapp.com", byPAT: false))
    }

    @Test func aKeyLoonflowRejectsLeavesPATsWorkingAsBefore() async throws {
        let clock = ManualClock()
        let loonflow = try TokenCheckingLoonflow(now: { clock.now })
        defer { loonflow.stop() }
        loonflow.issue(Self.alicePAT, to: TokenCheckingLoonflow.alice)
        let curl = try CurlHTTPClient(options: CurlClientOptions(connectTimeoutMs: 2_000, totalTimeoutMs: 10_000))
        defer { curl.shutdown() }
        let counts = ExchangeCounts()
        let exchange = PATExchange(
            base: curl, baseURL: loonflow.baseURL, key: Array("not-the-deployment-key".utf8), lifetimeSeconds: 60, maxEntries: 10,
            observer: counts, now: { clock.now })
        for _ in 0..<3 {
            let response = try await exchange.send(
                UpstreamRequest(method: "GET", url: loonflow.upstream.url("/api/v1.0/tickets"), headers: ["Authorization": "Bearer \(Self.alicePAT)"]))
            #expect(response.status == 200)
            #expect(loonflow.callers.last == .init(path: "/api/v1.0/tickets", email: "alice@loonapp.com", byPAT: true))
        }
        #expect(counts["fellBack"] == 1 && counts["exchanged"] == 0)
        #expect(loonflow.patChecks == 4, "one check by the exchange, then the PAT on each call as without it")
        #expect(loonflow.acceptedJWTs.isEmpty)
    }

    @Test func leastRecentlyUsedEntryGoesWhenFull() async throws {
        let clock = ManualClock()
        let loonflow = try TokenCheckingLoonflow(now: { clock.now })
        defer { loonflow.stop() }
        let curl = try CurlHTTPClient(options: CurlClientOptions(connectTimeoutMs: 2_000, totalTimeoutMs: 10_000))
        defer { curl.shutdown() }
        let exchange = PATExchange(
            base: curl, baseURL: loonflow.baseURL, key: TestJWT.defaultKey, lifetimeSeconds: 60, maxEntries: 2, now: { clock.now })
        for pat in [Self.alicePAT, Self.alicePAT2, Self.adminPAT] {
            loonflow.issue(pat, to: TokenCheckingLoonflow.alice)
        }
        func call(_ pat: String) async throws -> Int {
            try await exchange.send(
                UpstreamRequest(method: "GET", url: loonflow.upstream.url("/api/v1.0/tickets"), headers: ["Authorization": "Bearer \(pat)"])
            ).status
        }
        _ = try await call(Self.alicePAT)
        _ = try await call(Self.alicePAT2)
        _ = try await call(Self.alicePAT)  // alicePAT2 is now the least recently used
        _ = try await call(Self.adminPAT)
        #expect(exchange.entryCount == 2)
        #expect(loonflow.patChecks == 3)
        _ = try await call(Self.alicePAT)
        #expect(loonflow.patChecks == 3, "kept")
        _ = try await call(Self.alicePAT2)
        #expect(loonflow.patChecks == 4, "evicted, so verified again")
    }
}
