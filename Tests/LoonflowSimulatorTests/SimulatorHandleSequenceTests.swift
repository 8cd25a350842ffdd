import FixtureReplay
import JSON
import LoonflowSimulator
import Testing

/// A demo ticket walked from creation to finished (dave creates a Leave Request, alice approves,
/// bob confirms). After every step the duty, worked and relation lists of each involved user must
/// be what Loonflow answered when the same sequence ran on the live deployment the demo model was
/// recorded from (`sequences/leave_to_finished.json`, written by scripts/record-simulator --sequence).
@Suite struct SimulatorHandleSequenceTests {
    static let recordedClock: Int64 = 1_796_122_800  // 2026-12-01 11:00 UTC, minutes after the recording

    @Test func aDemoTicketMovesThroughTheListsAsInLoonflow() throws {
        let sequence = try SimulatorFixtures.json(SimulatorFixtures.demo + "/sequences/leave_to_finished.json")
        let placeholder = try #require(sequence["ticket_placeholder"]?.stringValue)
        let simulator = try LoonflowSimulator(directory: SimulatorFixtures.demo, clock: { Self.recordedClock })
        let tokens = try SimulatorFixtures.tokens(SimulatorFixtures.demo)
        var ticket = ""
        for (index, step) in (sequence["steps"]?.arrayValue ?? []).enumerated() {
            let user = step["as"]?.stringValue ?? ""
            let path = (step["path"]?.stringValue ?? "").replacingOccurrences(of: "{ticket}", with: ticket)
            let answer = simulator.answer(
                SimulatorFixtures.request(step["method"]?.stringValue ?? "", path, body: step["body"], token: tokens[user]))
            var reply = try #require(SimulatorFixtures.parse(answer), "step \(index) answered no JSON")
            if ticket.isEmpty { ticket = try #require(reply["data"]?["ticket_id"]?.stringValue, "step \(index): \(reply)") }
            reply = mapped(reply, ticket, placeholder)
            #expect(reply == step["response"], "step \(index) (\(user) \(path)) answered \(reply)")
            for (listUser, categories) in step["lists"]?.objectValue ?? JSONObject() {
                for (category, expected) in categories.objectValue ?? JSONObject() {
                    let ids = listIDs(simulator, category: category, token: tokens[listUser]).map { $0 == ticket ? placeholder : $0 }
                    #expect(
                        .array(ids.map(JSONValue.string)) == expected,
                        "after step \(index) (\(user)): \(listUser)'s \(category) list")
                }
            }
            let state = row(simulator, ticket, token: tokens["admin"])?["act_state"]
            #expect(state == step["ticket_act_state"], "after step \(index): act_state \(state ?? .null)")
        }
        #expect(!ticket.isEmpty)
    }

    @Test func aRefusedHandleChangesNothing() throws {
        let simulator = try LoonflowSimulator(directory: SimulatorFixtures.demo, clock: { Self.recordedClock })
        let tokens = try SimulatorFixtures.tokens(SimulatorFixtures.demo)
        let before = listIDs(simulator, category: "duty", token: tokens["alice"])
        let ticket = try #require(before.first)
        // bob is not a handler of alice's tickets: Loonflow refuses, and the lists stay.
        let answer = simulator.answer(
            SimulatorFixtures.request(
                "POST", "/tickets/\(ticket)/handle", body: ["action_type": "agree", "action_id": "x", "action_props": [:]],
                token: tokens["bob"]))
        #expect(SimulatorFixtures.parse(answer)?["msg"] == "user has no permission to handle this ticket")
        #expect(listIDs(simulator, category: "duty", token: tokens["alice"]) == before)
    }

    @Test func aRestartStartsFromTheRecording() throws {
        let tokens = try SimulatorFixtures.tokens(SimulatorFixtures.demo)
        let first = try LoonflowSimulator(directory: SimulatorFixtures.demo, clock: { Self.recordedClock })
        let sequence = try SimulatorFixtures.json(SimulatorFixtures.demo + "/sequences/leave_to_finished.json")
        let create = try #require(sequence["steps"]?.arrayValue?.first)
        _ = first.answer(SimulatorFixtures.request("POST", "/tickets", body: create["body"], token: tokens["dave"]))
        let second = try LoonflowSimulator(directory: SimulatorFixtures.demo, clock: { Self.recordedClock })
        #expect(listIDs(first, category: "owner", token: tokens["dave"]).count == listIDs(second, category: "owner", token: tokens["dave"]).count + 1)
    }

    private func listIDs(_ simulator: LoonflowSimulator, category: String, token: String?) -> [String] {
        // Every row: the recording read every page.
        let answer = simulator.answer(
            SimulatorFixtures.request("GET", "/tickets", query: ["category": .string(category), "per_page": 100], token: token))
        return (SimulatorFixtures.parse(answer)?["data"]?["ticket_list"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    private func row(_ simulator: LoonflowSimulator, _ ticket: String, token: String?) -> JSONValue? {
        let answer = simulator.answer(
            SimulatorFixtures.request("GET", "/tickets", query: ["category": "all", "per_page": 100], token: token))
        return SimulatorFixtures.parse(answer)?["data"]?["ticket_list"]?.arrayValue?.first { $0["id"]?.stringValue == ticket }
    }

    private func mapped(_ value: JSONValue, _ ticket: String, _ placeholder: String) -> JSONValue {
        (try? JSONParser().parse(Array(JSONSerializer().string(value).replacingOccurrences(of: ticket, with: placeholder).utf8))) ?? value
    }
}
