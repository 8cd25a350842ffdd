import Auth
package import JSON
import LoonflowClient
package import MCPCore
import PlainText

/// `user_list`: simple rows for anyone, full rows for admins only.
package struct UserList: Tool {
    package let environment: ToolEnvironment

    package init(environment: ToolEnvironment) { self.environment = environment }

    static let zeroUUID = "00000000-0000-0000-0000-000000000000"
    static let scanPageSize = 100

    package var name: String { "user_list" }
    package var title: String { "List users" }
    package var description: String {
        """
        List users of the caller's Loonflow tenant. simple=true (default) gives id, name, alias, email, \
        is_active, avatar, external_user_id, tenant_id and dept_info_list, for any user. simple=false gives \
        full rows (type, phone, lang, last_login, created_at, ...) and is for Loonflow admins only; others \
        get an error saying so. search_value is a case-sensitive substring of name, alias or email. Use the \
        ids with ticket_list (creator_id) or as targets in ticket_handle.
        """
    }

    package var inputSchema: JSONValue {
        Schema.object([
            ("access_token", Schema.accessToken),
            ("app_name", Schema.appName),
            ("search_value", Schema.string("Case-sensitive substring of name, alias or email.")),
            ("user_ids", Schema.string("Comma-separated user UUIDs.")),
            ("dept_id", Schema.string("Only members of this department UUID; empty, \"0\" or the zero UUID mean all.")),
            ("page", Schema.integer("1-based page; a page past the end serves the last page.", default: 1, minimum: 1)),
            ("per_page", Schema.integer("Rows per page.", default: 10, minimum: 1, maximum: 1000)),
            ("simple", Schema.boolean("true: short rows for anyone; false: full rows, admins only.", default: true)),
        ])
    }

    package var outputSchema: JSONValue {
        Schema.paginatedOutput(listKey: "user_list", rowDescription: "Users, ordered by id as Loonflow orders them.")
    }

    package var annotations: ToolAnnotations {
        ToolAnnotations(readOnly: true, destructive: false, idempotent: true, openWorld: false)
    }

    struct Query {
        var searchValue: String
        var userIDs: String
        var deptID: String
        var page: Int
        var perPage: Int
        var simple: Bool
    }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        await runTool { () async throws(ToolFailure) -> JSONObject in
            let args = ToolArguments(arguments)
            try args.rejectUnknown(allowed: ["access_token", "app_name", "search_value", "user_ids", "dept_id", "page", "per_page", "simple"])
            let query = try Self.parse(args)
            let token = try environment.tokens.resolve(args, context: context)
            let appName = try args.string("app_name", default: "loonflow")
            if query.simple {
                return try await simpleUsers(query, token: token, appName: appName)
            }
            return try await fullUsers(query, token: token, appName: appName)
        }
    }

    static func parse(_ args: ToolArguments) throws(ToolFailure) -> Query {
        let searchValue = try args.string("search_value").trimmingWhitespace()
        let userIDs = try args.string("user_ids").trimmingWhitespace()
        if !userIDs.isEmpty { try requireUUIDList(userIDs, argument: "user_ids") }
        var deptID = try args.string("dept_id").trimmingWhitespace()
        if deptID == "0" || deptID == zeroUUID { deptID = "" }
        if !deptID.isEmpty { try requireUUID(deptID, argument: "dept_id") }
        let page = try args.integer("page", default: 1)
        guard page >= 1 else { throw ToolFailure("argument \"page\" must be 1 or more, got \(page)") }
        let perPage = try args.integer("per_page", default: 10)
        guard (1...1000).contains(perPage) else { throw ToolFailure("argument \"per_page\" must be between 1 and 1000, got \(perPage)") }
        let simple = try args.boolean("simple", default: true)
        return Query(searchValue: searchValue, userIDs: userIDs, deptID: deptID, page: page, perPage: perPage, simple: simple)
    }

    private func simpleUsers(_ query: Query, token: AccessToken, appName: String) async throws(ToolFailure) -> JSONObject {
        var rest: [(String, String)] = []
        if !query.searchValue.isEmpty { rest.append(("search_value", query.searchValue)) }
        if !query.userIDs.isEmpty { rest.append(("user_ids", query.userIDs)) }
        if !query.deptID.isEmpty { rest.append(("dept_id", query.deptID)) }
        rest += [("page", String(query.page)), ("per_page", String(query.perPage))]
        let data = try await environment.client.get("accounts/simple_users", query: rest, token: token, appName: appName).orFail().requireObject("data")
        return try PageOutput.upstream(data, rowsKey: "user_info_list", as: "user_list", page: query.page, perPage: query.perPage)
    }

    /// `/accounts/users` is admin-only and ignores `user_ids`; with ids, read every page and
    /// filter locally so `total` and paging stay right.
    private func fullUsers(_ query: Query, token: AccessToken, appName: String) async throws(ToolFailure) -> JSONObject {
        var base: [(String, String)] = []
        if !query.searchValue.isEmpty { base.append(("search_value", query.searchValue)) }
        if !query.deptID.isEmpty { base.append(("dept_id", query.deptID)) }
        if query.userIDs.isEmpty {
            let data = try await fetchUsers(base, page: query.page, perPage: query.perPage, token: token, appName: appName)
            return try PageOutput.upstream(data, rowsKey: "user_info_list", as: "user_list", page: query.page, perPage: query.perPage)
        }
        let wanted = Set(query.userIDs.split(separator: ",").map { String($0).trimmingWhitespace() })
        var matching: [JSONValue] = []
        var page = 1
        var total = 0
        repeat {
            let data = try await fetchUsers(base, page: page, perPage: Self.scanPageSize, token: token, appName: appName)
            total = data["total"]?.intValue ?? 0
            guard total <= environment.scanLimit else {
                throw ToolFailure("user_ids with simple=false reads every user, and this tenant has \(total), more than the scan limit of \(environment.scanLimit); use simple=true or add search_value")
            }
            matching += try data.requireArray("user_info_list").filter { wanted.contains($0["id"]?.stringValue ?? "") }
            page += 1
        } while (page - 1) * Self.scanPageSize < total
        return PageOutput.local(matching, as: "user_list", page: query.page, perPage: query.perPage)
    }

    private func fetchUsers(_ base: [(String, String)], page: Int, perPage: Int, token: AccessToken, appName: String) async throws(ToolFailure) -> JSONObject {
        let result = await environment.client.get("accounts/users", query: base + [("page", String(page)), ("per_page", String(perPage))], token: token, appName: appName)
        switch result {
        case .success(let data): return try data.requireObject("data")
        case .failure(.refused(let text)) where text.contains("need admin"):
            throw ToolFailure("simple=false lists full user records and Loonflow allows it to admins only (Loonflow said: \(text)); call user_list with simple=true instead")
        case .failure(let error): throw ToolFailure(error.message)
        }
    }
}
