import Config
import Testing

@Suite struct GatewayConfigLayeringTests {
    @Test func nothingGivenMeansDefaults() throws {
        let folder = TemporaryDirectory()
        let (config, source) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(), environment: [:], currentDirectory: folder.path)
        #expect(config == GatewayConfig())
        #expect(source == nil)
    }

    @Test func findsGatewayYAMLInTheWorkingDirectory() throws {
        let folder = TemporaryDirectory()
        let file = folder.write("gateway.yaml", "server:\n  port: 9001\n")
        let (config, source) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(), environment: [:], currentDirectory: folder.path)
        #expect(config.server.port == 9001)
        #expect(source == file)
    }

    @Test func environmentFileBeatsWorkingDirectoryFile() throws {
        let folder = TemporaryDirectory()
        folder.write("gateway.yaml", "server:\n  port: 9001\n")
        let other = folder.write("other.yaml", "server:\n  port: 9002\n")
        let (config, source) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(), environment: ["LOONFLOW_MCP_CONFIG": other], currentDirectory: folder.path)
        #expect(config.server.port == 9002)
        #expect(source == other)
    }

    @Test func configFlagBeatsEnvironmentFile() throws {
        let folder = TemporaryDirectory()
        folder.write("gateway.yaml", "server:\n  port: 9001\n")
        let other = folder.write("other.yaml", "server:\n  port: 9002\n")
        folder.write("flag.yaml", "server:\n  port: 9003\n")
        let (config, source) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(configFile: "flag.yaml"), environment: ["LOONFLOW_MCP_CONFIG": other],
            currentDirectory: folder.path)
        #expect(config.server.port == 9003)
        #expect(source == "flag.yaml")
    }

    @Test func namedFileMustExist() throws {
        let folder = TemporaryDirectory()
        let error = try #require(throws: ConfigError.self) {
            try GatewayConfig.resolve(
                arguments: ConfigOverrides(configFile: "missing.yaml"), environment: [:], currentDirectory: folder.path)
        }
        #expect(error.description == "missing.yaml: cannot open: No such file or directory")
    }

    @Test func environmentBeatsFileAndFlagsBeatEnvironment() throws {
        let folder = TemporaryDirectory()
        folder.write(
            "gateway.yaml",
            """
            server: {host: 10.0.0.1, port: 9001}
            upstream: {base_url: "http://file.example"}
            logging: {level: warn, format: text}

            """)
        let environment = [
            "LOONFLOW_MCP_HOST": "10.0.0.2", "LOONFLOW_MCP_PORT": "9002", "LOONFLOW_BASE_URL": "http://env.example/",
            "LOONFLOW_MCP_LOG_LEVEL": "error", "LOONFLOW_MCP_LOG_FORMAT": "json",
        ]
        let (fromEnvironment, _) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(), environment: environment, currentDirectory: folder.path)
        #expect(fromEnvironment.server.host == "10.0.0.2" && fromEnvironment.server.port == 9002)
        #expect(fromEnvironment.upstream.target == .http(baseURL: "http://env.example"))
        #expect(fromEnvironment.logging.level == .error && fromEnvironment.logging.format == .json)

        let flags = ConfigOverrides(
            host: "10.0.0.3", port: "0", baseURL: "https://flag.example/base", logLevel: "debug", logFormat: "text")
        let (fromFlags, _) = try GatewayConfig.resolve(
            arguments: flags, environment: environment, currentDirectory: folder.path)
        #expect(fromFlags.server.host == "10.0.0.3" && fromFlags.server.port == 0)
        #expect(fromFlags.upstream.baseURL == "https://flag.example/base")
        #expect(fromFlags.upstream.target == .http(baseURL: "https://flag.example/base"))
        #expect(fromFlags.logging.level == .debug && fromFlags.logging.format == .text)
    }

    @Test func sessionKeyComesFromTheEnvironment() throws {
        let key = String(repeating: "s", count: 32)
        let (config, _) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(), environment: ["LOONFLOW_MCP_SESSION_KEY": key],
            currentDirectory: TemporaryDirectory().path)
        #expect(config.server.sessions.key == key)
    }

    @Test func blankEnvironmentValuesAreUnset() throws {
        let folder = TemporaryDirectory()
        let environment = [
            "LOONFLOW_MCP_HOST": "", "LOONFLOW_MCP_PORT": "", "LOONFLOW_BASE_URL": "", "LOONFLOW_MCP_CONFIG": "",
            "LOONFLOW_MCP_SESSION_KEY": "", "LOONFLOW_MCP_LOG_LEVEL": "", "LOONFLOW_MCP_LOG_FORMAT": "",
        ]
        let (config, source) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(), environment: environment, currentDirectory: folder.path)
        #expect(config == GatewayConfig() && source == nil)
    }

    @Test(arguments: [
        (
            "LOONFLOW_MCP_PORT", "abc",
            "LOONFLOW_MCP_PORT: server.port: expected a port number from 0 to 65535, got \"abc\""
        ),
        ("LOONFLOW_MCP_HOST", "a b", "LOONFLOW_MCP_HOST: server.host: expected a host name or address, got \"a b\""),
        (
            "LOONFLOW_BASE_URL", "loonflow:8000",
            "LOONFLOW_BASE_URL: upstream.base_url: expected http(s)://host[:port][/prefix] (without /api/v1.0) or fixtures:DIR, got \"loonflow:8000\""
        ),
        (
            "LOONFLOW_MCP_SESSION_KEY", "too-short",
            "LOONFLOW_MCP_SESSION_KEY: server.sessions.key: expected a secret of at least 32 characters, got 9 characters"
        ),
        (
            "LOONFLOW_MCP_LOG_LEVEL", "INFO",
            "LOONFLOW_MCP_LOG_LEVEL: logging.level: expected one of debug, info, warn, error, got \"INFO\""
        ),
        (
            "LOONFLOW_MCP_LOG_FORMAT", "yaml",
            "LOONFLOW_MCP_LOG_FORMAT: logging.format: expected one of text, json, got \"yaml\""
        ),
    ])
    func badEnvironmentValuesNameTheVariable(_ name: String, _ value: String, _ message: String) throws {
        let error = try #require(throws: ConfigError.self) {
            try GatewayConfig.resolve(
                arguments: ConfigOverrides(), environment: [name: value], currentDirectory: TemporaryDirectory().path)
        }
        #expect(error.description == message)
    }

    @Test func badFlagsNameTheFlag() throws {
        let folder = TemporaryDirectory()
        let cases: [(ConfigOverrides, String)] = [
            (
                ConfigOverrides(port: "http"),
                "--port: server.port: expected a port number from 0 to 65535, got \"http\""
            ),
            (ConfigOverrides(host: ""), "--host: server.host: expected a host name or address, got \"\""),
            (
                ConfigOverrides(logLevel: "trace"),
                "--log-level: logging.level: expected one of debug, info, warn, error, got \"trace\""
            ),
            (
                ConfigOverrides(logFormat: "xml"),
                "--log-format: logging.format: expected one of text, json, got \"xml\""
            ),
            (
                ConfigOverrides(fixturesDir: ""),
                "--fixtures: upstream.base_url: expected http(s)://host[:port][/prefix] (without /api/v1.0) or fixtures:DIR, got \"fixtures:\""
            ),
            (
                ConfigOverrides(baseURL: "http://a", fixturesDir: "dir"),
                "--fixtures: cannot be combined with --upstream"
            ),
        ]
        for (flags, message) in cases {
            let error = try #require(throws: ConfigError.self) {
                try GatewayConfig.resolve(arguments: flags, environment: [:], currentDirectory: folder.path)
            }
            #expect(error.description == message)
        }
    }

    @Test func fixturesFromFlagsAndEnvironmentAreRelativeToTheWorkingDirectory() throws {
        let folder = TemporaryDirectory()
        let (fromFlag, _) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(fixturesDir: "recordings/rest"), environment: [:], currentDirectory: folder.path)
        #expect(fromFlag.upstream.baseURL == "fixtures:recordings/rest")
        #expect(fromFlag.upstream.target == .fixtures(directory: "\(folder.path)/recordings/rest"))

        let (fromEnvironment, _) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(), environment: ["LOONFLOW_BASE_URL": "fixtures:./rec/../rest"],
            currentDirectory: folder.path)
        #expect(fromEnvironment.upstream.target == .fixtures(directory: "\(folder.path)/rest"))
    }

    @Test func fixturesInANamedFileAreRelativeToThatFile() throws {
        let folder = TemporaryDirectory()
        _ = folder.makeFolder("etc")
        folder.write("etc/gateway.yaml", "upstream:\n  base_url: fixtures:fixtures\n")
        let (config, source) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(configFile: "etc/gateway.yaml"), environment: [:], currentDirectory: folder.path)
        #expect(source == "etc/gateway.yaml")
        #expect(config.upstream.target == .fixtures(directory: "\(folder.path)/etc/fixtures"))
    }

    @Test func environmentBaseURLReplacesTheFilesFixtures() throws {
        let folder = TemporaryDirectory()
        folder.write("gateway.yaml", "upstream:\n  base_url: fixtures:fx\n")
        let (config, _) = try GatewayConfig.resolve(
            arguments: ConfigOverrides(), environment: ["LOONFLOW_BASE_URL": "http://loonflow:8000"],
            currentDirectory: folder.path)
        #expect(config.upstream.baseURL == "http://loonflow:8000")
        #expect(config.upstream.target == .http(baseURL: "http://loonflow:8000"))
    }
}

@Suite struct CommittedConfigFileTests {
    /// The repository's gateway.yaml documents every key with its default, so it must load to
    /// exactly the built-in defaults.
    @Test func committedGatewayYAMLHoldsTheDefaults() throws {
        let file = Self.repositoryRoot() + "/gateway.yaml"
        #expect(try GatewayConfig.load(file: file) == GatewayConfig())
    }

    /// `Tests/ConfigTests/<this file>` → the package root.
    static func repositoryRoot(filePath: String = #filePath) -> String {
        var parts = filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }
}
