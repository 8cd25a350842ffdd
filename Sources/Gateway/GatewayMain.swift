import Config
import FixtureReplay
import FoundationEssentials
import Glibc
import HTTPMessage
import HTTPServer
import JSON
import Logging
import LoonflowSimulator
import MCPCore
import PlainText

/// The program: parses the command line, runs the command, returns the exit status.
package enum GatewayMain {
    package static func run(arguments: [String], environment: [String: String]) async -> Int32 {
        MallocArenas.limit()
        switch CommandLineParser.parse(arguments) {
        case .failure(let error):
            printError("loonflow-mcp-gateway: \(error.description)")
            return 2
        case .success(.help):
            print(CommandLineParser.helpText)
            return 0
        case .success(.version):
            print("loonflow-mcp-gateway \(gatewayVersion)")
            return 0
        case .success(.checkConfig(let overrides)):
            return checkConfig(overrides, environment: environment)
        case .success(.serve(let options)):
            return await serve(options, environment: environment, recordTo: nil)
        case .success(.record(let upstream, let output, var options)):
            options.overrides.baseURL = upstream
            return await serve(options, environment: environment, recordTo: output)
        case .success(.serveFixtures(let directory, let host, let port, let simulate)):
            if simulate { return await serveSimulator(directory: directory, host: host, port: port) }
            return await serveFixtures(directory: directory ?? "", host: host, port: port, environment: environment)
        }
    }

    static func printError(_ text: String) {
        FileHandleStandardError.write(text + "\n")
    }

    private static func loadConfig(_ overrides: ConfigOverrides, environment: [String: String]) -> (GatewayConfig, String?)? {
        do {
            return try GatewayConfig.resolve(arguments: overrides, environment: environment)
        } catch {
            printError("loonflow-mcp-gateway: configuration error: \(error.description)")
            return nil
        }
    }

    private static func checkConfig(_ overrides: ConfigOverrides, environment: [String: String]) -> Int32 {
        guard let (config, source) = loadConfig(overrides, environment: environment) else { return 2 }
        print("# configuration from \(source ?? "built-in defaults") with environment and flags applied")
        print(config.describe())
        if config.upstream.target != nil, config.upstream.mcpURL != nil {
            printError(
                "loonflow-mcp-gateway: set either upstream.base_url (Loonflow's REST API) or upstream.mcp_url (a Loonflow "
                    + "MCP server), not both")
            return 2
        }
        if let mcpURL = config.upstream.mcpURL {
            print("# effective setup: tool calls are forwarded to the Loonflow MCP server at \(mcpURL)")
        } else if config.upstream.target == nil {
            let model = UpstreamFactory.demoDirectory() ?? "Fixtures/simulator (not found from here)"
            print(
                "# effective setup: DEMO MODE. No Loonflow is configured (no upstream.base_url, LOONFLOW_BASE_URL or "
                    + "--fixtures), so serve talks to the simulated demo Loonflow from \(model); demo tokens are in its "
                    + "tokens.json")
        }
        return 0
    }

    static func makeLogger(_ config: GatewayConfig) -> Logger {
        Logger(
            level: LogLevel(name: config.logging.level.rawValue) ?? .info,
            format: config.logging.format == .json ? .json : .text)
    }

    /// `stdio` when `--stdio` or `LOONFLOW_MCP_TRANSPORT=stdio`; nil for an unknown value.
    static func useStdio(_ options: ServeOptions, environment: [String: String]) -> Bool? {
        if options.stdio { return true }
        let value = (environment["LOONFLOW_MCP_TRANSPORT"] ?? "").trimmingWhitespace().lowercased()
        switch value {
        // `sse` (Loonflow's own server's setting) is a drop-in: /sse and /messages/ are always
        // served beside the Streamable HTTP endpoint.
        case "", "streamable-http", "streamable_http", "http", "sse": return false
        case "stdio": return true
        default: return nil
        }
    }

    private static func serve(_ options: ServeOptions, environment: [String: String], recordTo output: String?) async -> Int32 {
        guard let stdio = useStdio(options, environment: environment) else {
            printError("loonflow-mcp-gateway: LOONFLOW_MCP_TRANSPORT must be stdio, streamable-http or sse")
            return 2
        }
        guard let (config, source) = loadConfig(options.overrides, environment: environment) else { return 2 }
        let logger = makeLogger(config)
        let runtime: GatewayRuntime
        do {
            runtime = try GatewayRuntime(config: config, environment: environment, logger: logger, recordTo: output)
        } catch {
            printError("loonflow-mcp-gateway: \(error.description)")
            return 1
        }
        defer { runtime.shutdown() }
        logger.info("config", ["source": .string(source ?? "built-in defaults"), "version": .string(gatewayVersion)])
        runtime.logStartupWarnings()
        logDemoTokens(runtime, stdio: stdio)
        if stdio {
            logger.info("stdio.ready", ["message": "speaking JSON-RPC on stdin/stdout"])
            await StdioTransport(server: runtime.server, defaultToken: runtime.defaultAccessToken, logger: logger, maxJSONDepth: config.limits.maxJSONDepth).run()
            return 0
        }
        return await serveHTTP(runtime)
    }

    /// In demo mode, says where the demo tokens are. The tokens themselves are not logged: the
    /// rule that no token reaches a log has no exceptions, even for sample ones.
    private static func logDemoTokens(_ runtime: GatewayRuntime, stdio: Bool) {
        guard runtime.upstream.isDemo, let simulator = runtime.upstream.simulator else { return }
        let callers = simulator.tokens.entries.filter { $0.demoToken != nil }.map { "\($0.user) (\($0.role))" }
        guard !callers.isEmpty else { return }
        // stdio has no HTTP headers: the token comes from the environment or the tool argument.
        let how =
            stdio
            ? "set LOONFLOW_MCP_ACCESS_TOKEN or the access_token argument to a demo_token"
            : "send a demo_token as 'Authorization: Bearer <token>'"
        runtime.logger.info(
            "upstream.demo_tokens",
            [
                "message": .string("demo callers: \(callers.joined(separator: ", ")); \(how)"),
                "tokens": .string("\(simulator.directory)/\(FixtureTokens.fileName)"),
            ])
    }

    private static func serveHTTP(_ runtime: GatewayRuntime) async -> Int32 {
        let config = runtime.config
        let logger = runtime.logger
        let server: HTTPServer
        var metricsServer: HTTPServer?
        do {
            server = try HTTPServer(
                options: serverOptions(config, host: config.server.host, port: config.server.port), handler: runtime.router,
                servingLoop: runtime.upstream.executor)
            try server.start()
            if let port = config.server.metrics.port {
                let listener = try HTTPServer(
                    options: serverOptions(config, host: config.server.metrics.host ?? config.server.host, port: port),
                    handler: MetricsOnlyRouter(metrics: runtime.metrics))
                try listener.start()
                metricsServer = listener
                logger.info("metrics.listening", ["url": .string("http://\(displayHost(config.server.metrics.host ?? config.server.host)):\(listener.boundPort ?? 0)/metrics")])
            }
        } catch {
            printError("loonflow-mcp-gateway: \(error.description)")
            return 1
        }
        logger.info("listening", ["url": .string("http://\(displayHost(config.server.host)):\(server.boundPort ?? 0)\(config.server.path)")])
        let signal = await SignalWaiter.next()
        logger.info("stopping", ["signal": .string(signal == SIGINT ? "SIGINT" : "SIGTERM"), "grace_ms": .number(config.limits.shutdownGraceMs)])
        await metricsServer?.stop(gracePeriod: .zero)
        await server.stop(gracePeriod: .milliseconds(config.limits.shutdownGraceMs))
        logger.info("stopped")
        return 0
    }

    static func serverOptions(_ config: GatewayConfig, host: String, port: Int) -> HTTPServerOptions {
        var options = HTTPServerOptions()
        options.host = numericHost(host)
        options.port = UInt16(port)
        options.maxBodyBytes = config.limits.maxBodyBytes
        options.maxConnections = config.limits.maxConnections
        options.connectionTimeoutSeconds = config.limits.connectionTimeoutSeconds
        options.headerTimeoutSeconds = config.limits.headerTimeoutSeconds
        return options
    }

    /// libmicrohttpd binds numeric addresses; `localhost` means the IPv4 loopback.
    static func numericHost(_ host: String) -> String { host == "localhost" ? "127.0.0.1" : host }

    static func displayHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    private static func serveFixtures(directory: String, host: String, port: Int, environment: [String: String]) async -> Int32 {
        let set: FixtureSet
        do {
            set = try FixtureSet.load(directory: directory)
        } catch {
            printError("loonflow-mcp-gateway: fixture set \(directory): \(error.description)")
            return 1
        }
        return await serveREST(FixtureServer(set: set), host: host, port: port) { url in
            Logger().info(
                "serve_fixtures.listening",
                ["url": .string(url), "fixtures": .string(directory), "exchanges": .number(set.exchangeCount)])
        }
    }

    /// `serve-fixtures --simulate`: the simulated Loonflow as a REST API.
    private static func serveSimulator(directory: String?, host: String, port: Int) async -> Int32 {
        guard let directory = directory ?? UpstreamFactory.demoDirectory() else {
            printError("loonflow-mcp-gateway: the bundled demo model (Fixtures/simulator) was not found; pass its DIR")
            return 1
        }
        let simulator: LoonflowSimulator
        do {
            simulator = try LoonflowSimulator(directory: directory)
        } catch {
            printError("loonflow-mcp-gateway: simulated Loonflow \(directory): \(error.description)")
            return 1
        }
        return await serveREST(simulator, host: host, port: port) { url in
            Logger().info(
                "serve_simulator.listening",
                [
                    "url": .string(url), "model": .string(directory), "users": .number(simulator.userCount),
                    "tickets": .number(simulator.ticketCount),
                    "message": "simulated Loonflow: state lives in memory and resets on restart",
                    "tokens": .string("\(directory)/\(FixtureTokens.fileName)"),
                ])
        }
    }

    private static func serveREST(
        _ handler: any HTTPHandler, host: String, port: Int, announce: (String) -> Void
    ) async -> Int32 {
        var options = HTTPServerOptions()
        options.host = numericHost(host)
        options.port = UInt16(port)
        let server: HTTPServer
        do {
            server = try HTTPServer(options: options, handler: handler)
            try server.start()
        } catch {
            printError("loonflow-mcp-gateway: \(error.description)")
            return 1
        }
        announce("http://\(displayHost(host)):\(server.boundPort ?? 0)/api/v1.0")
        _ = await SignalWaiter.next()
        await server.stop(gracePeriod: .seconds(2))
        return 0
    }
}

/// Writes to standard error without buffering.
enum FileHandleStandardError {
    static func write(_ text: String) {
        FileDescriptorOutput.write(Array(text.utf8), to: 2)
    }
}
