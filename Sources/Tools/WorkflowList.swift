package import JSON
import LoonflowClient
package import MCPCore
import PlainText

/// `workflow_list`: the workflows of the caller's tenant (`GET /simple_workflows`), with the
/// id that creation needs under the name `workflow_id`.
package struct WorkflowList: Tool {
    package let environment: ToolEnvironment

    package init(environment: ToolEnvironment) { self.environment = environment }

    package var name: String { "workflow_list" }
    package var title: String { "List workflows" }
    package var description: String {
        """
        List the workflows tickets can be opened in (Loonflow lets every user of the tenant open tickets in \
        any of them). Use a row's workflow_id with ticket_prepare_create, then ticket_create.
        """
    }

    package var inputSchema: JSONValue {
        Schema.object([
            ("search_value", Schema.string("Substring of the name or description.")),
            ("page", Schema.page),
            ("per_page", Schema.perPage),
            ("access_token", Schema.accessToken),
            ("app_name", Schema.appName),
        ])
    }

    package var outputSchema: JSONValue {
        Schema.paginatedOutput(listKey: "workflow_list", rowDescription: "{workflow_id, name, description, version}.")
    }

    package var annotations: ToolAnnotations {
        ToolAnnotations(readOnly: true, destructive: false, idempotent: true, openWorld: false)
    }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        await runTool { () async throws(ToolFailure) -> JSONObject in
            let args = ToolArguments(arguments)
            try args.rejectUnknown(allowed: ["search_value", "page", "per_page", "access_token", "app_name"])
            let search = try args.string("search_value").trimmingWhitespace()
            let paging = try Paging(args)
            let token = try environment.tokens.resolve(args, context: context)
            let appName = try args.string("app_name", default: "loonflow")
            var query = search.isEmpty ? [] : [("search_value", search)]
            query += paging.query
            let data = try await environment.client.get("simple_workflows", query: query, token: token, appName: appName)
                .orFail().requireObject("data")
            var output = try PageOutput.upstream(
                data, rowsKey: "workflow_info_list", as: "workflow_list", page: paging.page, perPage: paging.perPage)
            output["workflow_list"] = .array(try data.requireArray("workflow_info_list").map(Self.row))
            return output
        }
    }

    /// Loonflow's `id` is the basic-info record, useless to the caller: only `workflow_id` is shown.
    static func row(_ workflow: JSONValue) -> JSONValue {
        [
            "workflow_id": workflow["workflow_id"] ?? .null, "name": workflow["name"] ?? .null,
            "description": workflow["description"] ?? .null, "version": workflow["version"] ?? .null,
        ]
    }
}

/// The `page` and `per_page` arguments of a list tool, checked as the list tools check them.
struct Paging {
    var page: Int
    var perPage: Int

    init(_ args: ToolArguments, defaultPerPage: Int = 10) throws(ToolFailure) {
        page = try args.integer("page", default: 1)
        guard page >= 1 else { throw ToolFailure("argument \"page\" must be 1 or more, got \(page)") }
        perPage = try args.integer("per_page", default: defaultPerPage)
        guard (1...1000).contains(perPage) else {
            throw ToolFailure("argument \"per_page\" must be between 1 and 1000, got \(perPage)")
        }
    }

    var query: [(String, String)] { [("page", String(page)), ("per_page", String(perPage))] }
}
