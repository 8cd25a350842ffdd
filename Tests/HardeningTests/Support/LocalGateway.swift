import Config
import Gateway
import HTTPServer
import Logging
import TestSupport

/// A gateway in this process with every listener limit from its configuration applied
/// (connections, timeouts, body size), as the program sets them. It always binds
/// 127.0.0.1, while `config.server.host` may name another address so the Host rules for a
/// non-loopback listener can be tried without listening beyond loopback.
final class LocalGateway: Sendable {
    let runtime: GatewayRuntime
    let server: HTTPServer
    let logs: LogCapture
    let port: UInt16

    init(upstream: String, environment: [String: String] = [:], configure: (inout GatewayConfig) -> Void = { _ in })
        throws
    {
        var config = GatewayConfig()
        config.upstream.baseURL = upstream
        config.upstream.target = .http(baseURL: upstream)
        config.upstream.connectTimeoutMs = 2_000
        config.upstream.timeoutMs = 10_000
        config.server.port = 0
        configure(&config)
        let logs = LogCapture()
        self.logs = logs
        let format = Logging.LogFormat(rawValue: config.logging.format.rawValue) ?? .text
        runtime = try GatewayRuntime(config: config, environment: environment, logger: logs.logger(format: format))
        var options = HTTPServerOptions()
        options.host = "127.0.0.1"
        options.port = 0
        options.maxBodyBytes = config.limits.maxBodyBytes
        options.maxConnections = config.limits.maxConnections
        options.connectionTimeoutSeconds = config.limits.connectionTimeoutSeconds
        options.headerTimeoutSeconds = config.limits.headerTimeoutSeconds
        server = try HTTPServer(options: options, handler: runtime.router)
        try server.start()
        port = server.boundPort ?? 0
    }

    var mcpURL: String { "http://127.0.0.1:\(port)/mcp" }

    func client() throws -> MCPTestClient { try MCPTestClient(url: mcpURL) }

    func stop() async {
        await server.stop(gracePeriod: .zero)
        runtime.shutdown()
    }
}

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

extension GatewayHarness {
    /// The listening port.
    var port: UInt16 { server.boundPort ?? 0 }
}
