import Config
import TestSupport

/// Starts an in-process gateway (`GatewayHarness`) in front of `upstream`, runs `body`, stops
/// it, and fails when a token shows up in its log.
func withHarness(
    _ upstream: TestUpstream, environment: [String: String] = [:],
    configure: (inout GatewayConfig) -> Void = { _ in },
    _ body: (GatewayHarness, MCPTestClient) async throws -> Void
) async throws {
    let gateway = try GatewayHarness(upstreamBaseURL: upstream.baseURL, environment: environment, configure: configure)
    try await gateway.runCheckingLog(body)
}
