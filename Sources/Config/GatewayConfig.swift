/// Every setting of the gateway, with the built-in defaults as initial values.
///
/// Values come from `gateway.yaml` (snake_case keys), then the environment, then flags;
/// see `GatewayConfig.resolve(arguments:environment:currentDirectory:)`.
package struct GatewayConfig: Sendable, Equatable {
    package var server = ServerConfig()
    package var auth = AuthConfig()
    package var upstream = UpstreamConfig()
    package var tools = ToolsConfig()
    package var limits = LimitsConfig()
    package var logging = LoggingConfig()

    /// The built-in defaults.
    package init() {}
}

extension GatewayConfig {
    /// The MCP listener (`server:`).
    package struct ServerConfig: Sendable, Equatable {
        /// Address to bind.
        package var host = "127.0.0.1"
        /// Port to bind; 0 lets the OS choose.
        package var port = 8002
        /// The MCP endpoint's path.
        package var path = "/mcp"
        /// Exact `Origin` values accepted besides the loopback defaults, e.g. `https://app.example.com`.
        package var allowedOrigins: [String] = []
        /// Exact `Host` values accepted besides the loopback defaults.
        package var allowedHosts: [String] = []
        package var sessions = SessionsConfig()
        package var metrics = MetricsConfig()

        package init() {}
    }

    /// Legacy stateful sessions (`server.sessions:`).
    package struct SessionsConfig: Sendable, Equatable {
        /// The secret that signs session identifiers; setting it turns sessions on. At least 32 characters.
        package var key: String?
        /// How long an idle session lives.
        package var ttlSeconds = 86_400

        package init() {}

        /// Whether the legacy sessions mode is on.
        package var isEnabled: Bool { key != nil }
    }

    /// An optional separate listener for `/metrics` (`server.metrics:`).
    package struct MetricsConfig: Sendable, Equatable {
        /// Address to bind; the server's host when nil.
        package var host: String?
        /// Port to bind; no metrics listener when nil.
        package var port: Int?

        package init() {}

        /// Whether a metrics listener should run.
        package var isEnabled: Bool { port != nil }
    }

    /// Client authentication (`auth:`).
    package struct AuthConfig: Sendable, Equatable {
        /// Whether discovery (`initialize`, `server/discover`, `tools/list`, `ping`,
        /// notifications) is answered without a token, as Loonflow's own server does; tool calls
        /// always need one (from a header, the `access_token` argument or the server default).
        package var anonymousDiscovery = true
        /// The key Loonflow signs its JWTs with, to check them locally; not checked when nil.
        /// Read from `jwtHS256KeyFile` when that is set.
        package var jwtHS256Key: String?
        /// A file holding the key (surrounding whitespace ignored), instead of `jwtHS256Key`.
        package var jwtHS256KeyFile: String?
        /// Swaps personal access tokens for short-lived JWTs minted with the key.
        package var patExchange = false
        /// How long a verified PAT is used without asking Loonflow again.
        package var patExchangeTTLSeconds = 60
        /// Most PATs whose minted JWT is held at once.
        package var patExchangeMaxEntries = 10_000

        package init() {}
    }

    /// The Loonflow service called on the client's behalf (`upstream:`).
    package struct UpstreamConfig: Sendable, Equatable {
        /// As written: `http(s)://host[:port][/prefix]` (without `/api/v1.0`) or `fixtures:DIR`.
        package var baseURL: String?
        /// `baseURL` resolved: a normalized URL, or the fixtures folder as an absolute path.
        package var target: UpstreamTarget?
        /// Values accepted for the `app_name` Loonflow expects.
        package var allowedAppNames = ["loonflow"]
        package var connectTimeoutMs = 5_000
        /// Limit for one whole upstream request.
        package var timeoutMs = 30_000
        /// PEM bundle of CAs to trust instead of the system's.
        package var caFile: String?
        /// Skips TLS certificate checks; for test setups only.
        package var insecure = false
        package var maxResponseBytes = 16_777_216
        /// Upstream requests in flight for one token.
        package var maxConcurrentPerToken = 256
        /// How long a request may wait for a slot before being refused; 0 refuses at once.
        package var concurrencyWaitMs = 10_000
        /// Requests per second for one token; 0 means no limit.
        package var rateLimitPerToken = 0
        /// A remote Loonflow MCP server (the SaaS, or a self-hosted one) to forward tool calls
        /// to instead of calling REST; exclusive with `baseURL`.
        package var mcpURL: String?

        package init() {}
    }

    /// Where upstream requests go.
    package enum UpstreamTarget: Sendable, Equatable {
        /// A live Loonflow: scheme, authority and optional prefix, no trailing slash.
        case http(baseURL: String)
        /// Recorded answers replayed from a folder (an absolute path).
        case fixtures(directory: String)
    }

    /// Which MCP tools are offered (`tools:`).
    package struct ToolsConfig: Sendable, Equatable {
        /// Every tool the gateway knows, in the order `tools/list` shows them.
        package static let knownNames = [
            "ticket_list", "user_list", "ticket_detail", "ticket_prepare_handle", "ticket_handle",
            "workflow_list", "ticket_prepare_create", "ticket_create", "ticket_history",
        ]
        /// Tools that change Loonflow's state, dropped in read-only mode.
        package static let writingNames: Set<String> = ["ticket_handle", "ticket_create"]
        /// Named groups of tools, usable in `enabled` and in a client's `X-MCP-Tools` header.
        package static let toolsets: [String: [String]] = [
            "read": ["ticket_list", "ticket_detail"],
            "handle": ["ticket_prepare_handle", "ticket_handle"],
            "create": ["workflow_list", "ticket_prepare_create", "ticket_create"],
            "history": ["ticket_history"],
            "users": ["user_list"],
        ]

        /// Tool and toolset names.
        package var enabled = ToolsConfig.knownNames
        /// Offers only tools that do not change anything.
        package var readOnly = false
        /// Most rows `ticket_list` reads to filter by `act_state` locally (and `user_list` to filter full rows by id).
        package var actStateScanLimit = 2_000
        /// With an MCP upstream: tools it offers beyond the gateway's own, offered by name only.
        package var upstreamExtra: [String] = []

        package init() {}

        /// The tools to register: `enabled` with toolsets expanded, in catalogue order, less the
        /// writing ones in read-only mode.
        package var effectiveNames: [String] {
            let wanted = Set(enabled.flatMap { Self.toolsets[$0] ?? [$0] })
            return Self.knownNames.filter { wanted.contains($0) && !(readOnly && Self.writingNames.contains($0)) }
        }
    }

    /// Resource limits (`limits:`).
    package struct LimitsConfig: Sendable, Equatable {
        package var maxBodyBytes = 4_194_304
        package var maxConnections = 1_024
        /// Idle time after which a client connection is closed.
        package var connectionTimeoutSeconds = 30
        /// Time a client may take to send a whole request head, however slowly it trickles.
        package var headerTimeoutSeconds = 10
        /// Limit for one whole tool call.
        package var callTimeoutMs = 60_000
        /// Deepest nesting accepted in a JSON request body.
        package var maxJSONDepth = 64
        /// How long shutdown waits for calls in flight; 0 stops at once.
        package var shutdownGraceMs = 10_000

        package init() {}
    }

    /// Log output (`logging:`).
    package struct LoggingConfig: Sendable, Equatable {
        package var level = LogLevel.info
        package var format = LogFormat.text

        package init() {}
    }

    /// The least severe log entries written.
    package enum LogLevel: String, Sendable, Equatable, CaseIterable {
        case debug, info, warn, error
    }

    /// How log entries are written.
    package enum LogFormat: String, Sendable, Equatable, CaseIterable {
        case text, json
    }
}
