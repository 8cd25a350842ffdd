import JSON
import MCPCore
import TestSupport
import Testing
import Tools

private let u1 = "11111111-2222-4333-8444-555555555555"
private let u2 = "66666666-7777-4888-9999-000000000000"

/// A form with one field of every kind the checks know, served for alice on ticket L1.
enum SyntheticForm {
    static func field(_ key: String, _ type: String, _ permission: String, value: JSONValue = nil, multiple: Bool? = nil)
        -> JSONValue
    {
        var props: JSONObject = ["value": value]
        if let multiple { props["multiple"] = .bool(multiple) }
        return [
            "id": .string(key), "type": .string(type), "component_key": .string(key), "component_name": .string(key),
            "component_permission": .string(permission), "description": "", "props": .object(props), "label": [:],
            "layout": [:],
        ]
    }

    static let fields: [JSONValue] = [
        field("title", "title", "readonly", value: "T"),
        field("note", "textarea", "required"),
        field("amount", "number", "optional"),
        field("fixed_amount", "number", "readonly", value: "4.0000000000"),
        field("owner", "user", "optional", multiple: false),
        field("watchers", "user", "optional", multiple: true),
        field("locked_watchers", "user", "readonly", value: .string("\(u1),\(u2)"), multiple: true),
        field("team", "department", "optional"),
        field("tags", "checkbox", "optional"),
        field("kinds", "select", "optional", multiple: true),
        field("kind", "select", "optional", multiple: false),
        field("choice", "radio", "optional"),
        field("start", "date", "optional"),
        field("at", "datetime", "optional"),
        field("clock", "time", "optional"),
        field("empty_readonly", "text", "readonly"),
        field("lookup", "externaldata", "optional"),
    ]

    static var body: String {
        let row: JSONValue = ["id": "r", "type": "row", "component_key": "row_1", "children": .array(fields)]
        let data: JSONValue = ["form_schema": ["component_info_list": [row], "workflow_metadata": [:]]]
        return JSONValue.object(["code": 0, "data": data, "msg": ""]).jsonText
    }
}

/// `(fields, nil)` must validate; `(fields, text)` must fail with a message starting with text.
let fieldValueCases: [(JSONObject, String?)] = [
    (["note": "x"], nil),
    (["note": nil], nil),
    (["note": "", "amount": 2.5], nil),
    (["note": "", "amount": "2.5"], nil),
    (["note": "", "amount": "-3"], nil),
    (["note": "", "amount": "1e3"], nil),
    (["note": "", "amount": nil], nil),
    (["note": "", "owner": .string(u1)], nil),
    (["note": "", "owner": ""], nil),
    (["note": "", "watchers": [.string(u1), .string(u2)]], nil),
    (["note": "", "watchers": .string("\(u1),\(u2)")], nil),
    (["note": "", "team": .string(u2)], nil),
    (["note": "", "tags": ["a", "b"], "kinds": "x,y", "kind": "x", "choice": "c"], nil),
    (["note": "", "start": "2024-02-29", "clock": "09:30"], nil),
    (["note": "", "at": "2026-11-27T16:12:41.259Z", "clock": "23:59:59"], nil),
    (["note": "", "at": "2026-11-27 16:12:41"], nil),
    (["note": "", "at": "2026-11-27T16:12:41+08:00"], nil),
    (["note": "", "at": "2026-11-27T16:12-0500"], nil),
    (["note": "", "lookup": ["any": "shape"]], nil),
    (["note": "", "title": "T"], nil),
    (["note": "", "fixed_amount": 4], nil),
    (["note": "", "fixed_amount": "4.0"], nil),
    (["note": "", "locked_watchers": [.string(u1), .string(u2)]], nil),
    (["note": "", "locked_watchers": .string("\(u1), \(u2)")], nil),
    (["note": "", "empty_readonly": ""], nil),
    (["note": "", "empty_readonly": nil], nil),
    (["note": "", "ghost": "x"], "field \"ghost\" is not on this ticket's form as the caller sees it; remove it from fields. Form fields: title, note, amount"),
    (["note": "", "title": "New title"], "field \"title\" is read-only for the caller at this node (permission readonly), and the value differs from its current value \"T\"; leave it out of fields. Editable fields: note, amount, owner"),
    (["note": "", "fixed_amount": 5], "field \"fixed_amount\" is read-only"),
    (["note": "", "locked_watchers": .string(u1)], "field \"locked_watchers\" is read-only"),
    (["note": "", "empty_readonly": "now set"], "field \"empty_readonly\" is read-only"),
    (["note": "", "amount": "two"], "field \"amount\" (number) must be a JSON number or a numeric string such as \"2.5\", got the string \"two\""),
    (["note": "", "amount": true], "field \"amount\" (number) must be a JSON number or a numeric string such as \"2.5\", got the boolean true"),
    (["note": "", "amount": ""], "field \"amount\" (number) must be a JSON number"),
    (["note": "", "amount": "NaN"], "field \"amount\" (number) must be a JSON number"),
    (["note": "", "owner": "bob"], "field \"owner\" (user) must be one user id (a UUID string), got the string \"bob\""),
    (["note": "", "owner": [.string(u1)]], "field \"owner\" (user) must be one user id (a UUID string), got an array"),
    (["note": "", "watchers": [1]], "field \"watchers\" (user) must be a list of user ids (UUIDs) or one comma-separated string of them, got an array"),
    (["note": "", "watchers": "bob"], "field \"watchers\" (user) must be a list of user ids (UUIDs)"),
    (["note": "", "team": 3], "field \"team\" (department) must be one department id (a UUID string), got the number 3"),
    (["note": "", "tags": 3], "field \"tags\" (checkbox) must be a list of option keys or one comma-separated string of them, got the number 3"),
    (["note": "", "kinds": ["a": 1]], "field \"kinds\" (select) must be a list of option keys"),
    (["note": "", "kind": ["x"]], "field \"kind\" (select) must be a string, got an array"),
    (["note": "", "choice": 1], "field \"choice\" (radio) must be a string, got the number 1"),
    (["note": "", "start": "2026-02-30"], "field \"start\" (date) must be a date string YYYY-MM-DD"),
    (["note": "", "start": "27/11/2026"], "field \"start\" (date) must be a date string YYYY-MM-DD"),
    (["note": "", "start": "2026-11-27T00:00:00Z"], "field \"start\" (date) must be a date string YYYY-MM-DD"),
    (["note": "", "at": "2026-11-27"], "field \"at\" (datetime) must be a date-time string in ISO 8601"),
    (["note": "", "at": "yesterday"], "field \"at\" (datetime) must be a date-time string"),
    (["note": "", "at": "2026-11-27T25:00:00Z"], "field \"at\" (datetime) must be a date-time string"),
    (["note": "", "clock": "25:00"], "field \"clock\" (time) must be a time string HH:MM or HH:MM:SS"),
    (["note": "", "clock": "9:30"], "field \"clock\" (time) must be a time string"),
    (["note": 5], "field \"note\" (textarea) must be a string, got the number 5"),
]

@Suite struct FieldValueCheckTests {
    static func rig() throws -> TicketToolRig {
        let rig = try TicketToolRig(servesRecordings: false)
        rig.serveDetail(ticket: Seed.l1, seedCase: "L1_at_lead", user: "alice")
        rig.upstream.route("GET", "/api/v1.0/tickets/\(Seed.l1)/ticket_detail_form", reply: .json(SyntheticForm.body))
        return rig
    }

    @Test(arguments: fieldValueCases)
    func checksValuesAgainstTheForm(_ fields: JSONObject, _ problem: String?) async throws {
        let rig = try Self.rig()
        let result = await rig.handle(
            TicketHandleCheckTests.dryRun(Seed.l1, "add_comment", "add_comment", fields: fields), as: "alice")
        if let problem {
            #expect(result.isError)
            #expect(result.text.hasPrefix(problem), "got: \(result.text)")
            #expect(rig.logs.events("audit.ticket_handle").first?["outcome"] == "refused: invalid field values")
        } else {
            #expect(result.structuredContent?["status"] == "validated", "\(result.text)")
        }
        #expect(rig.postCount == 0)
    }

    @Test func fieldChecksComeAfterTheReferenceChecks() async throws {
        let rig = try Self.rig()
        let missing = await rig.handle(
            TicketHandleCheckTests.dryRun(Seed.l1, "add_comment", "add_comment", fields: ["ghost": "x"]), as: "alice")
        #expect(missing.text == "missing required fields: note")
        let unavailable = await rig.handle(
            TicketHandleCheckTests.dryRun(Seed.l1, "withdraw", "withdraw", fields: ["note": 1]), as: "alice")
        #expect(unavailable.text.hasPrefix("action_type/action_id is not available for current user"))
    }

    @Test func aViewerMayRepeatReadOnlyValuesButNotChangeThem() async throws {
        let rig = try TicketToolRig()
        let same = await rig.handle(
            TicketHandleCheckTests.dryRun(
                Seed.l1, "add_comment", "add_comment",
                fields: ["title": "Dave annual leave (Dec)", "leave_days": 4, "leave_proxy": .string(Seed.bob), "hr_comment": nil]),
            as: "bob")
        #expect(same.structuredContent?["status"] == "validated", "\(same.text)")
        let changed = await rig.handle(
            TicketHandleCheckTests.dryRun(Seed.l1, "add_comment", "add_comment", fields: ["leave_days": 5]), as: "bob")
        #expect(changed.text.hasPrefix("field \"leave_days\" is read-only for the caller at this node (permission readonly), and the value differs from its current value \"4.0000000000\""))
    }

    @Test(arguments: [
        ("2026-11-27", true), ("2024-02-29", true), ("2023-02-29", false), ("2026-13-01", false), ("2026-1-01", false),
        ("0000-01-01", false), ("2026-04-31", false),
    ])
    func datesMustBeRealDays(_ text: String, _ valid: Bool) {
        let form = FormPermissions(componentInfoList: [["type": "row", "children": [SyntheticForm.field("d", "date", "optional")]]])
        var accepted = true
        do { try FieldValueCheck.check(["d": .string(text)], form: form) } catch { accepted = false }
        #expect(accepted == valid)
    }
}
