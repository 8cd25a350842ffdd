import JSON
import MCPCore
import TestSupport
import Testing
import Tools

/// Every dry run the reference server was recorded doing; all run on seeded tickets whose
/// detail answers were recorded for the same user.
let handleDryRunCases: [MCPRecording] = Recordings.names("mcp", prefix: "ticket_handle.dry_run.").map(MCPRecording.init)

@Suite struct TicketHandleReferenceTests {
    @Test(arguments: handleDryRunCases)
    func matchesTheReferenceServer(_ reference: MCPRecording) async throws {
        let rig = try TicketToolRig()
        let result = await rig.handle(reference.arguments, as: reference.user)
        if let expected = reference.structuredContent {
            #expect(!result.isError, "\(result.text)")
            #expect(result.structured == .object(expected))
            #expect(result.structuredContent?.keys == expected.keys)
            #expect(result.structuredContent?["validated_action"]?.objectValue?.keys
                == expected["validated_action"]?.objectValue?.keys)
            #expect(result.structuredContent?["validated_action"]?["action_props"]?.objectValue?.keys
                == expected["validated_action"]?["action_props"]?.objectValue?.keys)
        } else {
            #expect(result.isError)
            #expect(result.text.hasPrefix(Self.expectedError(reference)), "got: \(result.text)")
        }
        #expect(rig.postCount == 0)
        #expect(rig.logs.events("audit.ticket_handle").count == 1)
    }

    /// The gateway's text where the reference shows a Python, pydantic or Django one.
    static func expectedError(_ reference: MCPRecording) -> String {
        switch reference.name {
        case "ticket_handle.dry_run.handle_request_json_array.alice": "handle_request JSON must decode to an object"
        case "ticket_handle.dry_run.malformed_ticket_id.alice": "argument \"ticket_id\" must be a Loonflow id"
        case "ticket_handle.dry_run.nonexistent_ticket.alice": missingTicketText
        default: reference.errorText == "user has no view permission" ? noViewText : reference.errorText
        }
    }

    @Test func realHandlesOfTheReferenceSendTheRecordedBody() async throws {
        // ticket_handle.real.reject.success.alice, replayed on the seeded L1 ticket.
        let reference = MCPRecording("ticket_handle.real.reject.success.alice")
        let rig = try TicketToolRig()
        rig.upstream.route(
            "POST", "/api/v1.0/tickets/\(Seed.l1)/handle",
            reply: TestUpstream.recordingReply(named: "handle.reject.success.alice"))
        var arguments = reference.arguments
        arguments["ticket_id"] = .string(Seed.l1)
        let result = await rig.handle(arguments, as: "alice")
        var expected = reference.structuredContent ?? [:]
        expected["ticket_id"] = .string(Seed.l1)
        #expect(result.structured == .object(expected))
        #expect(result.structuredContent?.keys == ["dry_run", "ticket_id", "status", "action_type", "action_id"])
        let posts = rig.upstream.requests("POST", "/api/v1.0/tickets/\(Seed.l1)/handle")
        #expect(posts.count == 1)
        let body = try JSONParser().parse(posts.first?.body ?? [])
        #expect(
            body == [
                "action_type": "reject", "action_id": .string(Seed.l1Reject),
                "action_props": ["node_id": .string(Seed.l1Node)], "fields": ["lead_opinion": "rejected via MCP"],
            ])
        #expect(body.objectValue?.keys == ["action_type", "action_id", "action_props", "fields"])
    }
}
