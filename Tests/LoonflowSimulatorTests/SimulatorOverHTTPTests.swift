import Curl
import HTTPMessage
import HTTPServer
import JSON
import LoonflowSimulator
import Testing

/// `serve-fixtures --simulate`: the simulator as a REST API on loopback, through real libcurl.
@Suite struct SimulatorOverHTTPTests {
    @Test func aHandleOverHTTPMovesTheTicketToTheNextHandler() async throws {
        let simulator = try LoonflowSimulator(directory: SimulatorFixtures.demo, clock: { SimulatorHandleSequenceTests.recordedClock })
        let tokens = try SimulatorFixtures.tokens(SimulatorFixtures.demo)
        let server = try HTTPServer(options: HTTPServerOptions(host: "127.0.0.1", port: 0), handler: simulator)
        try server.start()
        let client = try CurlHTTPClient()
        let base = "http://127.0.0.1:\(server.boundPort ?? 0)/api/v1.0"
        func call(_ method: String, _ path: String, as user: String, body: JSONValue? = nil) async throws -> JSONValue {
            let request = UpstreamRequest(
                method: method, url: base + path, headers: ["Authorization": "Bearer \(tokens[user] ?? "")"],
                body: body?.serialized, isIdempotent: method == "GET")
            return try JSONParser().parse(try await client.send(request).body)
        }
        func duty(_ user: String) async throws -> [String] {
            let answer = try await call("GET", "/tickets?category=duty&per_page=100", as: user)
            return (answer["data"]?["ticket_list"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        }
        let outcome: Result<Void, any Error> = await Result(catching: {
            let ticket = try #require(try await call("GET", "/tickets?category=duty&search_value=Dave%20annual", as: "alice")["data"]?["ticket_list"]?.arrayValue?.first?["id"]?.stringValue)
            let actions = try await call("GET", "/tickets/\(ticket)/ticket_detail_actions", as: "alice")["data"]
            let approve = try #require(actions?["actions"]?.arrayValue?.first { $0["name"] == "Approve" }?["id"])
            let handled = try await call(
                "POST", "/tickets/\(ticket)/handle", as: "alice",
                body: ["action_type": "agree", "action_id": approve, "action_props": ["node_id": actions?["action_base_node_id"] ?? ""]])
            #expect(handled == ["code": 0, "data": [:], "msg": ""])
            #expect(try await !duty("alice").contains(ticket))
            #expect(try await duty("bob").contains(ticket))
        })
        client.shutdown()
        await server.stop(gracePeriod: .seconds(1))
        try outcome.get()
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
