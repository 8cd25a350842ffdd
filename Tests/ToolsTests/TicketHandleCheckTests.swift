import JSON
import MCPCore
import TestSupport
import Testing
import Tools

/// The reference's checks, in its order, run against recorded detail answers.
@Suite struct TicketHandleCheckTests {
    static func dryRun(_ ticket: String, _ type: String?, _ id: String?, fields: JSONObject? = nil, props: JSONObject? = nil)
        -> JSONObject
    {
        var arguments: JSONObject = ["ticket_id": .string(ticket), "dry_run": true]
        if let type { arguments["action_type"] = .string(type) }
        if let id { arguments["action_id"] = .string(id) }
        if let fields { arguments["fields"] = .object(fields) }
        if let props { arguments["action_props"] = .object(props) }
        return arguments
    }

    @Test func viewPermissionComesBeforeTheActionPresenceCheck() async throws {
        let rig = try TicketToolRig()
        let result = await rig.handle(Self.dryRun(Seed.l1, nil, nil), as: "carol")
        #expect(result.text.hasPrefix(noViewText))
    }

    @Test func actionTypeThenActionIDAreRequired() async throws {
        let rig = try TicketToolRig()
        #expect(await rig.handle(Self.dryRun(Seed.l1, nil, nil), as: "alice").text == "action_type is required")
        #expect(await rig.handle(Self.dryRun(Seed.l1, " ", "add_comment"), as: "alice").text == "action_type is required")
        #expect(await rig.handle(Self.dryRun(Seed.l1, "agree", nil), as: "alice").text == "action_id is required")
        #expect(await rig.handle(Self.dryRun(Seed.l1, "agree", "  "), as: "alice").text == "action_id is required")
    }

    @Test func anUnknownActionTypeHasNoPermission() async throws {
        let rig = try TicketToolRig()
        let result = await rig.handle(Self.dryRun(Seed.l1, "approve", Seed.l1Approve, fields: ["lead_opinion": "x"]), as: "alice")
        #expect(result.text.hasPrefix("user has no permission to handle this ticket. \"approve\" is not a Loonflow action type"))
        #expect(result.text.contains("ticket_detail offers (action_type/action_id): agree/\(Seed.l1Approve), reject/\(Seed.l1Reject)"))
    }

    @Test func assigneeActionsNeedAnAssignee() async throws {
        let rig = try TicketToolRig()
        for type in ["agree", "reject", "other", "forward", "consult", "consult_submit", "accept"] {
            let result = await rig.handle(Self.dryRun(Seed.l1, type, type), as: "bob")  // bob only views L1
            #expect(result.text == "user has no permission to handle this ticket", "\(type)")
        }
    }

    @Test func forceActionsNeedAdminActions() async throws {
        let rig = try TicketToolRig()
        for type in ["force_forward", "force_close", "force_alter_node"] {
            let result = await rig.handle(Self.dryRun(Seed.l1, type, type), as: "alice")
            #expect(result.text.hasPrefix("user has no permission to handle this ticket. Force actions are offered only"))
        }
        // An admin is offered force actions, but never force_alter_node.
        let close = await rig.handle(Self.dryRun(Seed.l1, "force_close", "force_close"), as: "admin")
        #expect(close.structuredContent?["status"] == "validated")
        let alter = await rig.handle(Self.dryRun(Seed.l1, "force_alter_node", "force_alter_node"), as: "admin")
        #expect(alter.text.hasPrefix("action_type/action_id is not available for current user"))
    }

    @Test func aDispatcherWithoutAdminActionsIsToldWhy() async throws {
        let rig = try TicketToolRig(servesRecordings: false)
        rig.serveDetail(ticket: Seed.l1, seedCase: "L1_at_lead", user: "dave")
        rig.upstream.route(
            "GET", "/api/v1.0/tickets/\(Seed.l1)/ticket_detail_admin_actions",
            reply: TestUpstream.recordingReply(named: "handle.force_close.dispatcher_dave.admin_actions"))
        let result = await rig.handle(Self.dryRun(Seed.l1, "force_close", "force_close"), as: "dave")
        #expect(result.text.hasPrefix("user has no permission to handle this ticket."))
        #expect(result.text.contains("Loonflow 3.2.1 offers none to workflow dispatchers (a known Loonflow bug)"))
    }

    @Test func withdrawPassesThePermissionStepButMustBeOffered() async throws {
        let rig = try TicketToolRig()
        let creator = await rig.handle(Self.dryRun(Seed.l1, "withdraw", "withdraw"), as: "dave")
        #expect(creator.structuredContent?["validated_action"] == ["action_type": "withdraw", "action_id": "withdraw", "action_props": [:]])
        let other = await rig.handle(Self.dryRun(Seed.l1, "withdraw", "withdraw", fields: ["lead_opinion": "x"]), as: "alice")
        #expect(other.text.hasPrefix("action_type/action_id is not available for current user; ticket_detail offers"))
    }

    @Test func requiredFieldsComeBeforeAvailabilityAndAreAllNamed() async throws {
        let rig = try TicketToolRig()
        let unknownEdge = await rig.handle(Self.dryRun(Seed.l1, "agree", "11111111-2222-4333-8444-555555555555"), as: "alice")
        #expect(unknownEdge.text == "missing required fields: lead_opinion")
        let draft = Seed.ticket(of: "L5_draft.dave")
        let submit = Seed.actionID("agree", in: "L5_draft.dave")
        let result = await rig.handle(Self.dryRun(draft, "agree", submit, fields: ["leave_type": "annual"]), as: "dave")
        #expect(result.text == "missing required fields: title, leave_start, leave_end, leave_days")
    }

    @Test func onlyOfferedPairsAreAvailable() async throws {
        let rig = try TicketToolRig()
        let fields: JSONObject = ["lead_opinion": "x"]
        for (type, id) in [("reject", Seed.l1Approve), ("agree", Seed.hrConfirm), ("agree", "agree"), ("add_comment", "comment")] {
            let result = await rig.handle(Self.dryRun(Seed.l1, type, id, fields: fields), as: "alice")
            #expect(result.text.hasPrefix("action_type/action_id is not available for current user; ticket_detail offers"))
        }
        // Node spoofing: HR's edge, named with HR's node, is still refused to the team lead.
        let spoof = await rig.handle(
            Self.dryRun(Seed.l1, "agree", Seed.hrConfirm, fields: fields, props: ["node_id": "bf819316-4c0d-4a2a-894f-c5bfd2254cf3"]),
            as: "alice")
        #expect(spoof.text.hasPrefix("action_type/action_id is not available for current user"))
    }

    @Test func addCommentFallsBackToTheBaseNode() async throws {
        let rig = try TicketToolRig()
        let blank = await rig.handle(
            Self.dryRun(Seed.l1, "add_comment", "add_comment", props: ["node_id": "", "comment": "c"]), as: "bob")
        let props = blank.structuredContent?["validated_action"]?["action_props"]?.objectValue
        #expect(props == ["node_id": .string(Seed.l1Node), "comment": "c"])
        #expect(props?.keys == ["node_id", "comment"])
        for falsy: JSONValue in [nil, false, 0, [], [:]] {
            let result = await rig.handle(
                Self.dryRun(Seed.l1, "add_comment", "add_comment", props: ["node_id": falsy]), as: "bob")
            #expect(result.structuredContent?["validated_action"]?["action_props"] == ["node_id": .string(Seed.l1Node)])
        }
        let given = await rig.handle(
            Self.dryRun(Seed.l1, "add_comment", "add_comment", props: ["node_id": "another-node"]), as: "bob")
        #expect(given.structuredContent?["validated_action"]?["action_props"] == ["node_id": "another-node"])
        #expect(rig.logs.events("ticket_handle.add_comment.auto_node_id").count == 6)
    }

    @Test func addCommentFallsBackToTheAdminBaseNodeThenToNothing() async throws {
        let rig = try TicketToolRig(servesRecordings: false)
        rig.serveDetail(ticket: Seed.l1, seedCase: "L1_at_lead", user: "bob")
        let comment = #"{"id":"add_comment","name":"add comment","type":"add_comment","props":{}}"#
        rig.upstream.route(
            "GET", "/api/v1.0/tickets/\(Seed.l1)/ticket_detail_actions",
            reply: .json(#"{"code":0,"data":{"actions":[\#(comment)],"action_base_node_id":""},"msg":""}"#))
        let admin = TestGate()
        rig.upstream.route("GET", "/api/v1.0/tickets/\(Seed.l1)/ticket_detail_admin_actions") { _ in
            admin.isOpen
                ? .json(#"{"code":0,"data":{"actions":[],"action_base_node_id":""},"msg":""}"#)
                : .json(#"{"code":0,"data":{"actions":[],"action_base_node_id":"admin-node"},"msg":""}"#)
        }
        let fromAdmin = await rig.handle(Self.dryRun(Seed.l1, "add_comment", "add_comment"), as: "bob")
        #expect(fromAdmin.structuredContent?["validated_action"]?["action_props"] == ["node_id": "admin-node"])
        admin.open()
        let none = await rig.handle(Self.dryRun(Seed.l1, "add_comment", "add_comment"), as: "bob")
        #expect(none.structuredContent?["validated_action"]?["action_props"] == [:])
    }

    @Test func edgeActionsGetNoNodeFallback() async throws {
        let rig = try TicketToolRig()
        let result = await rig.handle(Self.dryRun(Seed.l1, "agree", Seed.l1Approve, fields: ["lead_opinion": "x"]), as: "alice")
        #expect(result.structuredContent?["validated_action"]?["action_props"] == [:])
    }

    @Test func theDryRunSummaryHasTheReferenceShape() async throws {
        let rig = try TicketToolRig()
        let result = await rig.handle(
            Self.dryRun(Seed.l1, "agree", Seed.l1Approve, fields: ["leave_proxy": .string(Seed.bob), "lead_opinion": "ok"],
                props: ["node_id": .string(Seed.l1Node), "comment": "fine"]),
            as: "alice")
        #expect(
            result.structured == [
                "dry_run": true, "ticket_id": .string(Seed.l1),
                "validated_action": [
                    "action_type": "agree", "action_id": .string(Seed.l1Approve),
                    "action_props": ["node_id": .string(Seed.l1Node), "comment": "fine"],
                ],
                "provided_fields": ["leave_proxy", "lead_opinion"], "required_fields": ["lead_opinion"],
                "missing_required_fields": [], "status": "validated",
            ])
        #expect(result.structuredContent?.keys == [
            "dry_run", "ticket_id", "validated_action", "provided_fields", "required_fields", "missing_required_fields",
            "status",
        ])
        #expect(rig.postCount == 0)
        #expect(rig.upstream.requests.count == 3)
    }
}
