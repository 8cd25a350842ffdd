import Auth
import Config
import Curl
import Foundation
import HTTPMessage
import JSON
import Testing
import TestSupport

/// The exchange inside a whole gateway: the minted JWT never leaves the process, a refused
/// PAT reads as it does without the exchange, and without the setting nothing changes.
@Suite struct PATExchangeGatewayTests {
    static let alicePAT = PATExchangeTests.alicePAT
    static let unknownPAT = "lfpat.6a1f4c2e-0000-4000-8000-000000000000.exchangeUnknownSecret_Zq1Xw2Ec3Rv4Tb5Yn6"

    static func withExchangeGateway(
        exchange: Bool, recordTo: String? = nil, _ body: (GatewayHarness, MCPTestClient, TokenCheckingLoonflow) async throws -> Void
    ) async throws {
        let loonflow = try TokenCheckingLoonflow(now: { currentUnixTime() })
        defer { loonflow.stop() }
        loonflow.issue(alicePAT, to: TokenCheckingLoonflow.alice)
        let gateway = try GatewayHarness(upstreamBaseURL: loonflow.baseURL, recordTo: recordTo) { config in
            config.auth.jwtHS256Key = String(decoding: TestJWT.defaultKey, as: UTF8.self)
            config.auth.patExchange = exchange
        }
        try await gateway.run { gateway, client in try await body(gateway, client, loonflow) }
    }

    /// Every place the minted token could show: the JWTs themselves and their signatures.
    static func mintedLeaks(_ loonflow: TokenCheckingLoonflow, in text: String) -> [String] {
        let minted = Set(loonflow.acceptedJWTs)
        #expect(!minted.isEmpty, "JWTs were minted and used")
        let pieces = minted.flatMap { jwt in [jwt, String(jwt.split(separator: ".")[2])] }
        return pieces.filter { text.contains($0) }.map { "\($0.prefix(12))…" }
    }

    @Test func mintedTokenAppearsInNoResponseLogMetricOrFixture() async throws {
        let folder = FileManager.default.temporaryDirectory.path + "/lmg-exchange-record-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await Self.withExchangeGateway(exchange: true, recordTo: folder) { gateway, client, loonflow in
            var seen: [String] = []
            for modern in [false, true] {
                for tool in ["ticket_list", "user_list"] {
                    let response = try await client.callTool(tool, token: Self.alicePAT, modern: modern)
                    #expect(response.isToolError == false, "\(tool): \(response.text.prefix(300))")
                    seen.append(response.text + response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n"))
                }
            }
            let refused = try await client.callTool("ticket_list", token: Self.unknownPAT)
            #expect(refused.isToolError == true)
            #expect(refused.text.contains("Loonflow answered HTTP 500"), "the refusal reads as without the exchange")
            seen.append(refused.text)
            #expect(loonflow.patChecks == 2, "alice's PAT once, the unknown one once")
            #expect(loonflow.callers.filter { $0.byPAT }.allSatisfy { $0.path == "/api/v1.0/accounts/my_profile" })

            let curl = try CurlHTTPClient()
            defer { curl.shutdown() }
            let metrics = String(decoding: try await curl.send(UpstreamRequest(method: "GET", url: gateway.baseURL + "/metrics")).body, as: UTF8.self)
            #expect(metrics.contains("lmg_pat_exchanges_total 1"))
            #expect(metrics.contains("lmg_pat_exchange_cache_hits_total 3"))
            #expect(metrics.contains("lmg_pat_verifications_refused_total 1"))

            var fixtures = ""
            for name in try FileManager.default.subpathsOfDirectory(atPath: folder) {
                fixtures += (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? ""
            }
            #expect(!fixtures.isEmpty, "record mode wrote fixtures")
            #expect(!fixtures.contains(Self.alicePAT), "the recorder still replaces the caller's PAT")
            for (place, text) in [
                ("responses", seen.joined(separator: "\n")), ("log", gateway.logs.text), ("metrics", metrics), ("fixtures", fixtures),
            ] {
                let leaks = Self.mintedLeaks(loonflow, in: text)
                #expect(leaks.isEmpty, "minted token in \(place): \(leaks)")
            }
        }
    }

    @Test func withoutTheSettingPATsGoToLoonflowAsBefore() async throws {
        try await Self.withExchangeGateway(exchange: false) { _, client, loonflow in
            for _ in 0..<3 {
                let response = try await client.callTool("ticket_list", token: Self.alicePAT)
                #expect(response.isToolError == false)
            }
            #expect(loonflow.patChecks == 3)
            #expect(loonflow.acceptedJWTs.isEmpty)
        }
    }
}
