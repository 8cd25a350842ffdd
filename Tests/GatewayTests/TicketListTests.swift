import Config
import HTTPMessage
import JSON
import TestSupport
import Testing

/// `ticket_list` end to end: arguments become Loonflow's query, local checks answer without
/// calling Loonflow, and `act_state` is filtered by the gateway across pages.
@Suite struct TicketListTests {
    static let uuidA = "846c2106-36cb-401a-9bf0-12565a7b766c"
    static let uuidB = "69e9d6cc-5cd4-48e7-aa90-fb4f84926e65"

    @Test func defaultsAskForMyDutyNewestFirst() async throws {
        try await withGateway { _, client, loonflow in
            let listed = try #require(expectToolSuccess(try await client.callTool("ticket_list", token: Tokens.alice)))
            #expect(listed["ticket_list"]?.arrayValue?.count == 4)
            #expect(listed["total"] == 4)
            #expect(listed["page"] == 1)
            let seen = try #require(loonflow.upstream.requests.first)
            #expect(seen.method == "GET")
            #expect(seen.path == "/api/v1.0/tickets")
            let query = FakeLoonflow.query(seen)
            #expect(query.map(\.0) == ["category", "reverse", "page", "per_page"])
            #expect(query.map(\.1) == ["duty", "1", "1", "10"])
        }
    }

    @Test func everyArgumentReachesTheQuery() async throws {
        try await withGateway { _, client, loonflow in
            let arguments: JSONObject = [
                "category": " owner ", "search_value": "VPN gateway", "create_start": "2026-01-01",
                "create_end": "2026-12-31 23:59:59", "workflow_ids": .string("\(Self.uuidA), \(Self.uuidB)"),
                "node_ids": .string(Self.uuidB), "ticket_ids": .string(Self.uuidA), "creator_id": .string(Self.uuidA),
                "parent_ticket_id": .string(Self.uuidB), "reverse": 0, "per_page": 3, "page": 2, "app_name": "loonflow",
            ]
            expectToolSuccess(try await client.callTool("ticket_list", arguments: arguments, token: Tokens.alice, modern: true))
            let seen = try #require(loonflow.upstream.requests.first)
            let value = { (key: String) in FakeLoonflow.queryValue(seen, key) }
            #expect(value("category") == "owner")
            #expect(value("search_value") == "VPN gateway")
            #expect(value("create_start") == "2026-01-01")
            #expect(value("create_end") == "2026-12-31 23:59:59")
            #expect(value("workflow_ids") == "\(Self.uuidA), \(Self.uuidB)")
            #expect(value("node_ids") == Self.uuidB)
            #expect(value("ticket_ids") == Self.uuidA)
            #expect(value("creator_id") == Self.uuidA)
            #expect(value("parent_ticket_id") == Self.uuidB)
            #expect(value("reverse") == "0")
            #expect(value("per_page") == "3")
            #expect(value("page") == "2")
            #expect(value("act_state") == nil, "Loonflow ignores it; the gateway filters")
            #expect(value("app_name") == nil && value("access_token") == nil)
            #expect(seen.query?.contains("VPN%20gateway") == true, "values are percent-encoded")
        }
    }

    static let badArguments: [(JSONObject, String)] = [
        (["category": "mine"], "category is invalid"),
        (["category": "DUTY"], "category is invalid"),
        (["act_state": "done"], "act_state"),
        (["reverse": 2], "reverse"),
        (["per_page": 0], "per_page"),
        (["per_page": 1001], "per_page"),
        (["per_page": "10"], "must be an integer"),
        (["page": 0], "page"),
        (["page": 1.5], "must be an integer"),
        (["creator_id": "42"], "creator_id"),
        (["parent_ticket_id": "L2"], "parent_ticket_id"),
        (["workflow_ids": .string("\(uuidA),")], "workflow_ids"),
        (["node_ids": "team_lead"], "node_ids"),
        (["ticket_ids": "1,2"], "ticket_ids"),
        (["search_value": 5], "must be a string"),
        (["status": "open"], "unknown argument"),
    ]

    @Test(arguments: badArguments)
    func localChecksAnswerWithoutCallingLoonflow(arguments: JSONObject, fragment: String) async throws {
        try await withGateway { _, client, loonflow in
            let response = try await client.callTool("ticket_list", arguments: arguments, token: Tokens.alice)
            expectToolError(response, containing: [fragment])
            #expect(loonflow.upstream.requests.isEmpty)
        }
    }

    @Test func loonflowRefusalIsAToolErrorWithItsMessage() async throws {
        try await withGateway { _, client, loonflow in
            loonflow.upstream.route("GET", "/api/v1.0/tickets", reply: TestUpstream.recordingReply(named: "tickets.node_ids.team_lead"))
            let response = try await client.callTool("ticket_list", arguments: ["node_ids": .string(Self.uuidB)], token: Tokens.alice)
            expectToolError(response, containing: ["Loonflow refused the request: Internal Server Error", "node_ids", "retry without it"])
        }
    }

    /// 230 tickets cycling through the states of the recorded admin list, served 100 a page.
    static func servePagedTickets(_ upstream: TestUpstream) throws -> [JSONValue] {
        let recorded = try JSONParser().parse(TestUpstream.recordingBody(named: "tickets.category.all.admin"))
        let rows = try #require(recorded["data"]?["ticket_list"]?.arrayValue)
        let all: [JSONValue] = (0..<230).map { index in
            guard case .object(var row) = rows[index % rows.count] else { return .null }
            row["id"] = .string("00000000-0000-4000-8000-\(String(1_000_000_000_000 + index).suffix(12))")
            row["title"] = .string("ticket \(index)")
            return .object(row)
        }
        upstream.route("GET", "/api/v1.0/tickets") { request in
            let page = Int(FakeLoonflow.queryValue(request, "page") ?? "1") ?? 1
            let perPage = Int(FakeLoonflow.queryValue(request, "per_page") ?? "10") ?? 10
            let slice = all.dropFirst((page - 1) * perPage).prefix(perPage)
            let envelope: JSONValue = [
                "code": 0, "msg": "",
                "data": ["ticket_list": .array(Array(slice)), "page": .number(page), "per_page": .number(perPage), "total": 230],
            ]
            return .json(envelope.serialized)
        }
        return all
    }

    @Test(arguments: [("finished", "finished"), ("on_going", "on-going"), ("on-going", "on-going"), ("in_draft", "in_draft")])
    func actStateIsFilteredLocallyAcrossPages(asked: String, stored: String) async throws {
        try await withGateway { _, client, loonflow in
            let all = try Self.servePagedTickets(loonflow.upstream)
            let matching = all.filter { $0["act_state"]?.stringValue == stored }
            let response = try await client.callTool(
                "ticket_list", arguments: ["act_state": .string(asked), "per_page": 5, "page": 2], token: Tokens.alice)
            let result = try #require(expectToolSuccess(response))
            #expect(result["total"] == .number(matching.count))
            #expect(result["page"] == 2)
            #expect(result["per_page"] == 5)
            let expected = Array(matching.dropFirst(5).prefix(5))
            #expect(result["ticket_list"]?.arrayValue == expected)
            let pages = loonflow.upstream.requests.map { FakeLoonflow.queryValue($0, "page") }
            #expect(pages == ["1", "2", "3"], "every page read once")
            #expect(loonflow.upstream.requests.allSatisfy { FakeLoonflow.queryValue($0, "per_page") == "100" })
        }
    }

    @Test func actStatePagePastTheEndServesTheLastPage() async throws {
        try await withGateway { _, client, loonflow in
            let all = try Self.servePagedTickets(loonflow.upstream)
            let finished = all.filter { $0["act_state"] == "finished" }
            let response = try await client.callTool(
                "ticket_list", arguments: ["act_state": "finished", "per_page": 10, "page": 99], token: Tokens.alice)
            let result = try #require(expectToolSuccess(response))
            #expect(result["total"] == .number(finished.count))
            let lastPageStart = ((finished.count - 1) / 10) * 10
            #expect(result["ticket_list"]?.arrayValue == Array(finished[lastPageStart...]))
        }
    }

    @Test(arguments: [false, true])
    func progressTokenStreamsProgressThenTheResult(modern: Bool) async throws {
        try await withGateway { _, client, loonflow in
            _ = try Self.servePagedTickets(loonflow.upstream)
            var meta: JSONObject = modern ? MCPTestClient.modernMeta() : [:]
            meta["progressToken"] = "scan-1"
            let params: JSONObject = ["name": "ticket_list", "arguments": ["act_state": "finished"], "_meta": .object(meta)]
            let response = modern
                ? try await client.modern("tools/call", params: params, id: 21, token: Tokens.alice)
                : try await client.legacy("tools/call", params: params, id: 21, token: Tokens.alice)
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"] == "text/event-stream")
            #expect(response.headers["X-Accel-Buffering"] == "no")
            let messages = response.sseMessages
            let progress = messages.dropLast()
            #expect(progress.count == 3, "one event per page read; body:\n\(response.text)")
            #expect(progress.allSatisfy { $0["method"] == "notifications/progress" && $0["params"]?["progressToken"] == "scan-1" })
            let values = progress.compactMap { $0["params"]?["progress"]?.numberValue?.doubleValue }
            #expect(values == values.sorted() && Set(values).count == values.count, "strictly increasing")
            let final = try #require(messages.last)
            #expect(final["id"] == 21)
            #expect(final["result"]?["isError"] == false)
            #expect(final["result"]?["resultType"] == (modern ? "complete" : nil))
        }
    }

    @Test func actStateRefusesQueriesOverTheScanLimit() async throws {
        try await withGateway(configure: { $0.tools.actStateScanLimit = 200 }) { _, client, loonflow in
            _ = try Self.servePagedTickets(loonflow.upstream)
            let response = try await client.callTool("ticket_list", arguments: ["act_state": "finished"], token: Tokens.alice)
            expectToolError(response, containing: ["230", "scan limit", "narrow"])
            #expect(loonflow.upstream.requests.count == 1)
        }
    }
}
