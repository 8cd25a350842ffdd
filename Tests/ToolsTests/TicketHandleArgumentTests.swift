import JSON
import MCPCore
import Testing
import Tools

/// Argument types, `handle_request` merging, and the order of the early checks.
private let ticket = JSONValue.string(Seed.l1)

@Suite struct TicketHandleArgumentTests {
    @Test(arguments: [
        (["ticket_id": ticket, "cc_to_user_id_list": []], "unknown argument \"cc_to_user_id_list\"; this tool accepts: ticket_id, action_type, action_id, access_token, action_props, fields, app_name, dry_run, handle_request"),
        ([:], "argument \"ticket_id\" is required"),
        (["ticket_id": 7], "argument \"ticket_id\" must be a string, got integer"),
        (["ticket_id": ticket, "action_type": 1], "argument \"action_type\" must be a string, got integer"),
        (["ticket_id": ticket, "action_id": true], "argument \"action_id\" must be a string, got boolean"),
        (["ticket_id": ticket, "action_props": []], "argument \"action_props\" must be an object, got array"),
        (["ticket_id": ticket, "action_props": "{}"], "argument \"action_props\" must be an object, got string"),
        (["ticket_id": ticket, "fields": "lead_opinion=x"], "argument \"fields\" must be an object, got string"),
        (["ticket_id": ticket, "dry_run": "true"], "argument \"dry_run\" must be a boolean (true or false), got the string \"true\""),
        (["ticket_id": ticket, "dry_run": 1], "argument \"dry_run\" must be a boolean (true or false), got the number 1"),
        (["ticket_id": ticket, "app_name": []], "argument \"app_name\" must be a string, got array"),
        (["ticket_id": ticket, "access_token": 5], "argument \"access_token\" must be a string, got integer"),
        (["ticket_id": ticket, "access_token": "lfpat.x.y"], "argument \"access_token\": malformed access token"),
        (["ticket_id": ticket, "handle_request": 5], "handle_request must be a dict or JSON object string"),
        (["ticket_id": ticket, "handle_request": [1, 2]], "handle_request must be a dict or JSON object string"),
        (["ticket_id": ticket, "handle_request": false], "handle_request must be a dict or JSON object string"),
        (["ticket_id": ticket, "handle_request": "{not json"], "handle_request must be a JSON object string"),
        (["ticket_id": ticket, "handle_request": "[1,2]"], "handle_request JSON must decode to an object"),
        (["ticket_id": ticket, "handle_request": "\"agree\""], "handle_request JSON must decode to an object"),
        (["ticket_id": ticket, "handle_request": ["action_props": 5]], "handle_request.action_props must be an object"),
        (["ticket_id": ticket, "handle_request": ["action_props": "{}"]], "handle_request.action_props must be an object"),
        (["ticket_id": ticket, "handle_request": ["fields": ["x"]]], "handle_request.fields must be an object"),
        (["ticket_id": ticket, "handle_request": #"{"fields": "x"}"#], "handle_request.fields must be an object"),
        (["ticket_id": ticket, "handle_request": ["action_type": 5]], "handle_request.action_type must be a string, got integer"),
        (["ticket_id": ticket, "handle_request": ["action_id": ["a"]]], "handle_request.action_id must be a string, got array"),
        (["ticket_id": "abc", "action_type": "agree"], "argument \"ticket_id\" must be a Loonflow id"),
        (["ticket_id": "11111111-2222-4333-8444-55555555555G"], "argument \"ticket_id\" must be a Loonflow id"),
    ] as [(JSONObject, String)])
    func refusesBadArgumentsBeforeAnyRequest(_ arguments: JSONObject, _ message: String) async throws {
        let rig = try TicketToolRig()
        let result = await rig.handle(arguments, as: "alice")
        #expect(result.isError)
        #expect(result.text.hasPrefix(message), "got: \(result.text)")
        #expect(rig.upstream.requests.isEmpty)
        let audit = rig.logs.events("audit.ticket_handle")
        #expect(audit.count == 1)
        #expect(audit.first?["outcome"]?.stringValue?.hasPrefix("refused: ") == true)
    }

    @Test func mergeErrorsComeBeforeTokenErrorsAndTokenErrorsBeforeTheTicketID() async throws {
        let rig = try TicketToolRig()
        let tool = TicketHandle(environment: rig.environment)
        let merge = await tool.call(arguments: ["ticket_id": "abc", "handle_request": "{"], context: ToolCallContext())
        #expect(merge.text == "handle_request must be a JSON object string")
        let token = await tool.call(arguments: ["ticket_id": "abc"], context: ToolCallContext())
        #expect(token.text == TokenResolver.missingMessage)
        let badArgument = await tool.call(arguments: ["ticket_id": "abc", "access_token": "garbage"], context: ToolCallContext())
        #expect(badArgument.text.hasPrefix("argument \"access_token\": malformed access token"))
        #expect(rig.upstream.requests.isEmpty)
    }

    @Test func theArgumentTokenWinsOverTheHeader() async throws {
        let rig = try TicketToolRig()
        var arguments = TicketHandleCheckTests.dryRun(Seed.l1, "add_comment", "add_comment")
        arguments["access_token"] = .string("Bearer " + TicketToolRig.token("bob"))
        let result = await rig.handle(arguments, as: "alice")  // alice would need lead_opinion
        #expect(result.structuredContent?["status"] == "validated")
        #expect(rig.upstream.requests.allSatisfy { TicketToolRig.user(of: $0) == "bob" })
    }

    // MARK: Merging

    static func merge(_ arguments: JSONObject) throws(ToolFailure) -> HandleRequest {
        try HandleRequest.merge(ToolArguments(arguments))
    }

    @Test func flatArgumentsAreTrimmedAndEmptyObjectsAreAbsent() throws {
        let request = try Self.merge([
            "action_type": " agree\n", "action_id": "\tid ", "action_props": [:], "fields": nil,
        ])
        #expect(request == HandleRequest(actionType: "agree", actionID: "id"))
        #expect(request.body == ["action_type": "agree", "action_id": "id", "action_props": [:], "fields": [:]])
    }

    @Test func handleRequestOverridesAndMerges() throws {
        let flat: JSONObject = [
            "action_type": "reject", "action_id": "flat-id",
            "action_props": ["node_id": "flat-node", "comment": "flat"],
            "fields": ["lead_opinion": "flat", "leave_proxy": "p"],
        ]
        let body: JSONObject = [
            "action_type": " agree ", "action_id": "body-id", "action_props": ["comment": "body"],
            "fields": ["lead_opinion": "body", "extra": 1], "cc_to_user_id_list": ["u"],
        ]
        for handleRequest: JSONValue in [.object(body), .string(JSONValue.object(body).jsonText)] {
            var arguments = flat
            arguments["handle_request"] = handleRequest
            let request = try Self.merge(arguments)
            #expect(request.actionType == "agree")
            #expect(request.actionID == "body-id")
            #expect(request.actionProps == ["node_id": "flat-node", "comment": "body"])
            #expect(request.actionProps.keys == ["node_id", "comment"])
            #expect(request.fields == ["lead_opinion": "body", "leave_proxy": "p", "extra": 1])
            #expect(request.fields.keys == ["lead_opinion", "leave_proxy", "extra"])
        }
    }

    @Test func nullAndBlankHandleRequestsApplyNothing() throws {
        let flat: JSONObject = ["action_type": "agree", "action_id": "id", "fields": ["a": "1"]]
        for handleRequest: JSONValue in [nil, "", "  \n", "   "] {
            var arguments = flat
            arguments["handle_request"] = handleRequest
            #expect(try Self.merge(arguments) == HandleRequest(actionType: "agree", actionID: "id", fields: ["a": "1"]))
        }
        var arguments = flat
        arguments["handle_request"] = ["action_type": nil, "action_id": nil, "action_props": nil, "fields": nil]
        #expect(try Self.merge(arguments) == HandleRequest(actionType: "agree", actionID: "id", fields: ["a": "1"]))
    }

    @Test func anEmptyBodyActionTypeStillOverrides() async throws {
        let rig = try TicketToolRig()
        let result = await rig.handle(
            ["ticket_id": ticket, "action_type": "agree", "action_id": "x", "handle_request": ["action_type": ""]],
            as: "alice")
        #expect(result.text == "action_type is required")
    }

    @Test func aHandleRequestStringIsAnsweredLikeTheObject() async throws {
        let rig = try TicketToolRig()
        let reference = MCPRecording("ticket_handle.dry_run.handle_request_dict.alice")
        var arguments = reference.arguments
        arguments["handle_request"] = .string(reference.arguments["handle_request"]?.jsonText ?? "")
        let result = await rig.handle(arguments, as: "alice")
        #expect(result.structured == .object(reference.structuredContent ?? [:]))
    }
}
