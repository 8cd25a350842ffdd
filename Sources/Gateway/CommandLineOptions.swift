package import Config

/// What the command line asks for.
package enum GatewayCommand: Sendable, Equatable {
    case serve(ServeOptions)
    case checkConfig(ConfigOverrides)
    /// `directory` nil with `simulate`: the bundled demo model.
    case serveFixtures(directory: String?, host: String, port: Int, simulate: Bool)
    case record(upstream: String, output: String, options: ServeOptions)
    case help
    case version
}

package struct ServeOptions: Sendable, Equatable {
    package var overrides = ConfigOverrides()
    package var stdio = false
    package init() {}
}

/// A command line that cannot be understood; the message says what to fix.
package struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}

package enum CommandLineParser {
    /// Parses arguments after the program name.
    package static func parse(_ arguments: [String]) -> Result<GatewayCommand, UsageError> {
        var rest = arguments[...]
        var subcommand = "serve"
        if let first = rest.first, !first.hasPrefix("-") {
            subcommand = first
            rest = rest.dropFirst()
        }
        var flags: [String: String] = [:]
        var switches: Set<String> = []
        var positional: [String] = []
        let valued: Set<String> = ["--config", "--host", "--port", "--fixtures", "--log-level", "--log-format", "--upstream", "--out"]
        while let argument = rest.popFirst() {
            if argument == "-h" || argument == "--help" { return .success(.help) }
            if argument == "--version" { return .success(.version) }
            let (name, inline) = splitInline(argument)
            if valued.contains(name) {
                guard let value = inline ?? rest.popFirst() else { return .failure(UsageError("\(name) needs a value")) }
                flags[name] = value
            } else if name == "--stdio" || name == "--simulate" {
                switches.insert(name)
            } else if argument.hasPrefix("-") {
                return .failure(UsageError("unknown option \(argument); see --help"))
            } else {
                positional.append(argument)
            }
        }
        return build(subcommand, flags: flags, switches: switches, positional: positional)
    }

    private static func splitInline(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func build(_ subcommand: String, flags: [String: String], switches: Set<String>, positional: [String])
        -> Result<GatewayCommand, UsageError>
    {
        var overrides = ConfigOverrides()
        overrides.configFile = flags["--config"]
        overrides.host = flags["--host"]
        overrides.port = flags["--port"]
        overrides.fixturesDir = flags["--fixtures"]
        overrides.logLevel = flags["--log-level"]
        overrides.logFormat = flags["--log-format"]
        var serve = ServeOptions()
        serve.overrides = overrides
        serve.stdio = switches.contains("--stdio")
        switch subcommand {
        case "serve":
            guard positional.isEmpty else { return .failure(UsageError("serve takes no arguments, got \(positional[0])")) }
            return .success(.serve(serve))
        case "check-config":
            return .success(.checkConfig(overrides))
        case "serve-fixtures":
            let simulate = switches.contains("--simulate")
            guard positional.count == 1 || (simulate && positional.isEmpty) else {
                return .failure(UsageError("serve-fixtures needs exactly one DIR (optional with --simulate)"))
            }
            guard let port = Int(flags["--port"] ?? "8000"), (0...65535).contains(port) else {
                return .failure(UsageError("--port must be a number from 0 to 65535"))
            }
            return .success(
                .serveFixtures(directory: positional.first, host: flags["--host"] ?? "127.0.0.1", port: port, simulate: simulate))
        case "record":
            guard let upstream = flags["--upstream"], let output = flags["--out"] else {
                return .failure(UsageError("record needs --upstream URL and --out DIR"))
            }
            return .success(.record(upstream: upstream, output: output, options: serve))
        case "help": return .success(.help)
        default:
            return .failure(UsageError("unknown command \(subcommand); use serve, check-config, serve-fixtures or record"))
        }
    }

    package static let helpText = """
        loonflow-mcp-gateway: an MCP server (Streamable HTTP and stdio) for Loonflow tickets.

        USAGE
          loonflow-mcp-gateway [serve] [--config FILE] [--host H] [--port P] [--fixtures DIR] [--stdio]
          loonflow-mcp-gateway check-config [--config FILE]
          loonflow-mcp-gateway serve-fixtures DIR [--host H] [--port P]
          loonflow-mcp-gateway serve-fixtures --simulate [DIR] [--host H] [--port P]
          loonflow-mcp-gateway record --upstream URL --out DIR [--config FILE] [--host H] [--port P]
          loonflow-mcp-gateway --help | --version

        COMMANDS
          serve            Serve MCP on http://HOST:PORT/mcp (default 127.0.0.1:8002), or on stdin/stdout
                           with --stdio. With no Loonflow configured it serves the bundled demo: a
                           simulated Loonflow (Fixtures/simulator) whose tickets change in memory.
          check-config     Load the configuration, print the effective settings, exit 0 if valid.
          serve-fixtures   Answer Loonflow's REST API from a fixture set (a fake Loonflow for tests);
                           with --simulate, from the simulated Loonflow (DIR: a simulator model,
                           default Fixtures/simulator), which computes answers and lets handles act.
          record           Serve MCP against a real Loonflow and write every upstream exchange as a
                           fixture under DIR (tokens replaced by placeholders).

        OPTIONS
          --config FILE      YAML configuration (default: $LOONFLOW_MCP_CONFIG, else ./gateway.yaml if present)
          --host H           Listen address (server.host)
          --port P           Listen port (server.port; 0 picks a free one)
          --fixtures DIR     Replay fixtures from DIR instead of calling Loonflow (upstream.base_url fixtures:DIR)
          --stdio            Speak newline-delimited JSON-RPC on stdin/stdout; logs go to stderr
          --simulate         serve-fixtures: serve the simulated Loonflow instead of exact replay
          --log-level L      debug, info, warn or error (logging.level)
          --log-format F     text or json (logging.format)
          --upstream URL     record: the Loonflow to record from
          --out DIR          record: where fixtures are written
          -h, --help         This text
          --version          The gateway's version

        ENVIRONMENT (beats the file; flags beat the environment)
          LOONFLOW_MCP_CONFIG        Configuration file
          LOONFLOW_MCP_HOST          Listen address
          LOONFLOW_MCP_PORT          Listen port
          LOONFLOW_MCP_TRANSPORT     streamable-http (default) or stdio
          LOONFLOW_MCP_ACCESS_TOKEN  Token used when a call brings none (stdio clients; never logged)
          LOONFLOW_BASE_URL          Loonflow origin and path prefix, without /api/v1.0; or fixtures:DIR
          LOONFLOW_MCP_SESSION_KEY   Turns on signed legacy sessions (at least 32 characters, same on every replica)
          LOONFLOW_MCP_LOG_LEVEL     Log level
          LOONFLOW_MCP_LOG_FORMAT    Log format

        Tokens: clients send 'Authorization: Bearer <token>' or 'X-Loonflow-Access-Token: <token>', or the
        tool argument access_token. Tokens in URLs are refused.
        """
}
