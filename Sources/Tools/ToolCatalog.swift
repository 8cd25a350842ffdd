import MCPCore

/// The gateway's tools in the order `tools/list` shows them (the reference server's order).
package enum ToolCatalog {
    package static let allNames = ["ticket_list", "user_list", "ticket_detail", "ticket_prepare_handle", "ticket_handle"]

    /// The enabled tools, in catalogue order. `readOnly` drops `ticket_handle`.
    package static func tools(environment: ToolEnvironment, enabled: [String] = allNames, readOnly: Bool = false) -> [any Tool] {
        let all: [any Tool] = [
            TicketList(environment: environment),
            UserList(environment: environment),
            TicketDetail(environment: environment, name: "ticket_detail"),
            TicketDetail(environment: environment, name: "ticket_prepare_handle"),
            TicketHandle(environment: environment),
        ]
        return all.filter { enabled.contains($0.name) && !(readOnly && $0.name == "ticket_handle") }
    }
}
