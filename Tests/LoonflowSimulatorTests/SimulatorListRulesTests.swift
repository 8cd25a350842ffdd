import Auth
import FixtureReplay
import JSON
import LoonflowClient
import LoonflowSimulator
import Testing

/// The list, filter, search and pagination rules against real answers: every query of
/// `check/expected_lists.json` was sent to a live Loonflow 3.2.1 right after the model beside it
/// was recorded (scripts/simulator-agreement --save), and the simulator must answer the same.
@Suite struct SimulatorListRulesTests {
    @Test func everyRecordedListAndUserQueryGetsLoonflowsAnswer() throws {
        let expected = try SimulatorFixtures.json(SimulatorFixtures.check + "/expected_lists.json")
        let recordedAt = try #require(expected["recorded_at"]?.intValue)
        // The clock is pinned to the recording, so the default window does not depend on the date.
        let simulator = try LoonflowSimulator(directory: SimulatorFixtures.check, clock: { Int64(recordedAt) })
        let tokens = try SimulatorFixtures.tokens(SimulatorFixtures.check)
        let queries = try #require(expected["queries"]?.arrayValue)
        #expect(queries.count >= 300)
        var differences: [String] = []
        for query in queries {
            let user = query["as"]?.stringValue ?? ""
            let path = query["path"]?.stringValue ?? ""
            let answer = simulator.answer(SimulatorFixtures.request("GET", path, query: query["query"], token: tokens[user]))
            let loonflow = query["answer"] ?? .null
            let matches: Bool
            if case .string = loonflow {
                matches = answer.status == 500  // Django's error page
            } else {
                matches = answer.status == 200 && SimulatorFixtures.parse(answer) == loonflow
            }
            if !matches { differences.append("\(user) GET \(path) \(query["query"] ?? .null)") }
        }
        #expect(differences.isEmpty, "\(differences.count) answers differ from Loonflow's: \(differences.prefix(10))")
    }

    @Test func categoriesDifferPerUserAsLoonflowsDo() throws {
        // A sanity check that the comparison above is not vacuous: the recorded answers disagree
        // between users, and the simulator follows them.
        let simulator = try LoonflowSimulator(directory: SimulatorFixtures.check, clock: { 1_796_122_800 })
        let tokens = try SimulatorFixtures.tokens(SimulatorFixtures.check)
        let duty = { (user: String) in
            SimulatorFixtures.parse(simulator.answer(SimulatorFixtures.request("GET", "/tickets", query: ["category": "duty"], token: tokens[user])))?["data"]?["total"]
        }
        #expect(duty("admin") == 0, "Loonflow's admin is nobody's handler")
        #expect(duty("alice") != duty("bob"))
    }

    @Test func badTokensAndMissingTokensAnswerAsLoonflow() throws {
        let simulator = try LoonflowSimulator(directory: SimulatorFixtures.demo)
        let stranger = "lfpat.0b1c2d3e-4f50-4a1b-8c2d-3e4f5a6b7c8d." + String(repeating: "Q", count: 64)
        #expect(simulator.answer(SimulatorFixtures.request("GET", "/tickets", query: ["category": "duty"], token: stranger)).status == 500)
        let anonymous = simulator.answer(SimulatorFixtures.request("GET", "/tickets", query: ["category": "duty"], token: nil))
        #expect(anonymous.status == 401)
        #expect(String(decoding: anonymous.body, as: UTF8.self).contains("permission check fail"))
    }
}

/// What the simulator cannot know reaches the model as its own note, not as Loonflow's refusal.
@Suite struct SimulatorNoteTests {
    @Test func anUnsimulatedEndpointSaysSoWithoutBlamingLoonflow() async throws {
        let simulator = try LoonflowSimulator(directory: SimulatorFixtures.demo)
        let tokens = try SimulatorFixtures.tokens(SimulatorFixtures.demo)
        let client = LoonflowClient(baseURL: "http://simulator.invalid", http: simulator)
        let token = try AccessTokenValidator(jwtKey: nil).validate(try #require(tokens["alice"])).get()
        let result = await client.get("accounts/my_profile", token: token, appName: "loonflow")
        guard case .failure(let error) = result else {
            Issue.record("an unsimulated endpoint answered \(result)")
            return
        }
        #expect(error.message.hasPrefix("Loonflow simulator: GET /api/v1.0/accounts/my_profile is not simulated"))
        #expect(!error.message.contains("Loonflow refused the request"))
    }
}
