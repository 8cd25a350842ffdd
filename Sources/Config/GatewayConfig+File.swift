import YAML

extension GatewayConfig {
    /// Reads a configuration file over the built-in defaults.
    ///
    /// An absent key or a `null` value keeps the default. A relative `fixtures:DIR` is resolved
    /// against the file's folder.
    /// - Parameter file: the path to read; nil gives the built-in defaults.
    /// - Throws: `ConfigError` naming the file, line and dotted key of the first unknown key,
    ///   wrong type or impossible value, or why the file could not be read or parsed.
    package static func load(file: String?) throws(ConfigError) -> GatewayConfig {
        guard let file else { return GatewayConfig() }
        return try load(file: file, currentDirectory: ConfigPath.currentDirectory())
    }

    /// Reads `file`, taking a relative path as relative to `currentDirectory`.
    static func load(file: String, currentDirectory: String) throws(ConfigError) -> GatewayConfig {
        let path = ConfigPath.absolute(file, relativeTo: currentDirectory)
        let root = try parseDocument(ConfigFile.read(path, shownAs: file), file: file)
        var config = GatewayConfig()
        var top = try ConfigSection(root, path: "", file: file)
        var server = try top.section("server")
        try config.server.read(from: &server)
        var auth = try top.section("auth")
        try config.auth.read(from: &auth, folder: ConfigPath.directory(of: path))
        var upstream = try top.section("upstream")
        try config.upstream.read(from: &upstream, folder: ConfigPath.directory(of: path))
        var tools = try top.section("tools")
        try config.tools.read(from: &tools)
        var limits = try top.section("limits")
        try config.limits.read(from: &limits)
        var logging = try top.section("logging")
        try config.logging.read(from: &logging)
        try top.finish()
        return config
    }

    private static func parseDocument(_ bytes: [UInt8], file: String) throws(ConfigError) -> YAMLNode {
        do {
            return try YAMLNode.parse(bytes)
        } catch {
            throw ConfigError(origin: file, line: error.line, problem: "column \(error.column): \(error.problem)")
        }
    }
}

extension GatewayConfig.ServerConfig {
    fileprivate mutating func read(from section: inout ConfigSection) throws(ConfigError) {
        try section.assign(&host, "host", .host)
        try section.assign(&port, "port", .port)
        try section.assign(&path, "path", .httpPath)
        try section.assign(&allowedOrigins, "allowed_origins", eachItem: .origin)
        try section.assign(&allowedHosts, "allowed_hosts", eachItem: .hostHeader)
        var sessionsSection = try section.section("sessions")
        try sessions.read(from: &sessionsSection)
        var metricsSection = try section.section("metrics")
        try metrics.read(from: &metricsSection)
        try section.finish()
    }
}

extension GatewayConfig.SessionsConfig {
    fileprivate mutating func read(from section: inout ConfigSection) throws(ConfigError) {
        try section.assign(&key, "key", .sessionKey)
        try section.assign(&ttlSeconds, "ttl_seconds", .positive)
        try section.finish()
    }
}

extension GatewayConfig.MetricsConfig {
    fileprivate mutating func read(from section: inout ConfigSection) throws(ConfigError) {
        try section.assign(&host, "host", .host)
        try section.assign(&port, "port", .port)
        try section.finish()
        if host != nil, port == nil {
            throw ConfigError(
                origin: section.file, line: section.line(of: "host"), key: section.dotted("port"),
                problem: "required when \(section.dotted("host")) is set")
        }
    }
}

extension GatewayConfig.AuthConfig {
    fileprivate mutating func read(from section: inout ConfigSection, folder: String) throws(ConfigError) {
        try section.assign(&anonymousDiscovery, "anonymous_discovery", .boolean)
        try section.assign(&jwtHS256Key, "jwt_hs256_key", .secret)
        try section.assign(&jwtHS256KeyFile, "jwt_hs256_key_file", .text)
        try section.assign(&patExchange, "pat_exchange", .boolean)
        try section.assign(&patExchangeTTLSeconds, "pat_exchange_ttl_seconds", .positive)
        try section.assign(&patExchangeMaxEntries, "pat_exchange_max_entries", .positive)
        try section.finish()
        if let file = jwtHS256KeyFile {
            guard jwtHS256Key == nil else {
                throw ConfigError(
                    origin: section.file, line: section.line(of: "jwt_hs256_key_file"), key: section.dotted("jwt_hs256_key_file"),
                    problem: "set either \(section.dotted("jwt_hs256_key")) or this, not both")
            }
            let path = ConfigPath.absolute(file, relativeTo: folder)
            jwtHS256KeyFile = path
            jwtHS256Key = try Self.readKey(path, shownAs: file)
        }
        if patExchange, jwtHS256Key == nil {
            throw ConfigError(
                origin: section.file, line: section.line(of: "pat_exchange"), key: section.dotted("pat_exchange"),
                problem: "needs the deployment's JWT key: set \(section.dotted("jwt_hs256_key")) or \(section.dotted("jwt_hs256_key_file"))")
        }
    }

    /// The key file's text without surrounding whitespace; never shown in an error.
    private static func readKey(_ path: String, shownAs file: String) throws(ConfigError) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = try ConfigFile.read(path, shownAs: file)
        let text = String(decoding: bytes.drop(while: isSpace).reversed().drop(while: isSpace).reversed(), as: UTF8.self)
        guard !text.isEmpty else { throw ConfigError(origin: file, problem: "the JWT key file is empty") }
        return text
    }
}

extension GatewayConfig.UpstreamConfig {
    fileprivate mutating func read(from section: inout ConfigSection, folder: String) throws(ConfigError) {
        try section.assign(&baseURL, "base_url", .baseURL)
        target = baseURL.map { GatewayConfig.UpstreamTarget(baseURL: $0, relativeTo: folder) }
        try section.assign(&allowedAppNames, "allowed_app_names", eachItem: .text)
        try section.assign(&connectTimeoutMs, "connect_timeout_ms", .positive)
        try section.assign(&timeoutMs, "timeout_ms", .positive)
        try section.assign(&caFile, "ca_file", .text)
        try section.assign(&insecure, "insecure", .boolean)
        try section.assign(&maxResponseBytes, "max_response_bytes", .positive)
        try section.assign(&maxConcurrentPerToken, "max_concurrent_per_token", .positive)
        try section.assign(&concurrencyWaitMs, "concurrency_wait_ms", .nonNegative)
        try section.assign(&rateLimitPerToken, "rate_limit_per_token", .nonNegative)
        try section.assign(&mcpURL, "mcp_url", .mcpURL)
        if mcpURL != nil, baseURL != nil, let line = section.line(of: "mcp_url") {
            throw ConfigError(
                origin: section.file, line: line, key: section.dotted("mcp_url"),
                problem: "set either upstream.base_url (Loonflow's REST API) or upstream.mcp_url (a Loonflow MCP server), not both")
        }
        try section.finish()
    }
}

extension GatewayConfig.ToolsConfig {
    fileprivate mutating func read(from section: inout ConfigSection) throws(ConfigError) {
        try section.assign(&enabled, "enabled", eachItem: .toolName)
        if let line = section.line(of: "enabled"), let repeated = firstRepeated(enabled) {
            throw ConfigError(
                origin: section.file, line: line, key: section.dotted("enabled"),
                problem: "\(repeated) is listed twice")
        }
        try section.assign(&readOnly, "read_only", .boolean)
        try section.assign(&actStateScanLimit, "act_state_scan_limit", .positive)
        try section.assign(&upstreamExtra, "upstream_extra", eachItem: .text)
        try section.finish()
    }

    private func firstRepeated(_ names: [String]) -> String? {
        var seen: Set<String> = []
        return names.first { !seen.insert($0).inserted }
    }
}

extension GatewayConfig.LimitsConfig {
    fileprivate mutating func read(from section: inout ConfigSection) throws(ConfigError) {
        try section.assign(&maxBodyBytes, "max_body_bytes", .positive)
        try section.assign(&maxConnections, "max_connections", .positive)
        try section.assign(&connectionTimeoutSeconds, "connection_timeout_seconds", .positive)
        try section.assign(&headerTimeoutSeconds, "header_timeout_seconds", .positive)
        try section.assign(&callTimeoutMs, "call_timeout_ms", .positive)
        try section.assign(&maxJSONDepth, "max_json_depth", .positive)
        try section.assign(&shutdownGraceMs, "shutdown_grace_ms", .nonNegative)
        try section.finish()
    }
}

extension GatewayConfig.LoggingConfig {
    fileprivate mutating func read(from section: inout ConfigSection) throws(ConfigError) {
        try section.assign(&level, "level", .choice)
        try section.assign(&format, "format", .choice)
        try section.finish()
    }
}
