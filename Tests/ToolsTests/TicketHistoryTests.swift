import JSON
import MCPCore
import TestSupport
import Testing
import Tools

extension TicketToolRig {
    func history(_ arguments: JSONObject, as user: String) async -> ToolResult {
        await TicketHistory(environment: environment).call(arguments: arguments, context: context(user))
    }

    /// Serves the history and current nodes of `ticket` from the recordings named.
    func serveHistory(ticket: String, history: String, nodes: String) {
        upstream.route("GET", "/api/v1.0/tickets/\(ticket)/ticket_flow_history", reply: TestUpstream.recordingReply(named: history))
        upstream.route("GET", "/api/v1.0/tickets/\(ticket)/current_node_infos", reply: TestUpstream.recordingReply(named: nodes))
    }
}

@Suite struct TicketHistoryTests {
    static let v5 = "8139f7f2-75dc-4300-b062-a10018bf3a0f"
    static func historyPath(_ ticket: String) -> String { "/api/v1.0/tickets/\(ticket)/ticket_flow_history" }

    @Test func showsTheHistoryNewestFirstWithTheCurrentNodes() async throws {
        let rig = try TicketToolRig()
        rig.serveHistory(ticket: Seed.l2, history: "ticket.ticket_flow_history.L2_at_hr_bob.bob", nodes: "ticket.current_node_infos.L2_at_hr_bob.admin")
        let result = await rig.history(["ticket_id": .string(Seed.l2)], as: "bob")
        let output = try #require(result.structuredContent, "\(result.text)")
        let recorded = Recordings.restData("ticket.ticket_flow_history.L2_at_hr_bob.bob")
        let nodes = Recordings.restData("ticket.current_node_infos.L2_at_hr_bob.admin")
        #expect(output["current_nodes"] == nodes["current_node_info_list"])
        #expect(output["total"] == 2)
        let history = output["history"]?.arrayValue ?? []
        #expect(history.map { $0["action_type"] } == ["agree", "create"])
        #expect(
            history.first == [
                "created_at": "2026-11-27 16:28:19 +0000",
                "node": ["id": .string(Seed.l1Node), "name": "Team Lead Approval"],
                "action_type": "agree", "action_name": "Approve", "comment": "approved",
                "processor": [
                    "type": "user", "id": "77b7ef0e-8962-4165-9a3e-335eb5c3989b", "name": "alice", "alias": "Alice Chen",
                    "email": "alice@loonapp.com",
                ],
            ])
        #expect(recorded["ticket_flow_history_list"]?.arrayValue?.first?["ticket_data"] != nil)
        // The view check first, then history (snapshots off: desc=0) and nodes.
        #expect(rig.upstream.requests.first?.path == "/api/v1.0/tickets/\(Seed.l2)/ticket_detail_form")
        let query = rig.upstream.requests("GET", Self.historyPath(Seed.l2)).first?.query ?? ""
        #expect(query == "page=1&per_page=10&desc=0")
    }

    @Test func fieldSnapshotsOnRequest() async throws {
        let rig = try TicketToolRig()
        rig.serveHistory(ticket: Seed.l2, history: "ticket.ticket_flow_history.L2_at_hr_bob.bob", nodes: "ticket.current_node_infos.L2_at_hr_bob.admin")
        let result = await rig.history(
            ["ticket_id": .string(Seed.l2), "include_field_snapshots": true, "page": 1, "per_page": 5], as: "bob")
        let history = result.structuredContent?["history"]?.arrayValue ?? []
        #expect(history.last?["ticket_data"]?["leave_reason"] == "Flu", "\(result.text)")
        #expect(rig.upstream.requests("GET", Self.historyPath(Seed.l2)).first?.query == "page=1&per_page=5&desc=1")
    }

    /// Carol consults on V5 but may not view VPN tickets: Loonflow's REST history answered her
    /// (recorded), the gateway refuses and never asks for the history.
    @Test func refusesAUserWhoCannotViewTheTicketAlthoughLoonflowWouldAnswer() async throws {
        let recorded = Recordings.load("rest", "ticket.ticket_flow_history.V5_in_consult_carol.carol")
        #expect(recorded["response"]?["body"]?["code"] == 0)
        #expect(recorded["response"]?["body"]?["data"]?["total"] == 2)
        let rig = try TicketToolRig()
        rig.serveHistory(ticket: Self.v5, history: "ticket.ticket_flow_history.V5_in_consult_carol.carol", nodes: "ticket.current_node_infos.V5_in_consult_carol.admin")
        let result = await rig.history(["ticket_id": .string(Self.v5), "include_field_snapshots": true], as: "carol")
        #expect(result.isError)
        #expect(result.text.hasPrefix(noViewText), "\(result.text)")
        #expect(result.text.hasSuffix("The gateway shows a ticket's history only to users who may view the ticket (Loonflow's own history endpoint does not check this)."))
        #expect(rig.upstream.requestCount("GET", Self.historyPath(Self.v5)) == 0)
        #expect(rig.upstream.requestCount("GET", "/api/v1.0/tickets/\(Self.v5)/current_node_infos") == 0)
        // Someone who may view it gets it.
        let alice = await rig.history(["ticket_id": .string(Self.v5)], as: "alice")
        #expect(alice.structuredContent?["total"] == 2, "\(alice.text)")
    }

    @Test func anUnknownTicketIsExplained() async throws {
        let rig = try TicketToolRig()
        let result = await rig.history(["ticket_id": "11111111-2222-4333-8444-555555555555"], as: "admin")
        #expect(result.text.hasPrefix(missingTicketText), "\(result.text)")
        #expect(rig.upstream.requests.count == 1)
    }

    @Test(arguments: [
        (JSONObject(), "argument \"ticket_id\" is required"),
        (["ticket_id": "L2"], "argument \"ticket_id\" must be a Loonflow id"),
        (["ticket_id": .string(Seed.l2), "page": 0], "argument \"page\" must be 1 or more, got 0"),
        (["ticket_id": .string(Seed.l2), "per_page": 1001], "argument \"per_page\" must be between 1 and 1000, got 1001"),
        (["ticket_id": .string(Seed.l2), "page": "2"], "argument \"page\" must be an integer, got the string \"2\""),
        (["ticket_id": .string(Seed.l2), "include_field_snapshots": 1], "argument \"include_field_snapshots\" must be a boolean"),
        (["ticket_id": .string(Seed.l2), "desc": 1], "unknown argument \"desc\""),
    ] as [(JSONObject, String)])
    func refusesBadArgumentsBeforeAnyRequest(_ arguments: JSONObject, _ message: String) async throws {
        let rig = try TicketToolRig()
        let result = await rig.history(arguments, as: "bob")
        #expect(result.isError)
        #expect(result.text.hasPrefix(message), "got: \(result.text)")
        #expect(rig.upstream.requests.isEmpty)
    }
}

@Suite struct WorkflowListTests {
    func list(_ rig: TicketToolRig, _ arguments: JSONObject) async -> ToolResult {
        await WorkflowList(environment: rig.environment).call(arguments: arguments, context: rig.context("alice"))
    }

    @Test func showsWorkflowIDsNotTheBasicInfoRecord() async throws {
        let rig = try TicketToolRig(servesRecordings: false)
        rig.upstream.route("GET", "/api/v1.0/simple_workflows", reply: TestUpstream.recordingReply(named: "workflow.simple_workflows.alice"))
        let result = await list(rig, ["search_value": " Leave ", "page": 1, "per_page": 20])
        let output = try #require(result.structuredContent, "\(result.text)")
        #expect(output["total"] == 3)
        let rows = output["workflow_list"]?.arrayValue ?? []
        #expect(rows.last == ["workflow_id": .string(Creation.leave), "name": "Leave Request", "description": "Employee leave request (seed)", "version": "v1"])
        #expect(rows.allSatisfy { $0["id"] == nil })
        #expect(rig.upstream.requests.first?.query == "search_value=Leave&page=1&per_page=20")
    }

    @Test(arguments: [
        (["page": 0], "argument \"page\" must be 1 or more"),
        (["per_page": 0], "argument \"per_page\" must be between 1 and 1000"),
        (["search_value": 3], "argument \"search_value\" must be a string"),
        (["category": "all"], "unknown argument \"category\""),
    ] as [(JSONObject, String)])
    func refusesBadArgumentsBeforeAnyRequest(_ arguments: JSONObject, _ message: String) async throws {
        let rig = try TicketToolRig(servesRecordings: false)
        let result = await list(rig, arguments)
        #expect(result.text.hasPrefix(message), "got: \(result.text)")
        #expect(rig.upstream.requests.isEmpty)
    }
}
