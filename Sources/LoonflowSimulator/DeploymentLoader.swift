import FixtureReplay
import FoundationEssentials
import JSON

/// Reads `deployment.json` (written by `scripts/record-simulator`) into a `Deployment`.
enum DeploymentLoader {
    static let fileName = "deployment.json"

    static func load(directory: String) throws(FixtureError) -> Deployment {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FixtureError("\(path) is missing: a simulator folder needs deployment.json (scripts/record-simulator writes it)")
        }
        let root: JSONValue
        do {
            root = try JSONParser(maxDepth: 512).parse(Array(data))
        } catch {
            throw FixtureError("\(path) is not valid JSON: \(error)")
        }
        guard let users = root["users"]?.arrayValue, let workflows = root["workflows"]?.arrayValue,
            let tickets = root["tickets"]?.arrayValue
        else { throw FixtureError("\(path) must hold users, workflows and tickets") }
        var parents: [String: String] = [:]
        for department in root["departments"]?.arrayValue ?? [] {
            if let id = department["id"]?.stringValue, let parent = department["parent_id"]?.stringValue { parents[id] = parent }
        }
        var roles: [String: [String]] = [:]
        for (id, role) in root["roles"]?.objectValue ?? JSONObject() { roles[id] = strings(role["user_ids"]) }
        let count = tickets.count
        return Deployment(
            tenantID: root["tenant_id"]?.stringValue ?? "",
            users: users.compactMap { $0.objectValue.map(SimulatedUser.init(row:)) }.sorted { $0.id < $1.id },
            departmentParents: parents, roleMembers: roles,
            workflows: workflows.map(workflow),
            // The file lists tickets newest first, as Loonflow's `all` list does.
            tickets: tickets.enumerated().map { ticket($0.element, rank: count - $0.offset) })
    }

    static func strings(_ value: JSONValue?) -> [String] { (value?.arrayValue ?? []).compactMap(\.stringValue) }

    private static func workflow(_ value: JSONValue) -> SimulatedWorkflow {
        let definition = value["definition"] ?? .null
        let permissions = definition["advanced_schema"]?["permission_info"] ?? .null
        let process = definition["process_schema"] ?? .null
        return SimulatedWorkflow(
            id: value["id"]?.stringValue ?? "", simpleRow: value["simple_row"]?.objectValue ?? JSONObject(),
            metadata: value["metadata"] ?? .null,
            components: definition["form_schema"]?["component_info_list"]?.arrayValue ?? [],
            nodes: (process["node_info_list"]?.arrayValue ?? []).map { node in
                WorkflowNode(
                    id: node["id"]?.stringValue ?? "", name: node["name"]?.stringValue ?? "",
                    type: node["type"]?.stringValue ?? "normal", props: node["props"]?.objectValue ?? JSONObject())
            },
            edges: (process["edge_info_list"]?.arrayValue ?? []).map { edge in
                WorkflowEdge(
                    id: edge["id"]?.stringValue ?? "", name: edge["name"]?.stringValue ?? "",
                    type: edge["type"]?.stringValue ?? "other", props: edge["props"] ?? [:],
                    source: edge["source_node_id"]?.stringValue ?? "", target: edge["target_node_id"]?.stringValue ?? "")
            },
            adminIDs: strings(permissions["admin_id_list"]), dispatcherIDs: strings(permissions["dispatcher_id_list"]),
            viewerIDs: strings(permissions["viewer_id_list"]), viewerDepartmentIDs: strings(permissions["viewer_dept_id_list"]))
    }

    private static func ticket(_ value: JSONValue, rank: Int) -> SimulatedTicket {
        var values: [String: JSONValue] = [:]
        for (key, field) in value["values"]?.objectValue ?? JSONObject() { values[key] = field }
        let nodes = (value["nodes"]?.arrayValue ?? []).map { node in
            TicketNodeState(
                id: node["id"]?.stringValue ?? "", name: node["name"]?.stringValue ?? "",
                inConsult: node["in_consult"]?.boolValue ?? false, consultFrom: node["consult_from"]?.stringValue,
                inAcceptWait: node["in_accept_wait"]?.boolValue ?? false)
        }
        let links = (value["users"]?.objectValue ?? JSONObject()).map { member in
            (
                userID: member.key,
                link: TicketLink(
                    creator: member.value["creator"]?.boolValue ?? false,
                    processor: member.value["processor"]?.boolValue ?? false,
                    assignee: member.value["assignee"]?.boolValue ?? false,
                    assigneeNodeIDs: strings(member.value["assignee_node_ids"]))
            )
        }
        return SimulatedTicket(
            row: value["row"]?.objectValue ?? JSONObject(), workflowID: value["workflow_id"]?.stringValue ?? "",
            parentTicketID: value["parent_ticket_id"]?.stringValue ?? "", values: values, nodes: nodes, links: links,
            history: value["history"]?.arrayValue ?? [], rank: rank)
    }
}
