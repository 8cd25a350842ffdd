import Auth
import JSON

/// A folder of recorded Loonflow exchanges (`Fixtures/<set>/`): one JSON file per exchange
/// plus `tokens.json`. Read once; answering never changes it, so replay is stateless.
package struct FixtureSet: Sendable {
    package let directory: String
    /// Every exchange, sorted by file name.
    package let fixtures: [Fixture]
    package let tokens: FixtureTokens
    private let index: [MatchKey: [Int]]
    /// The first exchange recorded with a token tokens.json does not list, if any.
    private let unknownTokenExchange: Int?

    package var exchangeCount: Int { fixtures.count }

    /// What selects a fixture besides the request body.
    struct MatchKey: Hashable {
        var method: String
        var path: String
        var query: String
        var appName: String?
        var caller: FixtureCaller
    }

    /// Builds a set from fixtures already in memory.
    /// - Throws: `FixtureError` when two fixtures answer the same request.
    package init(directory: String, fixtures: [Fixture], tokens: FixtureTokens) throws(FixtureError) {
        self.directory = directory
        self.fixtures = fixtures.sorted { $0.fileName < $1.fileName }
        self.tokens = tokens
        var index: [MatchKey: [Int]] = [:]
        var unknown: Int?
        for (position, fixture) in self.fixtures.enumerated() {
            let key = Self.key(fixture.request, caller: .recorded(fixture.request, tokens: tokens))
            for other in index[key, default: []] where self.fixtures[other].request.body == fixture.request.body {
                throw FixtureError(
                    "\(directory): \(self.fixtures[other].fileName) and \(fixture.fileName) record the same request; delete one")
            }
            index[key, default: []].append(position)
            if unknown == nil, key.caller == .unknown { unknown = position }
        }
        self.index = index
        self.unknownTokenExchange = unknown
    }

    /// Reads every `*.json` file of `directory` and its `tokens.json`.
    /// - Throws: `FixtureError` naming the first file that cannot be used.
    package static func load(directory: String) throws(FixtureError) -> FixtureSet {
        var folder = directory
        while folder.count > 1, folder.hasSuffix("/") { folder.removeLast() }
        let tokens = try FixtureTokens.load(directory: folder)
        var fixtures: [Fixture] = []
        for name in try FixtureFiles.fixtureNames(in: folder) {
            guard let bytes = FixtureFiles.read(folder + "/" + name) else {
                throw FixtureError("cannot read \(folder)/\(name)")
            }
            fixtures.append(try Fixture.parse(bytes, fileName: name))
        }
        return try FixtureSet(directory: folder, fixtures: fixtures, tokens: tokens)
    }

    static func key(_ request: FixtureRequest, caller: FixtureCaller) -> MatchKey {
        MatchKey(
            method: request.method, path: request.path, query: request.normalizedQuery, appName: request.appName,
            caller: caller)
    }

    /// The recorded answer to `request`, sent by `caller`.
    package func lookup(_ request: FixtureRequest, caller: FixtureCaller) -> Fixture? {
        let candidates = index[Self.key(request, caller: caller)] ?? []
        return candidates.first { fixtures[$0].request.body == request.body }.map { fixtures[$0] }
    }

    /// Answers one request: its fixture; for an unknown token the set's unknown-token exchange
    /// or Loonflow's 500; otherwise a 404 whose JSON names the closest fixtures.
    package func answer(_ request: ReplayRequest) -> ReplayAnswer {
        let caller = FixtureCaller.presenting(request.authorization, tokens: tokens)
        let wanted = request.fixtureRequest
        if let fixture = lookup(wanted, caller: caller) { return ReplayAnswer(fixture) }
        if caller == .unknown {
            if let position = unknownTokenExchange { return ReplayAnswer(fixtures[position]) }
            return .unknownToken
        }
        return ReplayMiss(request: wanted, caller: caller, set: self).answer
            .redacting(SecretRedactor(authorization: request.authorization))
    }

    /// The caller a fixture was recorded for, as matching sees it.
    func caller(of fixture: Fixture) -> FixtureCaller { .recorded(fixture.request, tokens: tokens) }
}
