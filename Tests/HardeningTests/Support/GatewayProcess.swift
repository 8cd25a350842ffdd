import Foundation
import TestSupport

/// The built `loonflow-mcp-gateway` running as a child process on 127.0.0.1 with an
/// OS-chosen port, configured by a YAML file the test writes.
final class GatewayProcess: Sendable {
    let process: TestProcess
    let port: UInt16
    /// The separate metrics listener, when `server.metrics.port` was set.
    let metricsPort: UInt16?
    let directory: String

    /// Starts the gateway and waits until it listens.
    /// - Parameters:
    ///   - yaml: the configuration file's text (`server.port` is forced to 0 by the command line).
    ///   - environment: variables such as `LOONFLOW_MCP_SESSION_KEY`.
    static func start(yaml: String, environment: [String: String] = [:]) async throws -> GatewayProcess {
        let directory = FileManager.default.temporaryDirectory.path + "/lmg-hard-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configPath = directory + "/gateway.yaml"
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: configPath))
        let process = try TestProcess(
            executable: try GatewayExecutable.path(),
            arguments: ["serve", "--config", configPath, "--host", "127.0.0.1", "--port", "0", "--log-level", "debug"],
            environment: environment)
        guard let log = await process.waitForStderr(containing: "INFO listening", timeout: .seconds(20)) else {
            let output = await process.terminate(timeout: .seconds(5))
            throw ProcessFailure("the gateway did not start listening: \(output.combined.suffix(2000))")
        }
        guard let port = Self.port(in: log, after: "INFO listening") else {
            _ = await process.terminate(timeout: .seconds(5))
            throw ProcessFailure("no port in the gateway's log: \(log.suffix(2000))")
        }
        return GatewayProcess(
            process: process, port: port, metricsPort: Self.port(in: log, after: "metrics.listening"), directory: directory)
    }

    private init(process: TestProcess, port: UInt16, metricsPort: UInt16?, directory: String) {
        self.process = process
        self.port = port
        self.metricsPort = metricsPort
        self.directory = directory
    }

    /// The port in the `url=http://127.0.0.1:<port>` field of the log line starting at `marker`.
    static func port(in log: String, after marker: String) -> UInt16? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains(marker) }),
            let start = line.range(of: "http://127.0.0.1:")
        else { return nil }
        return UInt16(line[start.upperBound...].prefix { $0.isNumber })
    }

    var pid: Int32 { process.processIdentifier }
    var mcpURL: String { "http://127.0.0.1:\(port)/mcp" }

    func client() throws -> MCPTestClient { try MCPTestClient(url: mcpURL) }

    /// Resident memory from `/proc/<pid>/status`, in kilobytes.
    func residentKilobytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Sends SIGTERM and collects the output; removes the configuration folder.
    func stop() async -> ProcessOutput {
        let output = await process.terminate(timeout: .seconds(20))
        try? FileManager.default.removeItem(atPath: directory)
        return output
    }
}

/// A child process misbehaved.
struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// YAML for a gateway in front of `upstream`: extra `upstream:` lines (indented by two
/// spaces here), then further top-level sections as text.
func gatewayYAML(upstream: String, upstreamSettings: [String] = [], _ extra: String = "") -> String {
    var text = "upstream:\n  base_url: \"\(upstream)\"\n  connect_timeout_ms: 2000\n"
    if !upstreamSettings.contains(where: { $0.hasPrefix("timeout_ms") }) { text += "  timeout_ms: 10000\n" }
    for line in upstreamSettings { text += "  \(line)\n" }
    return text + extra + "\n"
}
