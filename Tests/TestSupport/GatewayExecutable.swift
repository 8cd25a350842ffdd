import Foundation

/// Finds the programs the end-to-end tests run as child processes.
package enum GatewayExecutable {
    /// The built `loonflow-mcp-gateway`: `$LOONFLOW_MCP_GATEWAY_EXE`, else the file next to the
    /// running test bundle (SwiftPM puts both in the same build folder).
    package static func path() throws(GatewayHarnessError) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["LOONFLOW_MCP_GATEWAY_EXE"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw GatewayHarnessError("LOONFLOW_MCP_GATEWAY_EXE=\(explicit) is not an executable file")
            }
            return explicit
        }
        var candidates: [String] = []
        for start in [runningExecutable(), CommandLine.arguments.first].compactMap({ $0 }) {
            var folder = (start as NSString).deletingLastPathComponent
            for _ in 0..<4 {
                candidates.append(folder + "/loonflow-mcp-gateway")
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return found
        }
        throw GatewayHarnessError(
            "the loonflow-mcp-gateway executable was not found next to the test bundle (looked at "
                + "\(candidates.prefix(2).joined(separator: ", "))); build it first with `swift build --build-tests` "
                + "(scripts/test does) or set LOONFLOW_MCP_GATEWAY_EXE")
    }

    /// The test bundle's own path (`/proc/self/exe` on Linux).
    private static func runningExecutable() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    /// The repository root, found from this file's location.
    package static var packageRoot: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)  // GatewayExecutable.swift, TestSupport, Tests
        return components.joined(separator: "/")
    }
}

/// The official Python MCP SDKs the interop tests drive, one virtual environment each.
package enum PythonSDK: String, Sendable, CaseIterable {
    /// `mcp==1.27.0`: legacy protocol only.
    case mcp1
    /// `mcp==2.3.0`: modern protocol with legacy fallback.
    case mcp2

    package var requirement: String { self == .mcp1 ? "mcp==1.27.0" : "mcp==2.3.0" }

    /// `$LOONFLOW_MCP_VENV_DIR`, else `$HOME/.cache/loonflow-mcp-gateway/venvs`.
    package static var venvDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["LOONFLOW_MCP_VENV_DIR"], !explicit.isEmpty { return explicit }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/loonflow-mcp-gateway/venvs"
    }

    /// The venv's interpreter; fails (never skips) with the command that creates it.
    package func python() throws(GatewayHarnessError) -> String {
        let path = "\(Self.venvDirectory)/\(rawValue)/bin/python"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw GatewayHarnessError(
                "the Python venv for \(requirement) is missing at \(Self.venvDirectory)/\(rawValue): run scripts/test "
                    + "(it creates both venvs), or set LOONFLOW_MCP_VENV_DIR to where they are")
        }
        return path
    }
}
