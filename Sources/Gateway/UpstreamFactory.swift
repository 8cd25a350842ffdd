package import Config
import Curl
package import FixtureReplay
import FoundationEssentials
package import HTTPMessage
import JSON
package import Logging
package import LoonflowClient
package import LoonflowSimulator

/// The upstream the gateway talks to, and what is known about it.
package struct UpstreamSetup: Sendable {
    package var client: any HTTPClient
    /// For `LoonflowClient`: the Loonflow origin, or a placeholder for fixtures.
    package var baseURL: String
    /// Set when the upstream is a fixture set.
    package var fixtures: FixtureSet?
    /// Set in demo mode: the simulated Loonflow the gateway talks to.
    package var simulator: LoonflowSimulator?
    /// True when serving the bundled demo (the simulator) because nothing was configured.
    package var isDemo: Bool
    /// Set when tool calls go to a remote Loonflow MCP server (`upstream.mcp_url`).
    package var mcpURL: String? = nil
    package var shutdown: @Sendable () -> Void
    /// libcurl's transfer thread, where request handlers run so that a call and its upstream
    /// transfers share one thread; nil for in-process upstreams (fixtures, the simulator).
    package var executor: (any ServingLoop)? = nil
}

package enum UpstreamFactory {
    /// The base URL replay requests carry; never dialled.
    static let fixtureBaseURL = "http://fixtures.invalid"

    package static func make(
        config: GatewayConfig, logger: Logger, recordTo output: String? = nil, exchangeObserver: (any PATExchangeObserver)? = nil
    ) throws(StartupError) -> UpstreamSetup {
        if let mcpURL = config.upstream.mcpURL {
            guard config.upstream.target == nil else {
                throw StartupError(
                    "set either upstream.base_url (Loonflow's REST API) or upstream.mcp_url (a Loonflow MCP server), not both")
            }
            guard output == nil else { throw StartupError("record works against Loonflow's REST API (--upstream URL), not upstream.mcp_url") }
            var setup = try live(baseURL: mcpURL, config: config, logger: logger)
            setup.mcpURL = mcpURL
            return setup
        }
        switch config.upstream.target {
        case .http(let baseURL)?:
            var setup = try live(baseURL: baseURL, config: config, logger: logger)
            setup.client = patExchange(setup.client, baseURL: baseURL, config: config, logger: logger, observer: exchangeObserver)
            guard let output else { return setup }
            return try recording(setup, into: output, logger: logger)
        case .fixtures(let directory)?:
            return try replay(directory: directory, isDemo: false)
        case nil:
            if output != nil { throw StartupError("record needs --upstream URL: the Loonflow to record from") }
            guard let demo = demoDirectory() else {
                throw StartupError(
                    "no Loonflow configured and the bundled demo (Fixtures/simulator) was not found: set "
                        + "upstream.base_url in gateway.yaml, LOONFLOW_BASE_URL, or --fixtures DIR")
            }
            return try simulated(directory: demo)
        }
    }

    private static func live(baseURL: String, config: GatewayConfig, logger: Logger) throws(StartupError) -> UpstreamSetup {
        if config.upstream.insecure {
            logger.warn(
                "tls.insecure",
                ["message": "upstream.insecure is true: TLS certificates of Loonflow are NOT verified; never use this in production"])
        }
        let options = CurlClientOptions(
            connectTimeoutMs: config.upstream.connectTimeoutMs, totalTimeoutMs: config.upstream.timeoutMs,
            maxResponseBytes: config.upstream.maxResponseBytes, caFile: config.upstream.caFile,
            insecure: config.upstream.insecure, userAgent: "loonflow-mcp-gateway")
        let curl: CurlHTTPClient
        do {
            curl = try CurlHTTPClient(options: options)
        } catch {
            throw StartupError("could not set up libcurl: \(error)")
        }
        return UpstreamSetup(
            client: curl, baseURL: baseURL, fixtures: nil, simulator: nil, isDemo: false, shutdown: { curl.shutdown() },
            executor: curl.executor)
    }

    /// With `auth.pat_exchange`, PATs are swapped for minted JWTs right above libcurl, so a
    /// recorder above it still sees (and scrubs) the caller's own token.
    private static func patExchange(
        _ client: any HTTPClient, baseURL: String, config: GatewayConfig, logger: Logger, observer: (any PATExchangeObserver)?
    ) -> any HTTPClient {
        guard config.auth.patExchange, let key = config.auth.jwtHS256Key else { return client }
        logger.info(
            "auth.pat_exchange",
            ["message": .string("personal access tokens are verified with Loonflow once per \(config.auth.patExchangeTTLSeconds) s and swapped for JWTs minted with the deployment's key; a revoked token keeps working through the gateway for at most that long")])
        return PATExchange(
            base: client, baseURL: baseURL, key: Array(key.utf8), lifetimeSeconds: config.auth.patExchangeTTLSeconds,
            maxEntries: config.auth.patExchangeMaxEntries, observer: observer)
    }

    private static func recording(_ setup: UpstreamSetup, into output: String, logger: Logger) throws(StartupError) -> UpstreamSetup {
        do {
            var recorded = setup
            let names = try FixtureRecorder.names(fromJSON: ProcessInfo.processInfo.environment[FixtureRecorder.namesVariable])
            recorded.client = try FixtureRecorder(
                upstream: setup.client, directory: output, names: names,
                reportFailure: { error in logger.error("record.write_failed", ["message": .string(error.description)]) })
            logger.info("record", ["message": .string("recording every Loonflow exchange into \(output) (tokens replaced by placeholders)")])
            return recorded
        } catch {
            throw StartupError("cannot record into \(output): \(error.description)")
        }
    }

    private static func replay(directory: String, isDemo: Bool) throws(StartupError) -> UpstreamSetup {
        let set: FixtureSet
        do {
            set = try FixtureSet.load(directory: directory)
        } catch {
            throw StartupError("fixture set \(directory): \(error.description)")
        }
        // Unmatched requests reach the model as Loonflow's error message naming the closest
        // recordings, rather than as a bare HTTP 404.
        let client = FixtureDiagnosticClient(replay: FixtureReplayClient(set: set))
        return UpstreamSetup(client: client, baseURL: fixtureBaseURL, fixtures: set, simulator: nil, isDemo: isDemo, shutdown: {})
    }

    /// Demo mode: the simulated Loonflow, in process.
    static func simulated(directory: String) throws(StartupError) -> UpstreamSetup {
        let simulator: LoonflowSimulator
        do {
            simulator = try LoonflowSimulator(directory: directory)
        } catch {
            throw StartupError("simulated Loonflow \(directory): \(error.description)")
        }
        return UpstreamSetup(
            client: simulator, baseURL: fixtureBaseURL, fixtures: nil, simulator: simulator, isDemo: true, shutdown: {})
    }

    /// `Fixtures/simulator` (the demo's model) next to the working directory or above the executable.
    package static func demoDirectory() -> String? {
        let folder = "/Fixtures/simulator"
        var candidates = [FileManager.default.currentDirectoryPath + folder]
        var directory = CommandLine.arguments.first.map { executablePath($0) } ?? ""
        for _ in 0..<6 {
            directory = parent(directory)
            candidates.append(directory + folder)
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/deployment.json") }
    }

    private static func executablePath(_ argument0: String) -> String {
        if argument0.hasPrefix("/") { return argument0 }
        return FileManager.default.currentDirectoryPath + "/" + argument0
    }

    private static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
