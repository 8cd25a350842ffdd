import Foundation
import JSON
import MCPCore
import TestSupport
import Testing
import Tools

/// Hidden characters in Loonflow's text never reach the model, and their removal is visible.
@Suite struct TextHygieneTests {
    /// The byte scan that lets most text skip decoding must see every scalar `isHidden`
    /// names, alone and inside other text, and no ASCII.
    @Test func theByteScanSeesEveryHiddenScalar() {
        let ranges: [ClosedRange<UInt32>] = [0x0600...0x0700, 0x2000...0x2100, 0xFE00...0xFFFF, 0xE0000...0xE0100]
        var checked = 0
        for range in ranges {
            for value in range {
                guard let scalar = Unicode.Scalar(value), TextHygiene.isHidden(scalar) else { continue }
                checked += 1
                #expect(TextHygiene.mayHoldHidden("ok \(Character(scalar)) ok"), "U+\(String(value, radix: 16))")
            }
        }
        #expect(checked == 5 + 5 + 5 + 4 + 1 + 1 + 128)
        #expect(!TextHygiene.mayHoldHidden(String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)))
        #expect(!TextHygiene.mayHoldHidden("申请人 Ünïcödé"))
    }

    /// One sample of each class the gateway removes.
    static let hidden: [(String, String)] = [
        ("zero-width space", "\u{200B}"), ("zero-width non-joiner", "\u{200C}"), ("zero-width joiner", "\u{200D}"),
        ("left-to-right mark", "\u{200E}"), ("right-to-left mark", "\u{200F}"), ("LRE", "\u{202A}"),
        ("RLE", "\u{202B}"), ("PDF", "\u{202C}"), ("LRO", "\u{202D}"), ("RLO", "\u{202E}"), ("LRI", "\u{2066}"),
        ("RLI", "\u{2067}"), ("FSI", "\u{2068}"), ("PDI", "\u{2069}"), ("word joiner", "\u{2060}"),
        ("BOM", "\u{FEFF}"), ("tag space", "\u{E0020}"), ("tag letter", "\u{E0049}"), ("cancel tag", "\u{E007F}"),
        ("Arabic letter mark", "\u{061C}"),
    ]
    static let allHidden = hidden.map(\.1).joined()

    @Test(arguments: hidden.map(\.0))
    func eachClassIsRemoved(_ name: String) {
        let character = Self.hidden.first { $0.0 == name }!.1
        let (text, removed) = TextHygiene.clean("ap\(character)prove")
        #expect(text == "approve")
        #expect(removed == character.unicodeScalars.count)
    }

    @Test func visibleTextIsKeptAsItIs() {
        let text = "Congé — 休假 ✓ naïve e\u{301} 👍🏽 tab\there"
        #expect(TextHygiene.clean(text) == (text, 0))
    }

    @Test func keysAreKeptAndValuesCleanedAtEveryDepth() {
        let value: JSONValue = ["k\u{200B}": ["a\u{202E}b", 1, ["c": "d\u{FEFF}"]], "n": 2, "b": true]
        let (cleaned, removed) = TextHygiene.clean(value)
        #expect(cleaned == ["k\u{200B}": ["ab", 1, ["c": "d"]], "n": 2, "b": true])
        #expect(removed == 2)
    }

    /// The L1 form as Loonflow recorded it, with every class hidden in the title, a textarea
    /// and a select value; `ticket_detail` through the catalogue shows them clean.
    @Test func aTicketsTitleAndFieldsComeOutCleanWithTheCountReported() async throws {
        let rig = try TicketToolRig()
        let path = "/api/v1.0/tickets/\(Seed.l1)/ticket_detail_form"
        var body = try JSONParser(maxDepth: 512).parse(TestUpstream.recordingBody(named: "ticket.ticket_detail_form.L1_at_lead.alice"))
        var planted = 0
        body = Self.plant(in: body, keys: ["title", "leave_reason", "leave_type"], planted: &planted)
        #expect(planted == 3)
        rig.upstream.route("GET", path, reply: .json(body.serialized))
        let tool = ToolCatalog.tools(environment: rig.environment, enabled: ["ticket_detail"]).first!
        let result = await tool.call(arguments: ["ticket_id": .string(Seed.l1)], context: rig.context("alice"))
        #expect(!result.isError, "\(result.text)")
        let scalars = Self.allHidden.unicodeScalars.count
        #expect(result.meta[TextHygiene.metaKey] == .number(3 * scalars))
        #expect(result.notes.count == 1)
        #expect(result.notes.first?.contains("removed \(3 * scalars) invisible") == true)
        #expect(!result.text.unicodeScalars.contains(where: TextHygiene.isHidden))
        #expect(!JSONSerializer().string(result.structured).unicodeScalars.contains(where: TextHygiene.isHidden))
        #expect(result.text == JSONSerializer().string(result.structured))
        let json = result.json
        #expect(json["_meta"]?[TextHygiene.metaKey] == .number(3 * scalars))
        #expect(json["content"]?.arrayValue?.count == 2)
    }

    /// A history comment carrying every class comes out clean, through the catalogue.
    @Test func aHistoryCommentComesOutClean() async throws {
        let rig = try TicketToolRig()
        let text = String(decoding: TestUpstream.recordingBody(named: "ticket.ticket_flow_history.L2_at_hr_bob.bob"), as: UTF8.self)
        let planted = text.replacingOccurrences(of: "\"approved\"", with: "\"appr\(Self.allHidden)oved\"")
        #expect(planted != text)
        rig.upstream.route("GET", "/api/v1.0/tickets/\(Seed.l2)/ticket_flow_history", reply: .json(planted))
        rig.upstream.route("GET", "/api/v1.0/tickets/\(Seed.l2)/current_node_infos", reply: TestUpstream.recordingReply(named: "ticket.current_node_infos.L2_at_hr_bob.admin"))
        let tool = ToolCatalog.tools(environment: rig.environment, enabled: ["ticket_history"]).first!
        let result = await tool.call(arguments: ["ticket_id": .string(Seed.l2)], context: rig.context("bob"))
        #expect(result.structuredContent?["history"]?.arrayValue?.first?["comment"] == "approved", "\(result.text)")
        #expect(result.meta[TextHygiene.metaKey] == .number(Self.allHidden.unicodeScalars.count))
    }

    @Test func aCleanAnswerHasNoNoteAndNoMeta() async throws {
        let rig = try TicketToolRig()
        let tool = ToolCatalog.tools(environment: rig.environment, enabled: ["ticket_detail"]).first!
        let result = await tool.call(arguments: ["ticket_id": .string(Seed.l1)], context: rig.context("alice"))
        #expect(!result.isError)
        #expect(result.meta.isEmpty)
        #expect(result.json["content"]?.arrayValue?.count == 1)
        #expect(result.json["_meta"] == nil)
    }

    /// A read-only field whose stored value carries hidden characters is left unchanged when
    /// the model sends back the clean value it was shown.
    @Test func aReadOnlyValueShownCleanCountsAsUnchanged() throws {
        let form = FormPermissions(componentInfoList: [
            ["type": "row", "children": [["component_key": "leave_reason", "type": "textarea", "component_permission": "readonly", "props": ["value": "Flu\u{200B}"]]]]
        ])
        #expect(throws: Never.self) { try FieldValueCheck.check(["leave_reason": "Flu"], form: form) }
        #expect(throws: ToolFailure.self) { try FieldValueCheck.check(["leave_reason": "Cold"], form: form) }
    }

    /// Appends every hidden class to `props.value` of the named fields.
    static func plant(in value: JSONValue, keys: Set<String>, planted: inout Int) -> JSONValue {
        switch value {
        case .object(var object):
            if let key = object["component_key"]?.stringValue, keys.contains(key),
                case .object(var props)? = object["props"], let text = props["value"]?.stringValue
            {
                props["value"] = .string("\(allHidden)\(text)")
                object["props"] = .object(props)
                planted += 1
                return .object(object)
            }
            for (key, member) in object { object[key] = plant(in: member, keys: keys, planted: &planted) }
            return .object(object)
        case .array(let elements):
            return .array(elements.map { plant(in: $0, keys: keys, planted: &planted) })
        default:
            return value
        }
    }
}
