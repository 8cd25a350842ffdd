package import Auth
package import Config
import FixtureReplay
import FoundationEssentials
import HTTPMessage
import JSON
package import Logging
import LoonflowClient
import LoonflowSimulator
package import MCPCore
package import MCPHTTP
package import MCPUpstream
import Tools

/// Everything the gateway serves with, built once from the configuration: the upstream,
/// the tools, the protocol core and the HTTP handler.
package final class GatewayRuntime: Sendable {
    package let config: GatewayConfig
    package let logger: Logger
    package let upstream: UpstreamSetup
    package let server: MCPServer
    package let metrics: Metrics
    package let httpHandler: StreamableHTTPHandler
    package let legacySSE: LegacySSEHandler
    package let router: OperationsRouter
    package let validator: AccessTokenValidator
    /// The server-wide default token (`LOONFLOW_MCP_ACCESS_TOKEN`), checked at start-up.
    package let defaultAccessToken: AccessToken?
    package var defaultToken: String? { defaultAccessToken?.value }
    /// The remote Loonflow MCP server's client, when tool calls are forwarded there.
    package let forwarding: MCPUpstreamClient?

    package init(config: GatewayConfig, environment: [String: String], logger: Logger, recordTo output: String? = nil) throws(StartupError) {
        self.config = config
        self.logger = logger
        let validator = AccessTokenValidator(jwtKey: config.auth.jwtHS256Key.map { Array($0.utf8) })
        self.validator = validator
        self.defaultAccessToken = try Self.checkDefaultToken(environment["LOONFLOW_MCP_ACCESS_TOKEN"], validator: validator)
        let metrics = Metrics(knownTools: ToolCatalog.allNames)
        self.metrics = metrics
        let upstream = try UpstreamFactory.make(config: config, logger: logger, recordTo: output, exchangeObserver: metrics)
        self.upstream = upstream
        let limited = TokenLimiter(
            base: upstream.client, maxConcurrent: config.upstream.maxConcurrentPerToken,
            maxWait: .milliseconds(config.upstream.concurrencyWaitMs), ratePerSecond: config.upstream.rateLimitPerToken)
        let client = LoonflowClient(
            baseURL: upstream.baseURL, http: limited, allowedAppNames: Set(config.upstream.allowedAppNames),
            observer: metrics)
        let environmentForTools = ToolEnvironment(
            client: client, tokens: TokenResolver(validator: validator), logger: logger,
            scanLimit: config.tools.actStateScanLimit)
        var tools = ToolCatalog.tools(environment: environmentForTools, enabled: config.tools.effectiveNames)
        var resources: (any ResourceProvider)? = TicketResources(environment: environmentForTools)
        var extras: UpstreamExtraTools?
        if let mcpURL = upstream.mcpURL {
            // The local tools lend their definitions; their REST client is never called. Only
            // the tools a Loonflow MCP server has are forwarded, and resources need REST.
            let forwarding = MCPUpstreamClient(url: mcpURL, http: limited, clientVersion: gatewayVersion, observer: metrics)
            let setting = ForwardedTool.ForwardingSetting(
                upstream: forwarding, tokens: TokenResolver(validator: validator),
                allowedAppNames: Set(config.upstream.allowedAppNames), logger: logger)
            tools = tools.filter { ToolCatalog.referenceNames.contains($0.name) }
                .map { CleanTextTool(base: ForwardedTool(mirroring: $0, setting: setting)) }
            extras = UpstreamExtraTools(wanted: config.tools.upstreamExtra, setting: setting, readOnly: config.tools.readOnly)
            resources = nil
            self.forwarding = forwarding
        } else {
            self.forwarding = nil
        }
        let identity = ServerIdentity(name: gatewayServerName, version: gatewayVersion, instructions: Self.instructions(upstream))
        var laterTools: (@Sendable () -> [any Tool])?
        if let extras { laterTools = { extras.tools } }
        let server = MCPServer(
            identity: identity, tools: tools, laterTools: laterTools, callTimeout: .milliseconds(config.limits.callTimeoutMs),
            toolsets: GatewayConfig.ToolsConfig.toolsets, resources: resources,
            callExecutor: upstream.executor)
        self.server = server
        let sessions = config.server.sessions.key.map {
            SessionTokens(key: Array($0.utf8), lifetimeSeconds: Int64(config.server.sessions.ttlSeconds))
        }
        let handler = StreamableHTTPHandler(
            server: server,
            policy: HTTPPolicy(
                path: config.server.path, allowedOrigins: config.server.allowedOrigins,
                allowedHosts: config.server.allowedHosts, boundToLoopback: Self.isLoopback(config.server.host)),
            authentication: TransportAuthentication(
                validator: validator, defaultToken: defaultAccessToken?.value, anonymousDiscovery: config.auth.anonymousDiscovery),
            maxJSONDepth: config.limits.maxJSONDepth, sessions: sessions, logger: logger, observer: metrics)
        self.httpHandler = handler
        let readiness = Readiness(upstream: upstream, forwarding: forwarding, extras: extras, logger: logger)
        if let extras { Task { await extras.refresh() } }
        let legacySSE = LegacySSEHandler(inner: handler, maxStreams: config.limits.maxConnections)
        self.legacySSE = legacySSE
        self.router = OperationsRouter(
            mcpPath: config.server.path, mcp: handler, legacySSE: legacySSE,
            metrics: config.server.metrics.isEnabled ? nil : metrics,
            readiness: { await readiness.check() })
    }

    private static func checkDefaultToken(_ raw: String?, validator: AccessTokenValidator) throws(StartupError) -> AccessToken? {
        guard let raw, let token = normalizedToken(raw) else { return nil }
        switch validator.validate(token) {
        case .success(let valid): return valid
        case .failure(let error): throw StartupError("LOONFLOW_MCP_ACCESS_TOKEN is not usable: \(error.description)")
        }
    }


    private static func instructions(_ upstream: UpstreamSetup) -> String {
        var text =
            "Loonflow tickets. Use ticket_list to find tickets, ticket_detail to read one and see the actions you "
            + "may take, then ticket_handle (try dry_run=true first). user_list finds people and their ids."
        if upstream.mcpURL == nil {
            // The gateway's own tools; an MCP upstream offers only the five.
            text +=
                " To open a ticket: workflow_list, ticket_prepare_create, then ticket_create (dry_run=true first); "
                + "ticket_history shows what happened to a ticket."
        }
        if upstream.isDemo {
            text +=
                " DEMO MODE: this gateway talks to a simulated Loonflow built from a recorded demo deployment, not "
                + "to a real one; results are sample data. Handles and new tickets change the simulated tickets "
                + "in memory only: a restart of the gateway resets them. Where the recording does not say what "
                + "Loonflow would do, the answer says so (\"Loonflow simulator: ...\")."
        } else if upstream.fixtures != nil {
            text += " This gateway replays recorded fixtures; handled tickets do not change."
        } else if let mcpURL = upstream.mcpURL {
            text += " Calls are forwarded to the Loonflow MCP server at \(mcpURL)."
        }
        return text
    }

    package static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Start-up warnings about risky settings.
    package func logStartupWarnings() {
        if defaultToken != nil, !Self.isLoopback(config.server.host) {
            logger.warn(
                "auth.default_token_exposed",
                ["message": .string("LOONFLOW_MCP_ACCESS_TOKEN is set while listening on \(config.server.host): any client that reaches this address acts with that token")])
        }
        if !Self.isLoopback(config.server.host), config.server.allowedHosts.isEmpty {
            logger.warn(
                "server.any_host",
                ["message": .string("listening on \(config.server.host) with no server.allowed_hosts: every Host header is accepted; list your public names to stop DNS rebinding")])
        }
        if upstream.isDemo {
            // Short values: the logger bounds each one, and the directory has a field of its own.
            logger.info(
                "upstream.demo",
                [
                    "message": "no Loonflow configured: serving a simulated Loonflow (sample data; handles change it in memory only, a restart resets it)",
                    "model": .string(upstream.simulator?.directory ?? "Fixtures/simulator"),
                ])
        }
    }

    package func shutdown() {
        legacySSE.closeAll()
        upstream.shutdown()
    }
}

/// `/readyz`: the fixture set is loaded, or Loonflow answers HTTP at all.
actor Readiness {
    let upstream: UpstreamSetup
    let forwarding: MCPUpstreamClient?
    let extras: UpstreamExtraTools?
    let logger: Logger
    var last: (ready: Bool, detail: String, at: ContinuousClock.Instant)?

    init(upstream: UpstreamSetup, forwarding: MCPUpstreamClient?, extras: UpstreamExtraTools?, logger: Logger) {
        self.upstream = upstream
        self.forwarding = forwarding
        self.extras = extras
        self.logger = logger
    }

    func check() async -> (ready: Bool, detail: String) {
        if let set = upstream.fixtures { return (true, "fixture set \(set.directory) loaded") }
        if let simulator = upstream.simulator { return (true, "simulated Loonflow \(simulator.directory) loaded") }
        if let last, ContinuousClock.now - last.at < .seconds(5) { return (last.ready, last.detail) }
        if let forwarding {
            let probe = await forwarding.probe()
            if probe.ready { await extras?.refresh() }
            last = (probe.ready, probe.detail, .now)
            return probe
        }
        let probe = UpstreamRequest(method: "GET", url: upstream.baseURL + "/api/v1.0/tickets")
        var result: (Bool, String)
        do {
            let response = try await upstream.client.send(probe)
            result = (true, "Loonflow answered HTTP \(response.status)")
        } catch {
            result = (false, "Loonflow unreachable: \(error.kind)")
        }
        last = (result.0, result.1, .now)
        return result
    }
}
