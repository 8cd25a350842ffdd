import JSON

/// A request no fixture answers. Its 404 JSON says what was asked, which recordings come
/// closest (same method and path first, then same path) and how to record the missing one.
package struct ReplayMiss: Sendable {
    package static let maxSuggestions = 5

    package let request: FixtureRequest
    package let caller: FixtureCaller
    package let directory: String
    /// The closest fixtures, best first.
    package let closest: [Fixture]
    let closestCallers: [FixtureCaller]

    init(request: FixtureRequest, caller: FixtureCaller, set: FixtureSet) {
        self.request = request
        self.caller = caller
        self.directory = set.directory
        let ranked = Self.rank(request, caller: caller, in: set)
        self.closest = ranked.map(\.fixture)
        self.closestCallers = ranked.map(\.caller)
    }

    /// The command that records the missing exchange into this set.
    package var recordCommand: String {
        "loonflow-mcp-gateway record --upstream <LOONFLOW_URL> --out \(directory)"
    }

    /// One paragraph for a person or a model: what did not match, what did, what to do.
    package var diagnostic: String {
        var text =
            "Fixture replay: no recorded Loonflow exchange in \(directory) matches \(request.summary) "
            + "for \(caller)\(request.body == nil ? "" : " with this request body"). This gateway replays "
            + "recorded answers instead of calling Loonflow, so only recorded requests work."
        if closest.isEmpty {
            text += " Nothing was recorded for \(request.path) or its endpoint."
        } else {
            let listed = zip(closest, closestCallers).map { "\($0.request.summary) for \($1)" }
            text += " Closest recorded: " + listed.joined(separator: "; ") + "."
        }
        text += " To add this exchange, run `\(recordCommand)` against a real Loonflow and repeat the call through it."
        return text
    }

    /// The 404 body (compact JSON, `application/json`).
    package var answer: ReplayAnswer {
        var asked: JSONObject = [
            "method": .string(request.method), "path": .string(request.path), "query": .string(request.normalizedQuery),
            "caller": .string(caller.description),
        ]
        if let appName = request.appName { asked["appname"] = .string(appName) }
        if case .json(let body)? = request.body { asked["body"] = body }
        let suggestions: [JSONValue] = zip(closest, closestCallers).map { fixture, caller in
            [
                "file": .string(fixture.fileName), "request": .string(fixture.request.summary),
                "caller": .string(caller.description),
            ]
        }
        let body: JSONValue = [
            "error": "no fixture matches this request",
            "diagnostic": .string(diagnostic),
            "request": .object(asked),
            "closest": .array(suggestions),
            "fixtures": .string(directory),
            "record": .string(recordCommand),
        ]
        return ReplayAnswer(status: 404, contentType: "application/json", body: body.serialized)
    }

    /// Same method and path first, then the same path, then the same endpoint for another id
    /// (`tickets/{id}/ticket_detail_form`); within each, same caller first, then the most query
    /// parameters in common, then the fewest parameters only one side has.
    private static func rank(_ request: FixtureRequest, caller: FixtureCaller, in set: FixtureSet) -> [(
        fixture: Fixture, caller: FixtureCaller
    )] {
        let wanted = Set(FixtureQuery.normalized(request.query, path: request.path, method: request.method))
        let wantedNames = Set(wanted.map(\.name))
        let endpoint = FixturePath.endpoint(request.path)
        let scored = set.fixtures.compactMap { fixture -> (score: [Int], fixture: Fixture, caller: FixtureCaller)? in
            let samePath = fixture.request.path == request.path
            guard samePath || FixturePath.endpoint(fixture.request.path) == endpoint else { return nil }
            let sameMethod = fixture.request.method == request.method
            let tier = (samePath ? 0 : 2) + (sameMethod ? 0 : 1)
            let recordedCaller = set.caller(of: fixture)
            let recordedQuery = FixtureQuery.normalized(
                fixture.request.query, path: fixture.request.path, method: fixture.request.method)
            let common = Set(recordedQuery).intersection(wanted).count
            let otherNames = Set(recordedQuery.map(\.name)).symmetricDifference(wantedNames).count
            return ([tier, recordedCaller == caller ? 0 : 1, -common, otherNames], fixture, recordedCaller)
        }
        let sorted = scored.sorted { lhs, rhs in
            lhs.score != rhs.score
                ? lhs.score.lexicographicallyPrecedes(rhs.score) : lhs.fixture.fileName < rhs.fixture.fileName
        }
        return sorted.prefix(maxSuggestions).map { ($0.fixture, $0.caller) }
    }
}
