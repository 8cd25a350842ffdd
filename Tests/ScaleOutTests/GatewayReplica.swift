import Foundation
import TestSupport

/// One gateway executable serving HTTP on 127.0.0.1 with a port the OS picked, as one replica
/// of a deployment behind a load balancer.
struct GatewayReplica {
    let process: TestProcess
    let port: UInt16

    /// `http://127.0.0.1:<port>`, where `/metrics` is served.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a replica against `upstream`; `sessionKey` turns on signed legacy sessions.
    static func start(upstream: String, sessionKey: String?) async throws -> GatewayReplica {
        var environment = ["LOONFLOW_BASE_URL": upstream]
        if let sessionKey { environment["LOONFLOW_MCP_SESSION_KEY"] = sessionKey }
        let process = try TestProcess(
            executable: try GatewayExecutable.path(), arguments: ["--host", "127.0.0.1", "--port", "0"],
            environment: environment)
        guard let log = await process.waitForStderr(containing: "listening url="), let port = listeningPort(in: log) else {
            let output = await process.terminate()
            throw ScaleOutError("a gateway replica did not start; stderr:\n\(output.stderr.suffix(2000))")
        }
        return GatewayReplica(process: process, port: port)
    }

    /// The port in `listening url=http://127.0.0.1:<port>/mcp`.
    static func listeningPort(in log: String) -> UInt16? {
        guard let range = log.range(of: "listening url=http://127.0.0.1:") else { return nil }
        return UInt16(log[range.upperBound...].prefix { $0.isNumber })
    }

    /// Stops the replica and returns what it logged.
    func stop() async -> ProcessOutput {
        await process.terminate()
    }
}
