import Auth
import Config
import FixtureReplay
import Gateway
import HTTPServer
import JSON
import MCPCore
import Testing

/// Record → replay: a gateway recording against a fake Loonflow (`serve-fixtures` over the
/// demo set, on loopback) writes a set that replays to the very same tool results.
@Suite struct RecordReplayRoundTripTests {
    struct Call: Sendable, CustomStringConvertible {
        var tool: String
        var arguments: JSONObject
        var token: String
        var user: String
        var description: String { "\(tool) as \(user) \(JSONValue.object(arguments).jsonText)" }
    }

    @Test func recordedSetReplaysToIdenticalToolResults() async throws {
        let demo = try FixtureSet.load(directory: demoDirectory)
        let demoRuntime = try Self.runtime(.fixtures(directory: demoDirectory))
        let calls = try await Self.calls(for: demo, discoveringWith: demoRuntime)
        #expect(calls.count > 20)

        let server = try HTTPServer(options: HTTPServerOptions(host: "127.0.0.1", port: 0), handler: FixtureServer(set: demo))
        try server.start()
        let folder = TemporaryFolder()
        let recording = try Self.runtime(.http(baseURL: "http://127.0.0.1:\(server.boundPort ?? 0)"), recordTo: folder.path)
        let recorded = await Self.run(calls, on: recording)
        recording.shutdown()
        await server.stop(gracePeriod: .seconds(1))

        let replaying = try Self.runtime(.fixtures(directory: folder.path))
        let replayed = await Self.run(calls, on: replaying)
        let fromDemo = await Self.run(calls, on: demoRuntime)
        for (index, call) in calls.enumerated() {
            #expect(replayed[index] == recorded[index], "\(call)")
            #expect(fromDemo[index] == recorded[index], "\(call)")
        }
        #expect(recorded.filter { !$0.isError }.count * 2 > calls.count, "most calls should succeed")
        for (index, call) in calls.enumerated() {
            #expect(!recorded[index].text.contains("HTTP 404"), "the demo set does not cover \(call)")
        }
        #expect(recorded.contains { $0.structuredContent?["status"] == "handled" }, "a real handle was replayed")

        let written = try FixtureSet.load(directory: folder.path)
        #expect(written.tokens.entries.allSatisfy { $0.placeholder.hasPrefix("<PAT_") })
        for name in folder.fileNames {
            let text = folder.text(name)
            for token in Set(calls.map(\.token)) { #expect(!text.contains(token), "\(name) holds a token") }
        }
    }

    static func runtime(_ target: GatewayConfig.UpstreamTarget, recordTo output: String? = nil) throws -> GatewayRuntime {
        var config = GatewayConfig()
        config.upstream.target = target
        return try GatewayRuntime(config: config, environment: [:], logger: .silent, recordTo: output)
    }

    static func run(_ calls: [Call], on runtime: GatewayRuntime) async -> [ToolResult] {
        var results: [ToolResult] = []
        for call in calls {
            guard let tool = runtime.server.tool(named: call.tool) else {
                results.append(.failure("no tool \(call.tool)"))
                continue
            }
            let token = try? AccessTokenValidator().validate(call.token).get()
            let context = ToolCallContext(transportToken: token, transportTokenSource: "Authorization header")
            results.append(await tool.call(arguments: call.arguments, context: context))
        }
        return results
    }

    /// Lists and users for every demo caller, details of a few tickets, a dry run per caller
    /// where one is possible, and every real handle the set recorded.
    static func calls(for set: FixtureSet, discoveringWith runtime: GatewayRuntime) async throws -> [Call] {
        let callers = set.tokens.entries.compactMap { entry in entry.demoToken.map { (entry.user, $0) } }
        let admin = try #require(callers.first)
        var calls: [Call] = []
        for (user, token) in callers {
            for arguments: JSONObject in [["category": "duty"], ["category": "all"], ["category": "duty", "per_page": 2, "page": 2]] {
                calls.append(Call(tool: "ticket_list", arguments: arguments, token: token, user: user))
            }
            calls.append(Call(tool: "user_list", arguments: [:], token: token, user: user))
            calls.append(Call(tool: "user_list", arguments: ["simple": false], token: token, user: user))
        }
        let all = await run([Call(tool: "ticket_list", arguments: ["category": "all"], token: admin.1, user: admin.0)], on: runtime)
        let rows = all.first?.structuredContent?["ticket_list"]?.arrayValue ?? []
        let ticketIDs = rows.prefix(4).compactMap { $0["id"]?.stringValue }
        #expect(ticketIDs.count == 4)
        for ticketID in ticketIDs {
            for (user, token) in callers {
                let detail = Call(tool: "ticket_detail", arguments: ["ticket_id": .string(ticketID)], token: token, user: user)
                calls.append(detail)
                if let dryRun = await dryRun(after: detail, on: runtime) { calls.append(dryRun) }
            }
        }
        return calls + realHandles(in: set)
    }

    /// `ticket_handle` with `dry_run` for the first action `ticket_detail` offers, with the node id.
    static func dryRun(after detail: Call, on runtime: GatewayRuntime) async -> Call? {
        guard let result = await run([detail], on: runtime).first?.structuredContent,
            let action = result["actions"]?.arrayValue?.first, result["required_fields"]?.arrayValue?.isEmpty == true
        else { return nil }
        var arguments = detail.arguments
        arguments["action_type"] = action["type"]
        arguments["action_id"] = action["id"]
        arguments["action_props"] = ["node_id": result["action_base_node_id"] ?? ""]
        arguments["dry_run"] = true
        return Call(tool: "ticket_handle", arguments: arguments, token: detail.token, user: detail.user)
    }

    /// The tool calls that produced each recorded `POST …/handle`.
    static func realHandles(in set: FixtureSet) -> [Call] {
        set.fixtures.compactMap { fixture in
            guard fixture.request.method == "POST", fixture.request.path.hasSuffix("/handle"),
                case .json(let body)? = fixture.request.body,
                let entry = fixture.request.callerPlaceholder.flatMap(set.tokens.entry(placeholder:)),
                let token = entry.demoToken
            else { return nil }
            let ticketID = fixture.request.path.split(separator: "/").dropLast().last.map(String.init) ?? ""
            var arguments: JSONObject = ["ticket_id": .string(ticketID), "dry_run": false]
            for key in ["action_type", "action_id", "action_props", "fields"] { arguments[key] = body[key] }
            return Call(tool: "ticket_handle", arguments: arguments, token: token, user: entry.user)
        }
    }
}
