import Crypto
import JSON

/// One caller of a fixture set: the placeholder that stands for its token in the fixtures,
/// and the SHA-256 that lets replay recognise the token without storing it.
package struct FixtureToken: Sendable, Equatable {
    /// `<PAT_alice>`, `<JWT_bob>`: exactly as it appears in `Authorization: Bearer <PAT_alice>`.
    package var placeholder: String
    package var user: String
    /// Loonflow's user type (`admin`, `workflow_admin`, `normal`), or `unknown`.
    package var role: String
    /// Lowercase hex SHA-256 of the token replay accepts for this caller.
    package var sha256: String
    /// In shipped demo sets: a token that means nothing outside the set, to try it with.
    package var demoToken: String?

    package init(placeholder: String, user: String, role: String, sha256: String, demoToken: String? = nil) {
        self.placeholder = placeholder
        self.user = user
        self.role = role
        self.sha256 = sha256
        self.demoToken = demoToken
    }
}

/// A set's `tokens.json`: placeholder → `{user, role, sha256, demo_token?}`, in file order.
package struct FixtureTokens: Sendable, Equatable {
    package static let fileName = "tokens.json"

    package private(set) var entries: [FixtureToken] = []

    package init(_ entries: [FixtureToken] = []) { self.entries = entries }

    /// Hex SHA-256 of a token's text: how replay and tokens.json name a caller.
    package static func fingerprint(_ token: String) -> String {
        SHA256.hash(Array(token.utf8)).hexString
    }

    package func entry(placeholder: String) -> FixtureToken? {
        entries.first { $0.placeholder == placeholder }
    }

    package func entry(sha256: String) -> FixtureToken? {
        entries.first { $0.sha256 == sha256 }
    }

    /// Appends an entry; the caller makes sure neither its placeholder nor its hash is listed yet.
    mutating func append(_ entry: FixtureToken) {
        entries.append(entry)
    }

    /// Reads `tokens.json` from `directory`.
    /// - Throws: `FixtureError` when the file is missing, unreadable or not of the documented shape.
    package static func load(directory: String) throws(FixtureError) -> FixtureTokens {
        let path = directory + "/" + fileName
        guard let bytes = FixtureFiles.read(path) else {
            throw FixtureError("\(path) is missing: every fixture set needs tokens.json (see Fixtures/README.md)")
        }
        return try parse(bytes, path: path)
    }

    static func parse(_ bytes: [UInt8], path: String) throws(FixtureError) -> FixtureTokens {
        let root: JSONValue
        do {
            root = try JSONParser().parse(bytes)
        } catch {
            throw FixtureError("\(path) is not valid JSON: \(error)")
        }
        guard case .object(let object) = root else { throw FixtureError("\(path) must hold a JSON object") }
        var tokens = FixtureTokens()
        for (placeholder, value) in object {
            let entry = try parseEntry(placeholder: placeholder, value, path: path)
            guard tokens.entry(sha256: entry.sha256) == nil else {
                throw FixtureError("\(path): two placeholders share the sha256 of \(placeholder)")
            }
            tokens.append(entry)
        }
        return tokens
    }

    private static func parseEntry(placeholder: String, _ value: JSONValue, path: String) throws(FixtureError) -> FixtureToken {
        guard placeholder.hasPrefix("<"), placeholder.hasSuffix(">"), placeholder.count > 2 else {
            throw FixtureError("\(path): key \"\(placeholder)\" is not a placeholder like <PAT_alice>")
        }
        guard let sha = value["sha256"]?.stringValue, sha.utf8.count == 64, [UInt8](hexString: sha) != nil else {
            throw FixtureError("\(path): \(placeholder) needs \"sha256\": 64 hex digits of the token's SHA-256")
        }
        let demo = value["demo_token"]?.stringValue
        if let demo, fingerprint(demo) != sha.lowercased() {
            throw FixtureError("\(path): the demo_token of \(placeholder) does not hash to its sha256")
        }
        return FixtureToken(
            placeholder: placeholder, user: value["user"]?.stringValue ?? "", role: value["role"]?.stringValue ?? "unknown",
            sha256: sha.lowercased(), demoToken: demo)
    }

    /// The file's text: entries in order, each with `user`, `role`, `sha256`, `demo_token`.
    package var fileBytes: [UInt8] {
        let object = JSONObject(
            entries.map { entry in
                var fields: [(String, JSONValue)] = [
                    ("user", .string(entry.user)), ("role", .string(entry.role)), ("sha256", .string(entry.sha256)),
                ]
                if let demo = entry.demoToken { fields.append(("demo_token", .string(demo))) }
                return (entry.placeholder, .object(JSONObject(fields)))
            })
        return JSONSerializer(pretty: true).serialize(.object(object)) + [UInt8(ascii: "\n")]
    }
}
