import Foundation
import JSON
import TestSupport

/// Drives the gateway with the official Python MCP SDK 2.x (`Client` in auto mode over
/// Streamable HTTP), making a list of tool calls in one session.
///
/// Between two calls the script can stop and wait for the test (it writes `after-<n>` into
/// the step folder and waits for `continue-<n>`), so the test can change the upstream.
struct PythonClient {
    struct Outcome: Sendable {
        var isError: Bool
        var text: String
    }

    static let script = #"""
        import asyncio, json, os, sys, time
        from mcp import Client
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        def pause(step_dir, index):
            if not step_dir:
                return
            open(os.path.join(step_dir, f"after-{index}"), "w").close()
            deadline = time.monotonic() + 60
            while not os.path.exists(os.path.join(step_dir, f"continue-{index}")):
                if time.monotonic() > deadline:
                    raise SystemExit(f"no continue-{index}")
                time.sleep(0.01)

        def field(result, *names):
            for name in names:
                if hasattr(result, name):
                    return getattr(result, name)
            return None

        async def main():
            url, token, calls, step_dir = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
            results = []
            async with create_mcp_http_client(headers={"Authorization": "Bearer " + token}) as http:
                async with Client(streamable_http_client(url, http_client=http)) as client:
                    for index, (name, arguments) in enumerate(calls):
                        if index > 0:
                            pause(step_dir, index)
                        result = await client.call_tool(name, arguments)
                        text = "".join(block.text for block in result.content if getattr(block, "type", "") == "text")
                        results.append({"isError": bool(field(result, "is_error", "isError")), "text": text})
                    protocol = client.protocol_version
            print(json.dumps({"protocol": protocol, "results": results}))

        asyncio.run(main())
        """#

    let directory: String
    let stepDirectory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/lmg-py-" + UUID().uuidString
        stepDirectory = directory + "/steps"
        try FileManager.default.createDirectory(atPath: stepDirectory, withIntermediateDirectories: true)
        try Data(Self.script.utf8).write(to: URL(fileURLWithPath: directory + "/client.py"))
    }

    /// Starts the script; `pausing` makes it wait between calls for `proceed(after:)`.
    func start(url: String, token: String, calls: [(String, JSONObject)], pausing: Bool = false) throws -> TestProcess {
        let list = JSONValue.array(calls.map { .array([.string($0.0), .object($0.1)]) })
        return try TestProcess(
            executable: try PythonSDK.mcp2.python(),
            arguments: [directory + "/client.py", url, token, String(decoding: list.serialized, as: UTF8.self), pausing ? stepDirectory : ""],
            environment: [:])
    }

    /// Waits until the script finished call `index` (counted from 1) and waits to go on.
    func waitForPause(after index: Int) async -> Bool {
        let path = "\(stepDirectory)/after-\(index)"
        return await eventually(timeout: .seconds(60)) { FileManager.default.fileExists(atPath: path) }
    }

    func proceed(after index: Int) {
        _ = FileManager.default.createFile(atPath: "\(stepDirectory)/continue-\(index)", contents: nil)
    }

    /// The outcomes the script printed, in call order.
    func outcomes(_ output: ProcessOutput) throws -> (protocol: String, results: [Outcome]) {
        let line = output.stdout.split(separator: "\n").last.map(String.init) ?? ""
        guard let json = try? JSONParser().parse(line), let results = json["results"]?.arrayValue else {
            throw ProcessFailure("the Python client printed no results (exit \(output.exitCode)): \(output.combined.suffix(3000))")
        }
        return (
            json["protocol"]?.stringValue ?? "",
            results.map { Outcome(isError: $0["isError"]?.boolValue ?? true, text: $0["text"]?.stringValue ?? "") }
        )
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
