import Foundation
import JSON
import Testing
import TestSupport

/// Two gateway processes behind nginx round-robin, driven by the official Python SDKs: every
/// call must succeed whichever replica serves it, both replicas must serve, and a legacy
/// session opened on one replica must be accepted by the other (the replicas share only
/// `LOONFLOW_MCP_SESSION_KEY`).
@Suite(.serialized) struct ScaleOutTests {
    static let token = "lfpat.5b1d2c3e-4f50-4a61-8b72-9c8d7e6f5a41.scaleOutSecret_K7mN2pQ9rS4tV6wX8yZ1aB3c"
    static let sessionKey = "scale-out-session-key-0123456789abcdefghij"
    /// Rows (and total) in the recorded `tickets.category.all.admin` answer.
    static let rows = 15
    static let calls = 6

    /// `Tests/ScaleOutTests/Clients/scaleout_client.py`, found from this file's location.
    static var clientScript: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast()
        return components.joined(separator: "/") + "/Clients/scaleout_client.py"
    }

    struct Rig {
        var upstream: TestUpstream
        var replicas: [GatewayReplica]
        var balancer: NginxBalancer
    }

    /// Loonflow (a recorded ticket list), two replicas and nginx in front of them.
    static func withRig(sessionKey: String?, _ body: (Rig) async throws -> Void) async throws {
        _ = try NginxBalancer.binary()
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/api/v1.0/tickets", reply: .json(TestUpstream.recordingBody(named: "tickets.category.all.admin")))
        var replicas: [GatewayReplica] = []
        do {
            for _ in 0..<2 {
                replicas.append(try await GatewayReplica.start(upstream: upstream.baseURL, sessionKey: sessionKey))
            }
            let balancer = try await NginxBalancer.start(backends: replicas.map(\.port))
            do {
                try await body(Rig(upstream: upstream, replicas: replicas, balancer: balancer))
            } catch {
                await balancer.stop()
                throw error
            }
            await balancer.stop()
        } catch {
            for replica in replicas { _ = await replica.stop() }
            throw error
        }
        for replica in replicas {
            let output = await replica.stop()
            #expect(!output.stderr.contains(token), "a replica logged the token")
        }
    }

    /// Runs the client script with `sdk` through the balancer; returns its summary.
    static func runClient(_ sdk: PythonSDK, rig: Rig) async throws -> JSONValue {
        let environment = [
            "LMG_URL": rig.balancer.mcpURL, "LMG_TOKEN": token, "LMG_CALLS": String(calls), "LMG_EXPECT_ROWS": String(rows),
            "LMG_REPLICAS": rig.replicas.map(\.baseURL).joined(separator: ","), "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        ]
        let output = try await TestProcess.run(try sdk.python(), [clientScript], environment: environment, timeout: .seconds(90))
        #expect(!output.timedOut, "\(sdk.requirement) client timed out; stderr:\n\(output.stderr.suffix(3000))")
        try #require(output.exitCode == 0, "\(sdk.requirement) client failed (\(output.exitCode)); stderr:\n\(output.stderr.suffix(4000))")
        let lastLine = output.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try? JSONParser().parse(lastLine), "no JSON summary; stdout:\n\(output.stdout)")
    }

    /// Every call answered correctly, both replicas served calls, none refused anything, and
    /// every call reached Loonflow with the caller's token.
    static func expectSpreadAndClean(_ summary: JSONValue, rig: Rig, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(summary["calls_ok"]?.intValue == calls, sourceLocation: sourceLocation)
        let replicas = summary["replicas"]?.arrayValue ?? []
        #expect(replicas.count == 2, sourceLocation: sourceLocation)
        let served = replicas.map { $0["tool_calls_ok"]?.intValue ?? 0 }
        #expect(served.allSatisfy { $0 >= 1 }, "both replicas serve calls: \(served)", sourceLocation: sourceLocation)
        #expect(served.reduce(0, +) == calls, "calls per replica: \(served)", sourceLocation: sourceLocation)
        #expect(replicas.allSatisfy { $0["not_ok"] == 0 }, "refused or failed messages: \(replicas)", sourceLocation: sourceLocation)
        let upstreamCalls = rig.upstream.requests("GET", "/api/v1.0/tickets")
        #expect(upstreamCalls.count == calls, sourceLocation: sourceLocation)
        #expect(upstreamCalls.allSatisfy { $0.headers["Authorization"] == "Bearer \(token)" }, sourceLocation: sourceLocation)
    }

    @Test func modernClientThroughTwoReplicas() async throws {
        try await Self.withRig(sessionKey: Self.sessionKey) { rig in
            let summary = try await Self.runClient(.mcp2, rig: rig)
            #expect(summary["sdk"] == "2.3.0")
            #expect(summary["protocol_version"] == "2026-07-28")
            Self.expectSpreadAndClean(summary, rig: rig)
        }
    }

    @Test func legacyStatelessClientThroughTwoReplicas() async throws {
        try await Self.withRig(sessionKey: nil) { rig in
            let summary = try await Self.runClient(.mcp1, rig: rig)
            #expect(summary["sdk"] == "1.27.0")
            #expect(summary["protocol_version"] == "2025-11-25")
            #expect(summary["session_id_prefix"] == .null, "no session key, so no session id")
            #expect(summary["tools"] == 9, "every tool of the catalogue")
            Self.expectSpreadAndClean(summary, rig: rig)
        }
    }

    /// The session id comes from whichever replica answered `initialize`; the calls after it
    /// alternate between the replicas, so the other one must accept that id too.
    @Test func legacySessionIsAcceptedByEveryReplica() async throws {
        try await Self.withRig(sessionKey: Self.sessionKey) { rig in
            let summary = try await Self.runClient(.mcp1, rig: rig)
            #expect(summary["sdk"] == "1.27.0")
            #expect(summary["protocol_version"] == "2025-11-25")
            #expect(summary["session_id_prefix"] == "s1.", "a signed session id was issued")
            #expect(summary["tools"] == 9, "every tool of the catalogue")
            Self.expectSpreadAndClean(summary, rig: rig)
        }
    }
}
