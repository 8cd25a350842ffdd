import Glibc
package import HTTPMessage
import JSON
import PlainText
import Synchronization

/// Passes every request to the real Loonflow and writes the exchange into a fixture set:
/// one file per exchange (rewritten when the same request is recorded again) and the set's
/// tokens.json. Tokens never reach the disk: headers, query values and bodies carry
/// placeholders, and tokens.json only their SHA-256.
///
/// Placeholders: a JWT is named after the user its payload names (`<JWT_alice>`, role from its
/// `type`); a PAT says nothing about its owner, so PATs are numbered in order of first use
/// (`<PAT_1>`, `<PAT_2>`) unless `names` maps the token's SHA-256 to a user name
/// (`<PAT_alice>`). Recording into an existing set keeps the placeholders it already lists.
package final class FixtureRecorder: HTTPClient {
    package let upstream: any HTTPClient
    package let directory: String
    private let names: [String: String]
    private let reportFailure: @Sendable (FixtureError) -> Void
    private let state: Mutex<State>

    struct State {
        var tokens: FixtureTokens
        var scrubber = TokenScrubber()
    }

    /// The environment variable that maps token hashes to user names.
    package static let namesVariable = "LOONFLOW_MCP_RECORD_NAMES"

    /// Prepares `directory`: creates it when missing and reads its tokens.json when present.
    /// - Parameters:
    ///   - names: lowercase hex SHA-256 of a token → the user name its placeholder should carry.
    ///   - reportFailure: called when an exchange could not be written (the response is still
    ///     returned to the caller); writes to standard error by default.
    /// - Throws: `FixtureError` when the folder cannot be created or its tokens.json is invalid.
    package init(
        upstream: any HTTPClient, directory: String, names: [String: String] = [:],
        reportFailure: @escaping @Sendable (FixtureError) -> Void = FixtureRecorder.writeToStandardError
    ) throws(FixtureError) {
        self.upstream = upstream
        self.directory = directory
        self.names = Dictionary(names.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.reportFailure = reportFailure
        try FixtureFiles.makeDirectory(directory)
        let existing = directory + "/" + FixtureTokens.fileName
        let tokens = try FixtureFiles.read(existing).map { bytes throws(FixtureError) in
            try FixtureTokens.parse(bytes, path: existing)
        } ?? FixtureTokens()
        self.state = Mutex(State(tokens: tokens))
    }

    /// Parses `LOONFLOW_MCP_RECORD_NAMES`: a JSON object `{"<sha256 hex>": "alice", …}`.
    /// - Throws: `FixtureError` when the text is not such an object.
    package static func names(fromJSON text: String?) throws(FixtureError) -> [String: String] {
        guard let text, !text.trimmingWhitespaceForNames.isEmpty else { return [:] }
        guard case .object(let object)? = try? JSONParser().parse(text) else {
            throw FixtureError("\(namesVariable) must be a JSON object {\"<sha256 hex of a token>\": \"<user name>\", …}")
        }
        var names: [String: String] = [:]
        for (hash, value) in object {
            guard let name = value.stringValue, !name.isEmpty else {
                throw FixtureError("\(namesVariable): the value for \(hash.prefix(12))… must be a non-empty user name")
            }
            names[hash.lowercased()] = name
        }
        return names
    }

    package func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        let response = try await upstream.send(request)
        do {
            try record(request, response)
        } catch {
            reportFailure(error)
        }
        return response
    }

    /// Turns the exchange into a fixture and writes it (and tokens.json when a caller is new).
    private func record(_ request: UpstreamRequest, _ response: UpstreamResponse) throws(FixtureError) {
        try state.withLock { (state: inout State) throws(FixtureError) in
            let authorization = try placeholderAuthorization(request.headers["Authorization"], state: &state)
            let fixture = Self.fixture(request, response, authorization: authorization, scrubber: state.scrubber)
            try FixtureFiles.writeAtomically(fixture.fileBytes, to: directory + "/" + fixture.fileName)
        }
    }

    /// `Bearer <PAT_1>` for `Bearer lfpat.…`; registers a caller seen for the first time.
    private func placeholderAuthorization(_ header: String?, state: inout State) throws(FixtureError) -> String? {
        guard let header, !header.trimmingWhitespaceForNames.isEmpty else { return nil }
        let isBearer = header.hasPrefix("Bearer ")
        let token = isBearer ? String(header.dropFirst(7)).trimmingWhitespaceForNames : header
        let placeholder = try placeholder(for: token, state: &state)
        return isBearer ? "Bearer \(placeholder)" : placeholder
    }

    private func placeholder(for token: String, state: inout State) throws(FixtureError) -> String {
        let hash = FixtureTokens.fingerprint(token)
        if let entry = state.tokens.entry(sha256: hash) {
            state.scrubber.remember(token, as: entry.placeholder)
            return entry.placeholder
        }
        let identity = CallerIdentity(token: token)
        let user = names[hash] ?? identity.user
        let placeholder = Self.freePlaceholder(kind: identity.kind, user: user, taken: state.tokens)
        let entry = FixtureToken(
            placeholder: placeholder, user: user ?? "unknown",
            role: identity.role ?? "unknown", sha256: hash)
        var tokens = state.tokens
        tokens.append(entry)
        try FixtureFiles.writeAtomically(tokens.fileBytes, to: directory + "/" + FixtureTokens.fileName)
        state.tokens = tokens
        state.scrubber.remember(token, as: placeholder)
        return placeholder
    }

    /// `<PAT_alice>` (or `<PAT_alice_2>` if taken) for a named caller, else the lowest free `<PAT_n>`.
    static func freePlaceholder(kind: String, user: String?, taken: FixtureTokens) -> String {
        if let user {
            let base = "\(kind)_\(CallerIdentity.sanitized(user))"
            if taken.entry(placeholder: "<\(base)>") == nil { return "<\(base)>" }
            var suffix = 2
            while taken.entry(placeholder: "<\(base)_\(suffix)>") != nil { suffix += 1 }
            return "<\(base)_\(suffix)>"
        }
        var number = 1
        while taken.entry(placeholder: "<\(kind)_\(number)>") != nil { number += 1 }
        return "<\(kind)_\(number)>"
    }

    /// The exchange with every secret replaced.
    static func fixture(
        _ request: UpstreamRequest, _ response: UpstreamResponse, authorization: String?, scrubber: TokenScrubber
    ) -> Fixture {
        let (path, rawQuery) = FixturePath.split(url: request.url)
        let query = FixtureQuery.parse(rawQuery).map { QueryPair(scrubber.scrub($0.name), scrubber.scrub($0.value)) }
        let body = request.body.flatMap { $0.isEmpty ? nil : FixtureBody(bytes: $0).mapStrings(scrubber.scrub) }
        let recordedRequest = FixtureRequest(
            method: request.method, path: scrubber.scrub(path), query: query, authorization: authorization,
            appName: request.headers["appname"].map(scrubber.scrub), body: body)
        let recordedResponse = FixtureResponse(
            status: response.status, contentType: response.headers["Content-Type"],
            body: FixtureBody(bytes: response.body).mapStrings(scrubber.scrub))
        return Fixture(request: recordedRequest, response: recordedResponse)
    }

    /// Writes `loonflow-mcp-gateway: record: <problem>` to standard error.
    package static func writeToStandardError(_ error: FixtureError) {
        let bytes = Array("loonflow-mcp-gateway: record: \(error.description)\n".utf8)
        bytes.withUnsafeBytes { raw in _ = write(2, raw.baseAddress, raw.count) }
    }
}

extension String {
    fileprivate var trimmingWhitespaceForNames: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
