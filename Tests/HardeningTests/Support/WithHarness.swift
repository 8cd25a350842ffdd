import Config
import Gateway
import TestSupport

/// Starts an in-process gateway (`GatewayHarness`) in front of `upstream`, runs `body`, stops
/// it, and fails when a token shows up in its log.
func withHarness(
    _ upstream: TestUpstream, environment: [String: String] = [:],
    configure: (inout GatewayConfig) -> Void = { _ in },
    _ body: (GatewayHarness, MCPTestClient) async throws -> Void
) async throws {
    let gateway = try GatewayHarness(upstreamBaseURL: upstream.baseURL, environment: environment, configure: configure)
    do {
        try await body(gateway, try gateway.client())
    } catch {
        await gateway.stop()
        throw error
    }
    await gateway.stop()
    let leaks = Tokens.leaked(in: gateway.logs.text)
    if !leaks.isEmpty { throw TokenLeak(place: "the gateway's log", leaks: leaks) }
}

/// A token showed up where it must not.
struct TokenLeak: Error, CustomStringConvertible {
    var place: String
    var leaks: [String]
    var description: String { "token material in \(place): \(leaks.joined(separator: ", "))" }
}
