import JSON
import Testing
import Tools

/// Expected lists for one recorded form.
struct NodeForm: Sendable, CustomTestStringConvertible {
    var recording: String
    var required: [String]
    var optional: [String]
    var readonly: [String]
    var testDescription: String { recording }
}

/// Every node of the seeded workflows as its assignee sees it, plus view forms.
let seededNodeForms: [NodeForm] = [
    NodeForm(
        recording: "I1_triage_claim.bob", required: [], optional: ["severity", "fixer"],
        readonly: ["title", "occurred_at", "description"]),
    NodeForm(
        recording: "I2_at_fix_bob.bob", required: ["resolution"], optional: [],
        readonly: ["title", "severity", "occurred_at", "fixer", "description"]),
    NodeForm(
        recording: "L1_at_lead.alice", required: ["lead_opinion"], optional: ["leave_proxy"],
        readonly: ["title", "leave_type", "leave_start", "leave_end", "leave_days", "leave_reason"]),
    NodeForm(
        recording: "L2_at_hr_bob.bob", required: ["hr_comment"], optional: ["leave_days"],
        readonly: ["title", "leave_type", "leave_start", "leave_end", "leave_proxy", "leave_reason", "lead_opinion"]),
    NodeForm(
        recording: "L5_draft.dave", required: ["title", "leave_type", "leave_start", "leave_end", "leave_days"],
        optional: ["leave_proxy", "leave_reason"], readonly: []),
    NodeForm(
        recording: "L4_rejected.bob", required: ["title", "leave_type", "leave_start", "leave_end", "leave_days"],
        optional: ["leave_proxy", "leave_reason"], readonly: []),
    NodeForm(
        recording: "V1_at_mgr.alice", required: [], optional: ["duration_days", "ip_whitelist"],
        readonly: ["title", "vpn_type", "access_start", "reason", "manager"]),
    NodeForm(
        recording: "V2_at_ops_bob.bob", required: ["ip_whitelist"], optional: ["ops_note"],
        readonly: ["title", "vpn_type", "access_start", "duration_days", "reason", "manager"]),
    NodeForm(
        recording: "L1_at_lead.admin", required: [], optional: [],
        readonly: [
            "title", "leave_type", "leave_start", "leave_end", "leave_days", "leave_proxy", "leave_reason",
            "lead_opinion", "hr_comment",
        ]),
    NodeForm(
        recording: "I2_at_fix_bob.admin", required: [], optional: [],
        readonly: ["title", "severity", "occurred_at", "fixer", "description", "resolution"]),
    NodeForm(
        recording: "V4_finished.bob", required: [], optional: [],
        readonly: ["title", "vpn_type", "access_start", "duration_days", "reason", "manager", "ip_whitelist", "ops_note"]),
]

/// Every recorded form that Loonflow served.
let servedFormRecordings: [String] = Recordings.names("rest", prefix: "ticket.ticket_detail_form.").filter {
    Recordings.load("rest", $0)["response"]?["body"]?["code"] == 0
}

@Suite struct FormPermissionsTests {
    static func permissions(ofRecording name: String) -> FormPermissions {
        let components = Recordings.restData(name)["form_schema"]?["component_info_list"]?.arrayValue ?? []
        return FormPermissions(componentInfoList: components)
    }

    @Test(arguments: seededNodeForms)
    func derivesTheListsOfEverySeededNode(_ node: NodeForm) {
        let form = Self.permissions(ofRecording: "ticket.ticket_detail_form.\(node.recording)")
        #expect(form.requiredFields == node.required)
        #expect(form.optionalFields == node.optional)
        #expect(form.readonlyFields == node.readonly)
    }

    @Test(arguments: servedFormRecordings)
    func listsPartitionEveryRecordedFormInFormOrder(_ name: String) {
        let components = Recordings.restData(name)["form_schema"]?["component_info_list"]?.arrayValue ?? []
        let form = FormPermissions(componentInfoList: components)
        let children = components.flatMap { $0["children"]?.arrayValue ?? [] }
        #expect(form.fields.map(\.key) == children.compactMap { $0["component_key"]?.stringValue })
        #expect(form.fieldPermissions.keys == form.fields.map(\.key))
        for child in children {
            let key = child["component_key"]?.stringValue ?? ""
            #expect(form.fieldPermissions[key] == child["component_permission"])
            #expect(form[key]?.currentValue == child["props"]?["value"] ?? .null)
        }
        let all = Set(form.requiredFields + form.optionalFields + form.readonlyFields)
        #expect(all.count == form.fields.count)
    }

    @Test func followsTheReferenceRulesExactly() {
        let components: [JSONValue] = [
            ["type": "text", "component_key": "top_level", "component_permission": "required"],
            [
                "type": "row", "component_key": "row_1",
                "children": [
                    ["type": "text", "component_key": " spaced ", "component_permission": " required "],
                    ["type": "text", "component_key": "   ", "component_permission": "required"],
                    ["type": "text", "component_permission": "required"],
                    ["type": "text", "component_key": "no_permission"],
                    ["type": "text", "component_key": "blank_permission", "component_permission": "  "],
                    ["type": "text", "component_key": "hidden_one", "component_permission": "hidden"],
                    ["type": "text", "component_key": "twice", "component_permission": "readonly"],
                ],
            ],
            ["type": "row", "component_key": "row_2"],
            [
                "type": "row",
                "children": [
                    ["type": "number", "component_key": "opt", "component_permission": "optional"],
                    ["type": "date", "component_key": "twice", "component_permission": "optional"],
                ],
            ],
        ]
        let form = FormPermissions(componentInfoList: components)
        #expect(
            form.fieldPermissions == [
                "spaced": "required", "no_permission": "readonly", "blank_permission": "readonly",
                "hidden_one": "hidden", "twice": "optional", "opt": "optional",
            ])
        #expect(form.fieldPermissions.keys == ["spaced", "no_permission", "blank_permission", "hidden_one", "twice", "opt"])
        #expect(form.requiredFields == ["spaced"])
        #expect(form.optionalFields == ["twice", "opt"])
        #expect(form.readonlyFields == ["no_permission", "blank_permission", "hidden_one"])
        #expect(form["twice"]?.type == "date")
        #expect(form["top_level"] == nil)
    }
}
