/// Settings given as command-line flags, as raw text: they are checked here, by the same
/// rules as the file, so a bad flag reads like a bad file entry.
package struct ConfigOverrides: Sendable, Equatable {
    /// `--config FILE`: the configuration file to read.
    package var configFile: String?
    /// `--host`
    package var host: String?
    /// `--port`
    package var port: String?
    /// `--upstream`: `http(s)://…` or `fixtures:DIR`.
    package var baseURL: String?
    /// `--fixtures DIR`: shorthand for `--upstream fixtures:DIR`.
    package var fixturesDir: String?
    /// `--log-level`
    package var logLevel: String?
    /// `--log-format`
    package var logFormat: String?

    package init(
        configFile: String? = nil, host: String? = nil, port: String? = nil, baseURL: String? = nil,
        fixturesDir: String? = nil, logLevel: String? = nil, logFormat: String? = nil
    ) {
        self.configFile = configFile
        self.host = host
        self.port = port
        self.baseURL = baseURL
        self.fixturesDir = fixturesDir
        self.logLevel = logLevel
        self.logFormat = logFormat
    }
}

extension GatewayConfig {
    /// The environment variable naming the configuration file.
    package static let configFileVariable = "LOONFLOW_MCP_CONFIG"
    /// The file read from the working directory when no other is named.
    package static let defaultFileName = "gateway.yaml"

    /// The effective configuration: built-in defaults, then a file, then the environment, then flags.
    ///
    /// The file is `--config FILE`, else `$LOONFLOW_MCP_CONFIG`, else `./gateway.yaml` when it
    /// exists; with none of them only the defaults apply. Blank environment values count as unset.
    /// Relative paths from the environment and flags are taken against `currentDirectory`.
    /// - Parameters:
    ///   - arguments: the flags.
    ///   - environment: the process environment.
    ///   - currentDirectory: the working directory; the process's own when nil.
    /// - Returns: the configuration and the file it was read from (as named), nil for none.
    /// - Throws: `ConfigError` naming the file and line, the environment variable, or the flag at fault.
    package static func resolve(
        arguments: ConfigOverrides, environment: [String: String], currentDirectory: String? = nil
    ) throws(ConfigError) -> (GatewayConfig, source: String?) {
        let directory = currentDirectory ?? ConfigPath.currentDirectory()
        let source = chooseFile(arguments: arguments, environment: environment, currentDirectory: directory)
        var config = GatewayConfig()
        if let source {
            config = try load(file: source, currentDirectory: directory)
        }
        let layer = OverrideLayer(currentDirectory: directory)
        try layer.applyEnvironment(environment, to: &config)
        try layer.applyFlags(arguments, to: &config)
        return (config, source)
    }

    private static func chooseFile(
        arguments: ConfigOverrides, environment: [String: String], currentDirectory: String
    ) -> String? {
        if let file = arguments.configFile { return file }
        if let file = environment[configFileVariable], !file.isEmpty { return file }
        let local = ConfigPath.absolute(defaultFileName, relativeTo: currentDirectory)
        return ConfigFile.exists(local) ? local : nil
    }
}

/// Applies environment variables and flags over a configuration.
private struct OverrideLayer {
    let currentDirectory: String

    func applyEnvironment(_ environment: [String: String], to config: inout GatewayConfig) throws(ConfigError) {
        func value(_ name: String) -> (origin: String, text: String)? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return (name, text)
        }
        try set(&config.server.host, value("LOONFLOW_MCP_HOST"), "server.host", .host)
        try set(&config.server.port, value("LOONFLOW_MCP_PORT"), "server.port", .port)
        try setBaseURL(&config.upstream, value("LOONFLOW_BASE_URL"))
        try set(&config.upstream.mcpURL, value("LOONFLOW_MCP_UPSTREAM_URL"), "upstream.mcp_url", .mcpURL)
        try set(&config.server.sessions.key, value("LOONFLOW_MCP_SESSION_KEY"), "server.sessions.key", .sessionKey)
        try set(&config.logging.level, value("LOONFLOW_MCP_LOG_LEVEL"), "logging.level", .choice)
        try set(&config.logging.format, value("LOONFLOW_MCP_LOG_FORMAT"), "logging.format", .choice)
    }

    func applyFlags(_ flags: ConfigOverrides, to config: inout GatewayConfig) throws(ConfigError) {
        try set(&config.server.host, flags.host.map { ("--host", $0) }, "server.host", .host)
        try set(&config.server.port, flags.port.map { ("--port", $0) }, "server.port", .port)
        if let directory = flags.fixturesDir {
            guard flags.baseURL == nil else {
                throw ConfigError(origin: "--fixtures", problem: "cannot be combined with --upstream")
            }
            try setBaseURL(
                &config.upstream, ("--fixtures", GatewayConfig.UpstreamTarget.fixturesPrefix + directory))
        }
        try setBaseURL(&config.upstream, flags.baseURL.map { ("--upstream", $0) })
        try set(&config.logging.level, flags.logLevel.map { ("--log-level", $0) }, "logging.level", .choice)
        try set(&config.logging.format, flags.logFormat.map { ("--log-format", $0) }, "logging.format", .choice)
    }

    private func set<Value>(
        _ target: inout Value, _ given: (origin: String, text: String)?, _ key: String, _ rule: SettingRule<Value>
    ) throws(ConfigError) {
        if let given { target = try read(given, key, rule) }
    }

    private func set<Value>(
        _ target: inout Value?, _ given: (origin: String, text: String)?, _ key: String, _ rule: SettingRule<Value>
    ) throws(ConfigError) {
        if let given { target = try read(given, key, rule) }
    }

    private func read<Value>(
        _ given: (origin: String, text: String), _ key: String, _ rule: SettingRule<Value>
    ) throws(ConfigError) -> Value {
        switch rule.read(RawSetting(text: given.text)) {
        case .success(let value): return value
        case .failure(let problem): throw ConfigError(origin: given.origin, key: key, problem: problem.message)
        }
    }

    private func setBaseURL(
        _ upstream: inout GatewayConfig.UpstreamConfig, _ given: (origin: String, text: String)?
    ) throws(ConfigError) {
        guard let given else { return }
        let baseURL = try read(given, "upstream.base_url", .baseURL)
        upstream.baseURL = baseURL
        upstream.target = GatewayConfig.UpstreamTarget(baseURL: baseURL, relativeTo: currentDirectory)
    }
}
