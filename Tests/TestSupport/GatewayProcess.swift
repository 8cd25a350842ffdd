import Foundation

/// The built gateway executable running as a child process, serving MCP over HTTP on
/// 127.0.0.1 with a port the OS chose (read back from its `listening` log line).
package final class GatewayProcess: Sendable {
    package let process: TestProcess
    /// `http://127.0.0.1:<port>/mcp`.
    package let mcpURL: String
    package let port: UInt16
    /// The separate metrics listener, when `server.metrics.port` was set.
    package let metricsPort: UInt16?
    /// The folder holding the configuration file, removed by `stop`.
    private let directory: String?

    /// Starts `loonflow-mcp-gateway serve --host 127.0.0.1 --port 0` plus `arguments`, and waits
    /// until it listens.
    package static func startHTTP(
        environment: [String: String], arguments: [String] = []
    ) async throws -> GatewayProcess {
        try await launch(arguments: arguments, environment: environment, directory: nil)
    }

    /// Starts the gateway with a configuration file and debug logging, and waits until it listens.
    /// - Parameters:
    ///   - yaml: the configuration file's text (`server.port` is forced to 0 by the command line).
    ///   - environment: variables such as `LOONFLOW_MCP_SESSION_KEY`.
    package static func start(yaml: String, environment: [String: String] = [:]) async throws -> GatewayProcess {
        let directory = FileManager.default.temporaryDirectory.path + "/lmg-gateway-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configPath = directory + "/gateway.yaml"
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: configPath))
        return try await launch(
            arguments: ["--config", configPath, "--log-level", "debug"], environment: environment, directory: directory)
    }

    private static func launch(
        arguments: [String], environment: [String: String], directory: String?
    ) async throws -> GatewayProcess {
        let process = try TestProcess(
            executable: try GatewayExecutable.path(), arguments: ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments,
            environment: environment)
        guard let log = await process.waitForStderr(containing: " listening ") else {
            let output = await process.terminate(timeout: .seconds(5))
            throw GatewayHarnessError("the gateway did not start listening (exit \(output.exitCode)):\n\(output.combined.suffix(2000))")
        }
        guard let url = listeningURL(in: log, event: "listening"), let port = port(of: url) else {
            _ = await process.terminate(timeout: .seconds(5))
            throw GatewayHarnessError("no url= in the gateway's listening line:\n\(log.suffix(2000))")
        }
        let metricsPort = listeningURL(in: log, event: "metrics.listening").flatMap(port(of:))
        return GatewayProcess(process: process, mcpURL: url, port: port, metricsPort: metricsPort, directory: directory)
    }

    private init(process: TestProcess, mcpURL: String, port: UInt16, metricsPort: UInt16?, directory: String?) {
        self.process = process
        self.mcpURL = mcpURL
        self.port = port
        self.metricsPort = metricsPort
        self.directory = directory
    }

    /// The `url=` of the first log line of `event` (`listening`, `metrics.listening`).
    static func listeningURL(in log: String, event: String) -> String? {
        for line in log.split(separator: "\n") where line.contains(" \(event) ") {
            for field in line.split(separator: " ") where field.hasPrefix("url=") {
                return String(field.dropFirst(4))
            }
        }
        return nil
    }

    /// The port of an `http://127.0.0.1:<port>/…` address.
    private static func port(of url: String) -> UInt16? {
        guard let start = url.range(of: "http://127.0.0.1:") else { return nil }
        return UInt16(url[start.upperBound...].prefix { $0.isNumber })
    }

    package var pid: Int32 { process.processIdentifier }

    /// A client for the child's MCP endpoint.
    package func client() throws(GatewayHarnessError) -> MCPTestClient {
        try MCPTestClient(url: mcpURL)
    }

    /// Resident memory from `/proc/<pid>/status`, in kilobytes.
    package func residentKilobytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Stops the child with SIGTERM, removes its configuration folder, and returns everything
    /// it wrote.
    package func stop() async -> ProcessOutput {
        let output = await process.terminate(timeout: .seconds(20))
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
        return output
    }
}
