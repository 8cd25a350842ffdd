import JSON
import Testing
import TestSupport

/// `user_list` end to end: simple rows for anyone, full rows for admins only.
@Suite struct UserListTests {
    static let bobID = "67d98732-5a85-4f66-ba2f-26ee52b5e5be"
    static let carolID = "439a7523-97d2-4337-8f2d-b3e2a8776538"
    static let platformDept = "f3aab511-65d0-43c2-93f0-e586f5975da3"

    @Test func defaultsListSimpleUsers() async throws {
        try await withGateway { _, client, loonflow in
            let result = try #require(expectToolSuccess(try await client.callTool("user_list", token: Tokens.alice, modern: true)))
            let users = try #require(result["user_list"]?.arrayValue)
            #expect(users.count == 5)
            #expect(result["total"] == 5)
            #expect(users.first?["email"] == "carol@loonapp.com")
            let seen = try #require(loonflow.upstream.requests.first)
            #expect(seen.path == "/api/v1.0/accounts/simple_users")
            #expect(FakeLoonflow.query(seen).map(\.0) == ["page", "per_page"])
            #expect(FakeLoonflow.query(seen).map(\.1) == ["1", "10"])
        }
    }

    @Test func everyArgumentReachesTheQuery() async throws {
        try await withGateway { _, client, loonflow in
            let arguments: JSONObject = [
                "search_value": "  ali  ", "user_ids": .string("\(Self.bobID),\(Self.carolID)"),
                "dept_id": .string(Self.platformDept), "page": 2, "per_page": 2, "simple": true,
            ]
            expectToolSuccess(try await client.callTool("user_list", arguments: arguments, token: Tokens.alice))
            let seen = try #require(loonflow.upstream.requests.first)
            #expect(FakeLoonflow.queryValue(seen, "search_value") == "ali", "trimmed")
            #expect(FakeLoonflow.queryValue(seen, "user_ids") == "\(Self.bobID),\(Self.carolID)")
            #expect(FakeLoonflow.queryValue(seen, "dept_id") == Self.platformDept)
            #expect(FakeLoonflow.queryValue(seen, "page") == "2")
            #expect(FakeLoonflow.queryValue(seen, "per_page") == "2")
            #expect(FakeLoonflow.queryValue(seen, "simple") == nil)
        }
    }

    @Test(arguments: ["0", "00000000-0000-0000-0000-000000000000", "", "  "])
    func deptIDZeroMeansAll(dept: String) async throws {
        try await withGateway { _, client, loonflow in
            expectToolSuccess(try await client.callTool("user_list", arguments: ["dept_id": .string(dept)], token: Tokens.alice))
            #expect(FakeLoonflow.queryValue(try #require(loonflow.upstream.requests.first), "dept_id") == nil)
        }
    }

    static let badArguments: [(JSONObject, String)] = [
        (["user_ids": "bob"], "user_ids"),
        (["user_ids": .string("\(bobID),,")], "user_ids"),
        (["dept_id": "platform"], "dept_id"),
        (["page": 0], "page"),
        (["per_page": 0], "per_page"),
        (["per_page": 5000], "per_page"),
        (["simple": "false"], "must be a boolean"),
        (["is_admin": true], "unknown argument"),
    ]

    @Test(arguments: badArguments)
    func localChecksAnswerWithoutCallingLoonflow(arguments: JSONObject, fragment: String) async throws {
        try await withGateway { _, client, loonflow in
            expectToolError(try await client.callTool("user_list", arguments: arguments, token: Tokens.alice), containing: [fragment])
            #expect(loonflow.upstream.requests.isEmpty)
        }
    }

    @Test func fullRowsAreForAdminsOnly() async throws {
        try await withGateway { _, client, loonflow in
            let refused = try await client.callTool("user_list", arguments: ["simple": false], token: Tokens.alice)
            expectToolError(refused, containing: ["simple=false", "admin", "simple=true", "need admin"])
            #expect(loonflow.upstream.requests.map(\.path) == ["/api/v1.0/accounts/users"])

            let admin = try await client.callTool("user_list", arguments: ["simple": false], token: Tokens.admin)
            let result = try #require(expectToolSuccess(admin))
            #expect(result["total"] == 5)
            #expect(result["user_list"]?.arrayValue?.first?["created_at"] != nil, "full rows")
        }
    }

    @Test func fullRowsByIDAreFilteredLocally() async throws {
        try await withGateway { _, client, loonflow in
            let arguments: JSONObject = ["simple": false, "user_ids": .string("\(Self.bobID), \(Self.carolID)"), "per_page": 1, "page": 2]
            let result = try #require(expectToolSuccess(try await client.callTool("user_list", arguments: arguments, token: Tokens.admin)))
            #expect(result["total"] == 2)
            #expect(result["page"] == 2)
            let rows = try #require(result["user_list"]?.arrayValue)
            #expect(rows.count == 1)
            #expect([Self.bobID, Self.carolID].contains(rows.first?["id"]?.stringValue ?? ""))
            let seen = try #require(loonflow.upstream.requests.first)
            #expect(FakeLoonflow.queryValue(seen, "user_ids") == nil, "/accounts/users ignores user_ids")
            #expect(FakeLoonflow.queryValue(seen, "per_page") == "100")
        }
    }
}
