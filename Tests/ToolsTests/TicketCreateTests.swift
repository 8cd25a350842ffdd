import Curl
import HTTPMessage
import JSON
import MCPCore
import TestSupport
import Testing
import Tools

/// The creation recordings' ids (Leave Request, start node Draft).
enum Creation {
    static let leave = "846c2106-36cb-401a-9bf0-12565a7b766c"
    static let submit = "3818e520-4436-406b-a3a4-be6302caf2c3"
    static let saveDraft = "02fd64b0-daad-4055-a078-95f00ea0aa88"
    static let leadApprove = Seed.l1Approve
    static let formPath = "/api/v1.0/workflows/\(leave)/ticket_creation_form"
    static let actionsPath = "/api/v1.0/workflows/\(leave)/ticket_creation_actions"
    static let createPath = "/api/v1.0/tickets"

    static let fields: JSONObject = [
        "title": "[scratch] dentist", "leave_type": "sick", "leave_start": "2027-04-01", "leave_end": "2027-04-01",
        "leave_days": 1, "leave_reason": "dentist", "leave_proxy": .string(Seed.bob),
    ]

    static func arguments(dryRun: Bool, fields: JSONObject = fields, action: String = submit) -> JSONObject {
        ["workflow_id": .string(leave), "action_id": .string(action), "fields": .object(fields), "dry_run": .bool(dryRun)]
    }

    /// A rig whose upstream serves the Leave workflow's creation form and actions.
    static func rig(options: CurlClientOptions = CurlClientOptions(), form: TestReply? = nil) throws -> TicketToolRig {
        let rig = try TicketToolRig(options: options, servesRecordings: false)
        rig.upstream.route("GET", formPath, reply: form ?? TestUpstream.recordingReply(named: "workflow.ticket_creation_form.leave.alice"))
        rig.upstream.route("GET", actionsPath, reply: TestUpstream.recordingReply(named: "workflow.ticket_creation_actions.leave.alice"))
        return rig
    }
}

extension TicketToolRig {
    func create(_ arguments: JSONObject, as user: String = "dave") async -> ToolResult {
        await TicketCreate(environment: environment).call(arguments: arguments, context: context(user))
    }

    func prepareCreate(_ arguments: JSONObject, as user: String = "alice") async -> ToolResult {
        await TicketPrepareCreate(environment: environment).call(arguments: arguments, context: context(user))
    }
}

@Suite struct TicketPrepareCreateTests {
    @Test func derivesTheFieldListsAsTicketDetailDoes() async throws {
        let rig = try Creation.rig()
        let result = await rig.prepareCreate(["workflow_id": .string(Creation.leave)])
        let output = try #require(result.structuredContent, "\(result.text)")
        #expect(output["required_fields"] == ["title", "leave_type", "leave_start", "leave_end", "leave_days"])
        #expect(output["optional_fields"] == ["leave_proxy", "leave_reason"])
        #expect(output["readonly_fields"] == [])
        #expect(output["workflow"]?["name"] == "Leave Request")
        #expect(output["actions"]?.arrayValue?.map { $0["id"] } == [.string(Creation.submit), .string(Creation.saveDraft)])
        let recorded = Recordings.restData("workflow.ticket_creation_form.leave.alice")
        #expect(output["form_schema"]?["component_info_list"] == recorded["form_schema"]?["component_info_list"])
        let form = FormPermissions(componentInfoList: recorded["form_schema"]?["component_info_list"]?.arrayValue ?? [])
        #expect(output["field_permissions"] == .object(form.fieldPermissions))
        #expect(rig.upstream.requests.count == 2)
    }

    @Test(arguments: [
        (JSONObject(), "argument \"workflow_id\" is required"),
        (["workflow_id": 7], "argument \"workflow_id\" must be a string, got integer"),
        (["workflow_id": "leave"], "argument \"workflow_id\" must be a Loonflow id"),
        (["workflow_id": .string(Creation.leave), "version": "v2"], "unknown argument \"version\""),
    ] as [(JSONObject, String)])
    func refusesBadArgumentsBeforeAnyRequest(_ arguments: JSONObject, _ message: String) async throws {
        let rig = try Creation.rig()
        let result = await rig.prepareCreate(arguments)
        #expect(result.isError)
        #expect(result.text.hasPrefix(message), "got: \(result.text)")
        #expect(rig.upstream.requests.isEmpty)
    }

    @Test func anUnknownWorkflowIsExplained() async throws {
        let rig = try Creation.rig(form: .json(#"{"code":-1,"data":"","msg":"Internal Server Error"}"#))
        let result = await rig.prepareCreate(["workflow_id": .string(Creation.leave)])
        #expect(result.isError)
        #expect(result.text.contains("use a workflow_id from workflow_list"), "\(result.text)")
    }
}

@Suite struct TicketCreateTests {
    @Test func aDryRunValidatesAndSendsNothing() async throws {
        let rig = try Creation.rig()
        rig.upstream.route("POST", Creation.createPath, reply: TestUpstream.recordingReply(named: "ticket.create.success.dave"))
        let result = await rig.create(Creation.arguments(dryRun: true))
        #expect(result.structuredContent?["status"] == "validated", "\(result.text)")
        #expect(result.structuredContent?["dry_run"] == true)
        #expect(result.structuredContent?["ticket_id"] == nil)
        #expect(rig.postCount == 0)
        #expect(rig.upstream.requests.map(\.path).sorted() == [Creation.actionsPath, Creation.formPath])
        #expect(rig.logs.events("audit.ticket_create").first?["outcome"] == "validated")
    }

    @Test func aRealCreateIsSentOnceWithOnlyTheKeysLoonflowAllows() async throws {
        let rig = try Creation.rig()
        rig.upstream.route("POST", Creation.createPath, reply: TestUpstream.recordingReply(named: "ticket.create.success.dave"))
        var arguments = Creation.arguments(dryRun: false)
        arguments["parent_ticket_id"] = .string(Seed.l2)
        let result = await rig.create(arguments)
        let output = try #require(result.structuredContent, "\(result.text)")
        #expect(output["status"] == "created")
        #expect(output["ticket_id"] == "011fda74-67f8-4f48-87af-089d1498d994")
        #expect(output["next"]?.stringValue?.contains("ticket_detail") == true)
        #expect(result.links == [["type": "resource_link", "uri": "loonflow://tickets/011fda74-67f8-4f48-87af-089d1498d994", "name": "011fda74-67f8-4f48-87af-089d1498d994"]])
        let posts = rig.upstream.requests("POST", Creation.createPath)
        #expect(posts.count == 1)
        let body = try JSONParser().parse(posts.first?.body ?? [])
        #expect(
            body == [
                "workflow_id": .string(Creation.leave), "action_id": .string(Creation.submit),
                "fields": .object(Creation.fields), "parent_ticket_id": .string(Seed.l2),
            ])
        #expect(rig.upstream.requests.last?.method == "POST")
        let audit = rig.logs.events("audit.ticket_create").first
        #expect(audit?["outcome"] == "created")
        #expect(audit?["ticket"] == "011fda74-67f8-4f48-87af-089d1498d994")
        #expect(!rig.logs.lines.contains { $0.contains("Secret_x") })
    }

    static var refusals: [(String, JSONObject, String)] {
        var missing = Creation.fields
        missing["leave_end"] = nil
        missing["leave_days"] = nil
        var extra = Creation.fields
        extra["hr_comment"] = "sneaky"
        var badNumber = Creation.fields
        badNumber["leave_days"] = "many"
        var badDate = Creation.fields
        badDate["leave_start"] = "tomorrow"
        var badUser = Creation.fields
        badUser["leave_proxy"] = "bob"
        return [
            ("action from another node", Creation.arguments(dryRun: false, action: Creation.leadApprove),
             "action_id \(Creation.leadApprove) is not a creation action of this workflow (an edge leaving its start node); ticket_prepare_create offers: Submit (agree): \(Creation.submit), Save draft (other): \(Creation.saveDraft)"),
            ("missing required", Creation.arguments(dryRun: false, fields: missing), "missing required fields: leave_end, leave_days"),
            ("field the form lacks", Creation.arguments(dryRun: false, fields: extra), "field \"hr_comment\" is not on this ticket's form"),
            ("number", Creation.arguments(dryRun: false, fields: badNumber), "field \"leave_days\" (number) must be a JSON number"),
            ("date", Creation.arguments(dryRun: false, fields: badDate), "field \"leave_start\" (date) must be a date string YYYY-MM-DD"),
            ("user", Creation.arguments(dryRun: false, fields: badUser), "field \"leave_proxy\" (user) must be one user id"),
            ("dry run too", Creation.arguments(dryRun: true, fields: missing), "missing required fields: leave_end, leave_days"),
        ]
    }

    @Test(arguments: refusals)
    func refusesWhatLoonflowWouldMishandleWithoutSending(_ name: String, _ arguments: JSONObject, _ message: String) async throws {
        let rig = try Creation.rig()
        let result = await rig.create(arguments)
        #expect(result.isError, "\(name)")
        #expect(result.text.hasPrefix(message), "got: \(result.text)")
        #expect(rig.postCount == 0)
        #expect(rig.logs.events("audit.ticket_create").first?["outcome"] == "refused")
    }

    @Test func aReadOnlyFieldIsRefusedByName() async throws {
        var body = try JSONParser(maxDepth: 512).parse(TestUpstream.recordingBody(named: "workflow.ticket_creation_form.leave.alice"))
        body = Self.setPermission(in: body, key: "leave_reason", to: "readonly")
        let rig = try Creation.rig(form: .json(body.serialized))
        let result = await rig.create(Creation.arguments(dryRun: true))
        #expect(result.text.hasPrefix("field \"leave_reason\" is read-only for the caller"), "\(result.text)")
        var fields = Creation.fields
        fields["leave_reason"] = nil
        let allowed = await rig.create(Creation.arguments(dryRun: true, fields: fields))
        #expect(allowed.structuredContent?["status"] == "validated", "\(allowed.text)")
        #expect(rig.postCount == 0)
    }

    @Test(arguments: [
        (["action_id": .string(Creation.submit)], "argument \"workflow_id\" is required"),
        (["workflow_id": .string(Creation.leave)], "argument \"action_id\" is required"),
        (["workflow_id": .string(Creation.leave), "action_id": "submit"], "argument \"action_id\" must be a Loonflow id"),
        (["workflow_id": .string(Creation.leave), "action_id": .string(Creation.submit), "fields": "title=x"], "argument \"fields\" must be an object, got string"),
        (["workflow_id": .string(Creation.leave), "action_id": .string(Creation.submit), "dry_run": "yes"], "argument \"dry_run\" must be a boolean"),
        (["workflow_id": .string(Creation.leave), "action_id": .string(Creation.submit), "parent_ticket_id": "L2"], "argument \"parent_ticket_id\" must be a Loonflow id"),
        (["workflow_id": .string(Creation.leave), "action_id": .string(Creation.submit), "parent_ticket_node_id": .string(Seed.l1Node)], "parent_ticket_node_id needs parent_ticket_id"),
        (["workflow_id": .string(Creation.leave), "action_id": .string(Creation.submit), "action_props": ["comment": "x"]], "unknown argument \"action_props\""),
    ] as [(JSONObject, String)])
    func refusesBadArgumentsBeforeAnyRequest(_ arguments: JSONObject, _ message: String) async throws {
        let rig = try Creation.rig()
        let result = await rig.create(arguments)
        #expect(result.isError)
        #expect(result.text.hasPrefix(message), "got: \(result.text)")
        #expect(rig.upstream.requests.isEmpty)
    }

    @Test func loonflowsRefusalIsPassedOn() async throws {
        let rig = try Creation.rig()
        rig.upstream.route("POST", Creation.createPath, reply: TestUpstream.recordingReply(named: "ticket.create.action_not_from_start_node.dave"))
        let result = await rig.create(Creation.arguments(dryRun: false))
        #expect(result.text == "Loonflow refused the request: start node and action not match")
        #expect(rig.postCount == 1)
        #expect(rig.logs.events("audit.ticket_create").first?["outcome"] == "failed")
    }

    @Test(arguments: [
        (TestReply.text("<h1>Server Error (500)</h1>", status: 500), "outcome unknown: Loonflow did not confirm the creation. Loonflow answered HTTP 500"),
        (TestReply.text("bad gateway", status: 502), "outcome unknown: Loonflow did not confirm the creation. Loonflow answered HTTP 502"),
        (TestReply.json("not json"), "outcome unknown: Loonflow did not confirm the creation. Loonflow's answer could not be read"),
        (TestReply.json(#"{"code":0,"data":{},"msg":""}"#), "outcome unknown: Loonflow confirmed the request but named no ticket_id"),
        (TestReply.closeWithoutReply, "outcome unknown: the request reached Loonflow but no complete answer came back"),
        (TestReply.partialBodyThenClose(status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"code":0,"data":{"ticket_id":"x"},"msg":""}"#.utf8), sentBytes: 5), "outcome unknown: the request reached Loonflow"),
    ])
    func anUnknownOutcomeIsReportedAndNeverRetried(_ reply: TestReply, _ message: String) async throws {
        let rig = try Creation.rig()
        rig.upstream.route("POST", Creation.createPath, reply: reply)
        let result = await rig.create(Creation.arguments(dryRun: false))
        #expect(result.isError)
        #expect(result.text.hasPrefix(message), "got: \(result.text)")
        #expect(result.text.hasSuffix("look for it with ticket_list (category owner) before retrying."))
        #expect(rig.postCount == 1)
    }

    @Test func aTimeoutAfterSendingIsAnUnknownOutcome() async throws {
        let rig = try Creation.rig(options: CurlClientOptions(totalTimeoutMs: 3_000))
        rig.upstream.route("POST", Creation.createPath, reply: .hang)
        let result = await rig.create(Creation.arguments(dryRun: false))
        #expect(result.text.hasPrefix("outcome unknown: the request reached Loonflow but no complete answer came back (timedOut)"))
        #expect(rig.postCount == 1)
    }

    @Test func cancellingAfterTheCreateStartedDoesNotAbortIt() async throws {
        let rig = try Creation.rig()
        let arrived = TestGate()
        let release = TestGate()
        defer { release.open() }
        rig.upstream.route(
            "POST", Creation.createPath,
            TestUpstream.gated(release, arrived: arrived, TestUpstream.recordingReply(named: "ticket.create.success.dave")))
        let call = Task { await rig.create(Creation.arguments(dryRun: false)) }
        #expect(await arrived.wait(timeout: .seconds(20)))
        call.cancel()
        release.open()
        let result = await call.value
        #expect(result.structuredContent?["status"] == "created", "\(result.text)")
        #expect(rig.postCount == 1)
    }

    /// Sets `component_permission` of the field with `key`.
    static func setPermission(in value: JSONValue, key: String, to permission: String) -> JSONValue {
        switch value {
        case .object(var object):
            if object["component_key"]?.stringValue == key, object["component_permission"] != nil {
                object["component_permission"] = .string(permission)
                return .object(object)
            }
            for (member, inner) in object { object[member] = setPermission(in: inner, key: key, to: permission) }
            return .object(object)
        case .array(let elements):
            return .array(elements.map { setPermission(in: $0, key: key, to: permission) })
        default:
            return value
        }
    }
}
