/// The built gateway executable running as a child process, serving MCP over HTTP on
/// 127.0.0.1 with a port the OS chose (read back from its `listening` log line).
package struct GatewayProcess: Sendable {
    package let process: TestProcess
    /// `http://127.0.0.1:<port>/mcp`.
    package let mcpURL: String

    /// Starts `loonflow-mcp-gateway serve --host 127.0.0.1 --port 0` plus `arguments`, and waits
    /// until it listens.
    package static func startHTTP(
        environment: [String: String], arguments: [String] = []
    ) async throws -> GatewayProcess {
        let process = try TestProcess(
            executable: try GatewayExecutable.path(), arguments: ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments,
            environment: environment)
        guard let log = await process.waitForStderr(containing: " listening ") else {
            let output = await process.terminate()
            throw GatewayHarnessError("the gateway did not start listening (exit \(output.exitCode)):\n\(output.stderr)")
        }
        guard let url = listeningURL(in: log) else {
            _ = await process.terminate()
            throw GatewayHarnessError("no url= in the gateway's listening line:\n\(log)")
        }
        return GatewayProcess(process: process, mcpURL: url)
    }

    /// The `url=` of the first `listening` log line.
    static func listeningURL(in log: String) -> String? {
        for line in log.split(separator: "\n") where line.contains(" listening ") {
            for field in line.split(separator: " ") where field.hasPrefix("url=") {
                return String(field.dropFirst(4))
            }
        }
        return nil
    }

    /// A client for the child's MCP endpoint.
    package func client() throws(GatewayHarnessError) -> MCPTestClient {
        try MCPTestClient(url: mcpURL)
    }

    /// Stops the child with SIGTERM and returns everything it wrote.
    package func stop() async -> ProcessOutput {
        await process.terminate()
    }
}
