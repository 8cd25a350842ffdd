package import Config
package import Gateway
import HTTPMessage
package import HTTPServer
import Logging
import Synchronization

/// Why a test gateway could not start.
package struct GatewayHarnessError: Error, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// A whole gateway running in this process on 127.0.0.1 with an OS-chosen port: the same
/// `GatewayRuntime` and router the program builds, behind a real `HTTPServer`.
package final class GatewayHarness: Sendable {
    package let runtime: GatewayRuntime
    package let server: HTTPServer
    package let logs: LogCapture
    /// Requests whose handler task was cancelled (the client hung up, or the server stopped).
    package let cancelledRequests: TestCounter
    /// `http://127.0.0.1:<port>`.
    package let baseURL: String

    /// Starts a gateway whose Loonflow is `upstreamBaseURL` (a `TestUpstream`).
    /// - Parameters:
    ///   - configure: changes to the defaults (auth, tools, limits) before the runtime is built.
    ///   - environment: what `LOONFLOW_MCP_ACCESS_TOKEN` and friends would say.
    ///   - recordTo: a folder to write every exchange into as a fixture (record mode).
    package init(
        upstreamBaseURL: String, environment: [String: String] = [:], recordTo: String? = nil,
        configure: (inout GatewayConfig) -> Void = { _ in }
    ) throws(GatewayHarnessError) {
        var config = GatewayConfig()
        config.upstream.baseURL = upstreamBaseURL
        config.upstream.target = .http(baseURL: upstreamBaseURL)
        config.upstream.connectTimeoutMs = 2_000
        config.upstream.timeoutMs = 10_000
        config.server.host = "127.0.0.1"
        config.server.port = 0
        configure(&config)
        let logs = LogCapture()
        self.logs = logs
        do {
            let format = Logging.LogFormat(rawValue: config.logging.format.rawValue) ?? .text
            runtime = try GatewayRuntime(
                config: config, environment: environment, logger: logs.logger(format: format), recordTo: recordTo)
        } catch {
            throw GatewayHarnessError("gateway runtime: \(error.description)")
        }
        let cancelledRequests = TestCounter()
        self.cancelledRequests = cancelledRequests
        do {
            let handler = CancellationObservingHandler(wrapping: runtime.router, counter: cancelledRequests)
            server = try HTTPServer(
                options: Self.listenerOptions(config), handler: handler, servingLoop: runtime.upstream.executor)
            try server.start()
        } catch {
            runtime.shutdown()
            throw GatewayHarnessError("HTTP server: \(error)")
        }
        baseURL = "http://127.0.0.1:\(server.boundPort ?? 0)"
    }

    /// Every listener limit from the configuration, as the program applies them. It always
    /// binds 127.0.0.1, while `config.server.host` may name another address so the Host rules
    /// of a non-loopback listener can be tried without listening beyond loopback.
    private static func listenerOptions(_ config: GatewayConfig) -> HTTPServerOptions {
        var options = HTTPServerOptions()
        options.host = "127.0.0.1"
        options.port = 0
        options.maxBodyBytes = config.limits.maxBodyBytes
        options.maxConnections = config.limits.maxConnections
        options.connectionTimeoutSeconds = config.limits.connectionTimeoutSeconds
        options.headerTimeoutSeconds = config.limits.headerTimeoutSeconds
        return options
    }

    /// The listening port.
    package var port: UInt16 { server.boundPort ?? 0 }

    /// The MCP endpoint, `http://127.0.0.1:<port>/mcp`.
    package var mcpURL: String { baseURL + runtime.config.server.path }

    /// A client for this gateway's MCP endpoint.
    package func client() throws(GatewayHarnessError) -> MCPTestClient {
        try MCPTestClient(url: mcpURL)
    }

    /// Runs `body` with a client, then stops the gateway whether or not `body` threw.
    package func run(_ body: (GatewayHarness, MCPTestClient) async throws -> Void) async throws {
        do {
            try await body(self, try client())
        } catch {
            await stop()
            throw error
        }
        await stop()
    }

    /// Stops serving at once and releases the upstream client.
    package func stop() async {
        await server.stop(gracePeriod: .zero)
        runtime.shutdown()
    }
}

/// Passes every request to the gateway's router and counts the ones whose task is cancelled
/// while the router handles them.
private struct CancellationObservingHandler: HTTPHandler {
    let wrapping: any HTTPHandler
    let counter: TestCounter

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        await withTaskCancellationHandler {
            await wrapping.handle(request)
        } onCancel: {
            counter.increment()
        }
    }

    func refusal(status: Int, reason: String) -> HTTPResponse {
        wrapping.refusal(status: status, reason: reason)
    }
}
