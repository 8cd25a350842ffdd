package import MCPCore

/// The gateway's tools in the order `tools/list` shows them (the reference server's five
/// first, in its order), and the named toolsets an operator or a client may enable.
package enum ToolCatalog {
    package static let allNames = [
        "ticket_list", "user_list", "ticket_detail", "ticket_prepare_handle", "ticket_handle",
        "workflow_list", "ticket_prepare_create", "ticket_create", "ticket_history",
    ]

    /// The five tools Loonflow's own MCP server has: the ones an MCP upstream can serve.
    package static let referenceNames = Array(allNames.prefix(5))

    /// Tools that change Loonflow's state: dropped in read-only mode.
    package static let writingNames: Set<String> = ["ticket_handle", "ticket_create"]

    /// The enabled tools, in catalogue order, each behind `TextHygiene`. `readOnly` drops the
    /// writing ones.
    package static func tools(environment: ToolEnvironment, enabled: [String] = allNames, readOnly: Bool = false) -> [any Tool] {
        let all: [any Tool] = [
            TicketList(environment: environment),
            UserList(environment: environment),
            TicketDetail(environment: environment, name: "ticket_detail"),
            TicketDetail(environment: environment, name: "ticket_prepare_handle"),
            TicketHandle(environment: environment),
            WorkflowList(environment: environment),
            TicketPrepareCreate(environment: environment),
            TicketCreate(environment: environment),
            TicketHistory(environment: environment),
        ]
        return all.filter { enabled.contains($0.name) && !(readOnly && writingNames.contains($0.name)) }
            .map { CleanTextTool(base: $0) }
    }
}
