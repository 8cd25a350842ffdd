import FixtureReplay
import HTTPMessage
import JSON
import Testing

/// How replay picks a fixture: method, path, normalized query, caller by token hash, body.
@Suite struct ReplayMatchingTests {
    let alice = strangerToken()
    let bob = strangerToken()

    var tokens: FixtureTokens {
        FixtureTokens([
            FixtureToken(placeholder: "<PAT_alice>", user: "alice", role: "normal", sha256: fingerprint(alice), demoToken: alice),
            FixtureToken(placeholder: "<PAT_bob>", user: "bob", role: "normal", sha256: fingerprint(bob), demoToken: bob),
        ])
    }

    static func fixture(
        _ path: String, query: [QueryPair] = [], caller: String? = "<PAT_alice>", body: FixtureBody? = nil,
        answer: JSONValue, status: Int = 200
    ) -> Fixture {
        fixture("GET", path, query: query, caller: caller, body: body, answer: answer, status: status)
    }

    static func fixture(
        _ method: String, _ path: String, query: [QueryPair] = [], caller: String? = "<PAT_alice>",
        body: FixtureBody? = nil, answer: JSONValue, status: Int = 200
    ) -> Fixture {
        Fixture(
            request: FixtureRequest(
                method: method, path: path, query: query, authorization: caller.map { "Bearer \($0)" }, body: body),
            response: FixtureResponse(status: status, contentType: "application/json", body: .json(answer)))
    }

    func send(_ set: FixtureSet, _ target: String, token: String?) async throws -> UpstreamResponse {
        try await send(set, "GET", target, token: token)
    }

    func send(_ set: FixtureSet, _ method: String, _ target: String, token: String?, body: [UInt8]? = nil)
        async throws -> UpstreamResponse
    {
        var headers = HTTPHeaders()
        if let token { headers.add("Authorization", "Bearer \(token)") }
        return try await FixtureReplayClient(set: set).send(
            UpstreamRequest(method: method, url: "http://fixtures.invalid" + target, headers: headers, body: body))
    }

    func dataOf(_ response: UpstreamResponse) -> JSONValue? { jsonObject(response.body)?["data"] }

    @Test func queryOrderAndLoonflowDefaultsDoNotMatter() async throws {
        let recorded = Self.fixture(
            "/api/v1.0/tickets",
            query: [QueryPair("category", "all"), QueryPair("reverse", "1"), QueryPair("page", "1"), QueryPair("per_page", "10")],
            answer: ["code": 0, "data": "first page", "msg": ""])
        let set = try FixtureSet(directory: "/sets/t", fixtures: [recorded], tokens: tokens)
        for target in [
            "/api/v1.0/tickets?category=all", "/api/v1.0/tickets?per_page=10&category=all",
            "/api/v1.0/tickets?page=1&reverse=1&category=all&per_page=10", "/api/v1.0/tickets?category=all&search_value=",
            "/prefix/api/v1.0/tickets?category=%61ll",
        ] {
            let response = try await send(set, target, token: alice)
            #expect(response.status == 200, "\(target)")
            #expect(dataOf(response) == "first page", "\(target)")
        }
        for target in ["/api/v1.0/tickets?category=all&page=2", "/api/v1.0/tickets?category=all&reverse=0", "/api/v1.0/tickets"] {
            #expect(try await send(set, target, token: alice).status == 404, "\(target)")
        }
    }

    @Test func userListDefaultsAndNoFilterDepartments() {
        let path = "/api/v1.0/accounts/simple_users"
        let plain = FixtureQuery.canonical([], path: path)
        #expect(plain == "page=1&per_page=10")
        for spelled in ["dept_id=0", "dept_id=00000000-0000-0000-0000-000000000000", "per_page=10&search_value=&page=1"] {
            #expect(FixtureQuery.canonical(FixtureQuery.parse(spelled), path: path) == plain, "\(spelled)")
        }
        #expect(FixtureQuery.canonical(FixtureQuery.parse("search_value=a+b"), path: path) == "page=1&per_page=10&search_value=a%20b")
        // Endpoints without known defaults are only sorted.
        #expect(FixtureQuery.canonical(FixtureQuery.parse("b=2&a=1&b=1"), path: "/api/v1.0/other") == "a=1&b=2&b=1")
    }

    @Test func callersAreToldApartByTokenHash() async throws {
        let path = "/api/v1.0/tickets/0a0a0a0a-0000-4000-8000-000000000001/ticket_detail_actions"
        let set = try FixtureSet(
            directory: "/sets/t",
            fixtures: [
                Self.fixture(path, caller: "<PAT_alice>", answer: ["code": 0, "data": "alice's", "msg": ""]),
                Self.fixture(path, caller: "<PAT_bob>", answer: ["code": 0, "data": "bob's", "msg": ""]),
            ], tokens: tokens)
        #expect(dataOf(try await send(set, path, token: alice)) == "alice's")
        #expect(dataOf(try await send(set, path, token: bob)) == "bob's")
        #expect(dataOf(try await send(set, path, token: " \(bob) ")) == "bob's")
        // The placeholder itself is not a token; neither is anything else the set does not list.
        for stranger in ["<PAT_alice>", strangerToken()] {
            let response = try await send(set, path, token: stranger)
            #expect(response.status == 500)
            #expect(response.headers["Content-Type"] == "text/html; charset=utf-8")
            #expect(String(decoding: response.body, as: UTF8.self).contains("Server Error (500)"))
        }
    }

    @Test func unknownTokensGetTheRecordedUnknownTokenExchange() async throws {
        let rejected = Fixture(
            request: FixtureRequest(method: "GET", path: "/api/v1.0/tickets", authorization: "Bearer <PAT_unknown>"),
            response: FixtureResponse(status: 500, contentType: "text/html", body: .text("\n<p>recorded 500</p>\n")))
        let set = try FixtureSet(
            directory: "/sets/t", fixtures: [rejected, Self.fixture("/api/v1.0/tickets", answer: ["code": 0])],
            tokens: tokens)
        for target in ["/api/v1.0/tickets", "/api/v1.0/accounts/simple_users?page=3"] {
            let response = try await send(set, target, token: strangerToken())
            #expect(response.status == 500)
            #expect(response.body == Array("\n<p>recorded 500</p>\n".utf8))
        }
        #expect(try await send(set, "/api/v1.0/tickets", token: alice).status == 200)
    }

    @Test func bodiesMatchWhenJSONEqual() async throws {
        let path = "/api/v1.0/tickets/0a0a0a0a-0000-4000-8000-000000000002/handle"
        let body: JSONValue = ["action_type": "agree", "action_id": "e1", "action_props": ["node_id": "n1", "comment": "ok"]]
        let set = try FixtureSet(
            directory: "/sets/t",
            fixtures: [Self.fixture("POST", path, body: .json(body), answer: ["code": 0, "data": [:], "msg": ""])],
            tokens: tokens)
        let reordered = #"{"action_props": {"comment": "ok", "node_id": "n1"}, "action_id": "e1", "action_type": "agree"}"#
        #expect(try await send(set, "POST", path, token: alice, body: Array(reordered.utf8)).status == 200)
        let other = #"{"action_props": {"comment": "no", "node_id": "n1"}, "action_id": "e1", "action_type": "agree"}"#
        #expect(try await send(set, "POST", path, token: alice, body: Array(other.utf8)).status == 404)
        #expect(try await send(set, "GET", path, token: alice).status == 404)
    }

    @Test func replayIsStateless() async throws {
        let ticket = "/api/v1.0/tickets/0a0a0a0a-0000-4000-8000-000000000003"
        let set = try FixtureSet(
            directory: "/sets/t",
            fixtures: [
                Self.fixture(ticket + "/ticket_detail_form", answer: ["code": 0, "data": "at lead", "msg": ""]),
                Self.fixture("POST", ticket + "/handle", body: .json(["action_type": "agree"]), answer: ["code": 0, "data": [:], "msg": ""]),
            ], tokens: tokens)
        let before = try await send(set, ticket + "/ticket_detail_form", token: alice)
        let handled = try await send(set, "POST", ticket + "/handle", token: alice, body: Array(#"{"action_type":"agree"}"#.utf8))
        let after = try await send(set, ticket + "/ticket_detail_form", token: alice)
        #expect(handled.status == 200)
        #expect(before.body == after.body)
        #expect(dataOf(after) == "at lead")
    }

    @Test func duplicateRecordingsAreRefused() {
        let one = Self.fixture("/api/v1.0/tickets", query: [QueryPair("category", "duty")], answer: ["code": 0])
        var two = Self.fixture("/api/v1.0/tickets", query: [QueryPair("category", "duty"), QueryPair("page", "1")], answer: ["code": 1])
        two.fileName = "copy.json"
        #expect(throws: FixtureError.self) { try FixtureSet(directory: "/sets/t", fixtures: [one, two], tokens: tokens) }
    }

    @Test func fileNamesAreStableAndNameTheEndpoint() {
        let a = FixtureRequest(
            method: "get", path: "/api/v1.0/tickets", query: [QueryPair("category", "all"), QueryPair("page", "1")],
            authorization: "Bearer <PAT_alice>")
        let b = FixtureRequest(
            method: "GET", path: "/base/api/v1.0/tickets", query: [QueryPair("page", "1"), QueryPair("category", "all")],
            authorization: "Bearer <PAT_alice>")
        let c = FixtureRequest(
            method: "GET", path: "/api/v1.0/tickets", query: [QueryPair("category", "all")], authorization: "Bearer <PAT_bob>")
        #expect(a.fileStem == b.fileStem)
        #expect(a.fileStem != c.fileStem)
        #expect(a.fileStem.hasPrefix("GET_tickets_"))
        #expect(a.fileStem.count == "GET_tickets_".count + 10)
    }
}
