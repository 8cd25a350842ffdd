import Auth
package import JSON
import LoonflowClient
package import MCPCore
import PlainText

/// `ticket_list`: `GET /api/v1.0/tickets`, plus a local `act_state` filter that REST lacks.
package struct TicketList: Tool {
    package let environment: ToolEnvironment

    package init(environment: ToolEnvironment) { self.environment = environment }

    package static let categories = ["duty", "owner", "relation", "worked", "intervene", "view", "all"]
    /// Values Loonflow stores in `act_state`; `on_going` is accepted as an alias of `on-going`.
    package static let actStates = ["in_draft", "on-going", "on_going", "rejected", "finished", "force_closed"]
    /// Rows read per upstream request while filtering locally.
    static let scanPageSize = 100

    static let stringFilters = [
        "search_value", "create_start", "create_end", "workflow_ids", "node_ids", "ticket_ids", "creator_id",
        "parent_ticket_id",
    ]

    package var name: String { "ticket_list" }
    package var title: String { "List tickets" }
    package var description: String {
        """
        List Loonflow tickets visible to the caller, newest first by default. Categories: duty (my to-do: \
        I am a current assignee), owner (created by me), relation (anything I am linked to), worked (I \
        processed or created), intervene (workflows where I am a dispatcher), view (workflows I may view), \
        all (every ticket; admins only). Rows carry id, title, act_state, creator_info, workflow_info, \
        created_at and updated_at; use ticket_detail for the form and the actions. Without create_start and \
        create_end Loonflow shows the last three years only. act_state is filtered by the gateway (Loonflow's \
        REST API ignores it), reading up to the scan limit of matching tickets; on_going is accepted for \
        on-going. Loonflow 3.2.1's workflow_ids, node_ids and ticket_ids filters are broken upstream \
        (workflow_ids matches nothing, the others fail).
        """
    }

    package var inputSchema: JSONValue {
        Schema.object([
            ("access_token", Schema.accessToken),
            ("app_name", Schema.appName),
            ("category", Schema.string("Which tickets to list (see the tool description).", default: "duty", enum: Self.categories)),
            ("search_value", Schema.string("Case-sensitive substring of the ticket title.")),
            ("create_start", Schema.string("Created at or after: YYYY-MM-DD, YYYY-MM-DD HH:MM:SS (Asia/Shanghai time) or ISO 8601.")),
            ("create_end", Schema.string("Created at or before; same formats as create_start.")),
            ("workflow_ids", Schema.string("Comma-separated workflow UUIDs (broken in Loonflow 3.2.1: matches nothing).")),
            ("node_ids", Schema.string("Comma-separated node UUIDs (broken in Loonflow 3.2.1: fails).")),
            ("ticket_ids", Schema.string("Comma-separated ticket UUIDs (broken in Loonflow 3.2.1: fails).")),
            ("act_state", Schema.string("Only tickets in this state; empty for all.", enum: [""] + Self.actStates)),
            ("creator_id", Schema.string("Only tickets created by this user UUID.")),
            ("parent_ticket_id", Schema.string("Only sub-tickets of this ticket UUID.")),
            ("reverse", Schema.integer("1: newest first; 0: oldest first.", default: 1, minimum: 0, maximum: 1)),
            ("per_page", Schema.integer("Rows per page.", default: 10, minimum: 1, maximum: 1000)),
            ("page", Schema.integer("1-based page; a page past the end serves the last page.", default: 1, minimum: 1)),
        ])
    }

    package var outputSchema: JSONValue {
        Schema.paginatedOutput(
            listKey: "ticket_list",
            rowDescription: "Tickets: id, label, creator_info, created_at, updated_at, tenant_id, title, act_state, "
                + "workflow_info (Loonflow may fall back to {id, title, act_state}).")
    }

    package var annotations: ToolAnnotations {
        ToolAnnotations(readOnly: true, destructive: false, idempotent: true, openWorld: false)
    }

    struct Query {
        var category: String
        var filters: [(String, String)]
        var actState: String
        var reverse: Int
        var perPage: Int
        var page: Int
    }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        var result = await rows(arguments: arguments, context: context)
        result.links = TicketResources.links(result.structuredContent?["ticket_list"]?.arrayValue ?? [])
        return result
    }

    private func rows(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        await runTool { () async throws(ToolFailure) -> JSONObject in
            let args = ToolArguments(arguments)
            try args.rejectUnknown(allowed: ["access_token", "app_name", "category", "act_state", "reverse", "per_page", "page"] + Self.stringFilters)
            let query = try Self.parse(args)
            let token = try environment.tokens.resolve(args, context: context)
            let appName = try args.string("app_name", default: "loonflow")
            if query.actState.isEmpty {
                return try await onePage(query, token: token, appName: appName)
            }
            return try await filteredByState(query, token: token, appName: appName, progress: context.progress)
        }
    }

    static func parse(_ args: ToolArguments) throws(ToolFailure) -> Query {
        let category = try args.string("category", default: "duty").trimmingWhitespace()
        guard categories.contains(category) else {
            throw ToolFailure("category is invalid: \"\(category.prefix(32))\"; use one of \(categories.joined(separator: ", "))")
        }
        var filters: [(String, String)] = []
        for key in stringFilters {
            let value = try args.string(key).trimmingWhitespace()
            guard !value.isEmpty else { continue }
            switch key {
            case "creator_id", "parent_ticket_id": try requireUUID(value, argument: key)
            case "workflow_ids", "node_ids", "ticket_ids": try requireUUIDList(value, argument: key)
            default: break
            }
            filters.append((key, value))
        }
        let actState = try args.string("act_state").trimmingWhitespace()
        guard actState.isEmpty || actStates.contains(actState) else {
            throw ToolFailure("act_state \"\(actState.prefix(32))\" is not a state Loonflow stores; use one of \(actStates.joined(separator: ", ")) or leave it empty")
        }
        let reverse = try args.integer("reverse", default: 1)
        guard reverse == 0 || reverse == 1 else { throw ToolFailure("argument \"reverse\" must be 0 (oldest first) or 1 (newest first), got \(reverse)") }
        let perPage = try args.integer("per_page", default: 10)
        guard (1...1000).contains(perPage) else { throw ToolFailure("argument \"per_page\" must be between 1 and 1000, got \(perPage)") }
        let page = try args.integer("page", default: 1)
        guard page >= 1 else { throw ToolFailure("argument \"page\" must be 1 or more, got \(page)") }
        return Query(category: category, filters: filters, actState: actState, reverse: reverse, perPage: perPage, page: page)
    }

    private func restQuery(_ query: Query, page: Int, perPage: Int) -> [(String, String)] {
        [("category", query.category)] + query.filters
            + [("reverse", String(query.reverse)), ("page", String(page)), ("per_page", String(perPage))]
    }

    private func fetch(_ query: Query, page: Int, perPage: Int, token: AccessToken, appName: String) async throws(ToolFailure) -> JSONObject {
        let result = await environment.client.get("tickets", query: restQuery(query, page: page, perPage: perPage), token: token, appName: appName)
        switch result {
        case .success(let data): return try data.requireObject("data")
        case .failure(let error): throw ToolFailure(error.message + brokenFilterHint(query, error))
        }
    }

    private func brokenFilterHint(_ query: Query, _ error: LoonflowError) -> String {
        guard case .refused("Internal Server Error") = error else { return "" }
        let broken = query.filters.map(\.0).filter { $0 == "node_ids" || $0 == "ticket_ids" }
        guard !broken.isEmpty else { return "" }
        return ". Loonflow 3.2.1 fails on every \(broken.joined(separator: " and ")) filter; retry without it."
    }

    private func onePage(_ query: Query, token: AccessToken, appName: String) async throws(ToolFailure) -> JSONObject {
        let data = try await fetch(query, page: query.page, perPage: query.perPage, token: token, appName: appName)
        return try PageOutput.upstream(data, rowsKey: "ticket_list", as: "ticket_list", page: query.page, perPage: query.perPage)
    }

    /// Reads every page, keeps rows in the wanted state and paginates locally, so `total` and
    /// `page` mean what they would if Loonflow filtered.
    private func filteredByState(_ query: Query, token: AccessToken, appName: String, progress: ProgressReporter?) async throws(ToolFailure) -> JSONObject {
        let wanted: Set<String> = query.actState == "on-going" || query.actState == "on_going" ? ["on-going", "on_going"] : [query.actState]
        var matching: [JSONValue] = []
        var page = 1
        var total = 0
        repeat {
            if Task.isCancelled { throw ToolFailure("the call was cancelled") }
            let data = try await fetch(query, page: page, perPage: Self.scanPageSize, token: token, appName: appName)
            total = data["total"]?.intValue ?? 0
            guard total <= environment.scanLimit else {
                throw ToolFailure("filtering by act_state reads every matching ticket, and this query matches \(total), more than the scan limit of \(environment.scanLimit); narrow it with search_value, create_start/create_end, creator_id or another category")
            }
            let rows = try data.requireArray("ticket_list")
            matching += rows.filter { wanted.contains($0["act_state"]?.stringValue ?? "") }
            let pages = max(1, (total + Self.scanPageSize - 1) / Self.scanPageSize)
            await progress?(Double(page), Double(pages), "read page \(page) of \(pages) from Loonflow")
            page += 1
        } while (page - 1) * Self.scanPageSize < total
        return PageOutput.local(matching, as: "ticket_list", page: query.page, perPage: query.perPage)
    }
}
