import Auth
import JSON
import LoonflowClient

/// What Loonflow says about opening a ticket in one workflow: the start node's form for the
/// caller and the creation actions (the edges leaving the start node).
struct CreationForm: Sendable {
    var form: TicketForm
    var actions: [JSONValue]

    /// Reads the creation form and actions at the same time; the form's failure decides.
    static func fetch(workflowID: String, client: LoonflowClient, token: AccessToken, appName: String)
        async throws(ToolFailure) -> CreationForm
    {
        let base = "workflows/\(workflowID)"
        async let actions = client.get("\(base)/ticket_creation_actions", token: token, appName: appName)
        let form: TicketForm
        switch await client.get("\(base)/ticket_creation_form", token: token, appName: appName) {
        case .success(let data): form = try TicketForm(data)
        case .failure(let error): throw ToolFailure(explain(error))
        }
        switch await actions {
        case .success(let data):
            return CreationForm(form: form, actions: try data.requireObject("data").requireArray("actions"))
        case .failure(let error):
            throw ToolFailure("reading the creation actions failed: \(explain(error))")
        }
    }

    static func explain(_ error: LoonflowError) -> String {
        guard case .refused("Internal Server Error") = error else { return error.message }
        return error.message + ". For a workflow id this means the workflow does not exist: use a workflow_id from "
            + "workflow_list (not its id field)."
    }

    /// The creation action with this id.
    func action(_ id: String) -> JSONValue? {
        actions.first { $0["id"]?.stringValue == id }
    }

    /// `name (type): id` for each action, for messages.
    var offered: String {
        guard !actions.isEmpty else { return "(none: this workflow offers no creation action)" }
        return actions.map {
            "\($0["name"]?.stringValue ?? "?") (\($0["type"]?.stringValue ?? "?")): \($0["id"]?.stringValue ?? "?")"
        }.joined(separator: ", ")
    }
}
