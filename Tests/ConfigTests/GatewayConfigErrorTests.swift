import Config
import Testing

/// Each bad file must be reported as `FILE:LINE: KEY: PROBLEM`.
@Suite struct GatewayConfigErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let yaml: String
        let line: Int
        let key: String?
        let problem: String
        var testDescription: String { problem }
    }

    static let cases: [Case] = [
        Case(
            yaml: "server:\n  prot: 80\n", line: 2, key: "server.prot",
            problem:
                "unknown key; known keys here are host, port, path, allowed_origins, allowed_hosts, sessions, metrics"),
        Case(
            yaml: "# top\nsever:\n  port: 1\n", line: 2, key: "sever",
            problem: "unknown key; known keys here are server, auth, upstream, tools, limits, logging"),
        Case(
            yaml: "server:\n  sessions:\n    ttl: 5\n", line: 3, key: "server.sessions.ttl",
            problem: "unknown key; known keys here are key, ttl_seconds"),
        Case(
            yaml: "upstream:\n  timeout_ms: abc\n", line: 2, key: "upstream.timeout_ms",
            problem: "expected a positive integer, got \"abc\""),
        Case(
            yaml: "upstream:\n  timeout_ms: 0\n", line: 2, key: "upstream.timeout_ms",
            problem: "expected a positive integer, got \"0\""),
        Case(
            yaml: "upstream:\n\n  connect_timeout_ms: -5\n", line: 3, key: "upstream.connect_timeout_ms",
            problem: "expected a positive integer, got \"-5\""),
        Case(
            yaml: "limits:\n  call_timeout_ms: 1.5\n", line: 2, key: "limits.call_timeout_ms",
            problem: "expected a positive integer, got \"1.5\""),
        Case(
            yaml: "upstream:\n  rate_limit_per_token: -1\n", line: 2, key: "upstream.rate_limit_per_token",
            problem: "expected an integer of 0 or more, got \"-1\""),
        Case(
            yaml: "server:\n  port: 70000\n", line: 2, key: "server.port",
            problem: "expected a port number from 0 to 65535, got \"70000\""),
        Case(
            yaml: "server:\n  port: -1\n", line: 2, key: "server.port",
            problem: "expected a port number from 0 to 65535, got \"-1\""),
        Case(
            yaml: "server:\n  port: \"8002\"\n", line: 2, key: "server.port",
            problem: "expected a port number from 0 to 65535, got quoted text \"8002\""),
        Case(
            yaml: "server:\n  host: {a: 1}\n", line: 2, key: "server.host",
            problem: "expected a host name or address, got a mapping"),
        Case(
            yaml: "server:\n  path: mcp\n", line: 2, key: "server.path",
            problem: "expected a path starting with /, got \"mcp\""),
        Case(
            yaml: "server: 5\n", line: 1, key: "server", problem: "expected a mapping of settings, got a single value"),
        Case(
            yaml: "server:\n  allowed_origins: https://a.example\n", line: 2, key: "server.allowed_origins",
            problem: "expected a list of an origin like https://app.example.com, got a single value"),
        Case(
            yaml: "server:\n  allowed_origins:\n    - https://a.example\n    - https://b.example/path\n", line: 4,
            key: "server.allowed_origins",
            problem: "expected an origin like https://app.example.com, got \"https://b.example/path\""),
        Case(
            yaml: "server:\n  sessions:\n    key: short\n", line: 3, key: "server.sessions.key",
            problem: "expected a secret of at least 32 characters, got 5 characters"),
        Case(
            yaml: "server:\n  metrics:\n    host: 0.0.0.0\n", line: 3, key: "server.metrics.port",
            problem: "required when server.metrics.host is set"),
        Case(
            yaml: "auth:\n  anonymous_discovery: yes\n", line: 2, key: "auth.anonymous_discovery",
            problem: "expected true or false, got \"yes\""),
        Case(
            yaml: "auth:\n  jwt_hs256_key: ''\n", line: 2, key: "auth.jwt_hs256_key",
            problem: "expected a non-empty secret, got 0 characters"),
        Case(
            yaml: "upstream:\n  base_url: ftp://loonflow.example.com\n", line: 2, key: "upstream.base_url",
            problem:
                "expected http(s)://host[:port][/prefix] (without /api/v1.0) or fixtures:DIR, got \"ftp://loonflow.example.com\""
        ),
        Case(
            yaml: "upstream:\n  base_url: http://loonflow:8000/api/v1.0/\n", line: 2, key: "upstream.base_url",
            problem:
                "expected http(s)://host[:port][/prefix] (without /api/v1.0) or fixtures:DIR, got \"http://loonflow:8000/api/v1.0/\""
        ),
        Case(
            yaml: "upstream:\n  base_url: http://loonflow:http/\n", line: 2, key: "upstream.base_url",
            problem:
                "expected http(s)://host[:port][/prefix] (without /api/v1.0) or fixtures:DIR, got \"http://loonflow:http/\""
        ),
        Case(
            yaml: "tools:\n  enabled:\n    - ticket_list\n    - ticket_delete\n", line: 4, key: "tools.enabled",
            problem:
                "expected one of ticket_list, user_list, ticket_detail, ticket_prepare_handle, ticket_handle, "
                + "workflow_list, ticket_prepare_create, ticket_create, ticket_history, create, handle, history, read, "
                + "users, got \"ticket_delete\""
        ),
        Case(
            yaml: "tools:\n  enabled: [ticket_list, ticket_list]\n", line: 2, key: "tools.enabled",
            problem: "ticket_list is listed twice"),
        Case(
            yaml: "logging:\n  level: loud\n", line: 2, key: "logging.level",
            problem: "expected one of debug, info, warn, error, got \"loud\""),
        Case(
            yaml: "logging:\n  format: xml\n", line: 2, key: "logging.format",
            problem: "expected one of text, json, got \"xml\""),
        Case(
            yaml: "logging:\n  level: info\nlogging:\n", line: 3, key: nil,
            problem: "column 1: duplicate key \"logging\""),
        Case(yaml: "a: &anchor 1\n", line: 1, key: nil, problem: "column 4: anchors (&anchor) are not supported"),
    ]

    @Test(arguments: cases)
    func namesFileLineAndKey(_ testCase: Case) throws {
        let folder = TemporaryDirectory()
        let file = folder.write("gateway.yaml", testCase.yaml)
        let error = try #require(throws: ConfigError.self) { try GatewayConfig.load(file: file) }
        #expect(error.origin == file)
        #expect(error.line == testCase.line)
        #expect(error.key == testCase.key)
        #expect(error.problem == testCase.problem)
        let keyPart = testCase.key.map { "\($0): " } ?? ""
        #expect(error.description == "\(file):\(testCase.line): \(keyPart)\(testCase.problem)")
    }

    @Test func syntaxErrorsNameFileAndLine() throws {
        let folder = TemporaryDirectory()
        let file = folder.write("gateway.yaml", "server:\n  port: 1\n  host: [a\n")
        let error = try #require(throws: ConfigError.self) { try GatewayConfig.load(file: file) }
        #expect(error.description.hasPrefix("\(file):"))
        #expect((error.line ?? 0) >= 3)
        #expect(error.problem.contains("flow sequence"))
    }

    @Test func missingFileSaysWhy() throws {
        let folder = TemporaryDirectory()
        let file = "\(folder.path)/absent.yaml"
        let error = try #require(throws: ConfigError.self) { try GatewayConfig.load(file: file) }
        #expect(error.description == "\(file): cannot open: No such file or directory")
    }

    @Test func folderIsNotAFile() throws {
        let folder = TemporaryDirectory()
        let error = try #require(throws: ConfigError.self) { try GatewayConfig.load(file: folder.path) }
        #expect(error.description == "\(folder.path): cannot read: Is a directory")
    }

    @Test func secretsNeverAppearInMessages() throws {
        let folder = TemporaryDirectory()
        let file = folder.write("gateway.yaml", "server:\n  sessions:\n    key: hunter2-secret\n")
        let error = try #require(throws: ConfigError.self) { try GatewayConfig.load(file: file) }
        #expect(!error.description.contains("hunter2"))
    }
}
