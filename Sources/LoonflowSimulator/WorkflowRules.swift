import FixtureReplay
import JSON

/// `GET /simple_workflows` and the creation form and actions of a workflow.
enum WorkflowRules {
    static func simpleWorkflows(_ pairs: [QueryPair], deployment: Deployment) -> ReplayAnswer {
        let value = { (key: String) in pairs.last { $0.name == key }?.value ?? "" }
        guard let page = value("page").isEmpty ? 1 : PythonRepr.int(value("page")),
            let perPage = value("per_page").isEmpty ? 10 : PythonRepr.int(value("per_page")), perPage > 0
        else { return SimulatorAnswer.internalError() }
        let search = value("search_value")
        let rows = deployment.workflows.filter { search.isEmpty || $0.name.contains(search) }.map { JSONValue.object($0.simpleRow) }
        let served = Page(rows, page: page, perPage: perPage)
        return SimulatorAnswer.ok([
            "workflow_info_list": .array(served.rows), "page": .number(page), "per_page": .number(perPage),
            "total": .number(served.total),
        ])
    }

    /// `ticket_creation_form`: the start node's form; `ticket_creation_actions`: its edges.
    static func creation(_ endpoint: String, workflowID: String, deployment: Deployment) -> ReplayAnswer {
        guard let workflow = deployment.workflow(workflowID), let start = workflow.startNode else {
            return SimulatorAnswer.internalError()
        }
        switch endpoint {
        case "ticket_creation_form":
            let components = workflow.components.compactMap { TicketDetailRules.row($0, permissions: start.fieldPermissions, values: nil) }
            return SimulatorAnswer.ok(["form_schema": ["component_info_list": .array(components), "workflow_metadata": workflow.metadata]])
        case "ticket_creation_actions":
            let actions = workflow.edges.filter { $0.source == start.id }.map { edge -> JSONValue in
                ["id": .string(edge.id), "name": .string(edge.name), "type": .string(edge.type), "props": edge.props]
            }
            return SimulatorAnswer.ok(["actions": .array(actions)])
        default:
            return SimulatorAnswer.undetermined("GET /api/v1.0/workflows/\(workflowID)/\(endpoint) is not simulated.")
        }
    }
}
