import Crypto
import FixtureReplay
import FoundationEssentials
import Glibc
import HTTPMessage
import JSON

/// The repository's `Fixtures/` folder, found from this file's path.
let fixturesRoot: String = {
    var path = #filePath
    for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
    return path + "/Fixtures"
}()

/// Every fixture set shipped under `Fixtures/` (a folder with a tokens.json); the simulator's
/// model (a folder with a deployment.json) is not a replay set.
func shippedSetDirectories() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: fixturesRoot)) ?? []
    return names.sorted().map { fixturesRoot + "/" + $0 }.filter {
        FileManager.default.fileExists(atPath: $0 + "/tokens.json")
            && !FileManager.default.fileExists(atPath: $0 + "/deployment.json")
    }
}

let demoDirectory = fixturesRoot + "/demo"

/// A fresh folder under /tmp, removed with its contents when released.
final class TemporaryFolder {
    let path: String

    init() {
        var template = Array("/tmp/fixture-tests-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed: \(errno)") }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Names of the files inside, sorted.
    var fileNames: [String] { FixtureReplayTests.fileNames(in: path) }

    func text(_ name: String) -> String { fileText(path + "/" + name) }
}

/// Names of the files in `directory`, sorted.
func fileNames(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}

func fileText(_ path: String) -> String {
    String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
}

/// A well-formed personal access token that no fixture set lists.
func strangerToken() -> String {
    let secret = Base64URL.encode(secureRandomBytes(count: 48))
    return "lfpat.0f0f0f0f-1111-4222-8333-444455556666.\(secret)"
}

/// The token to present for a fixture's caller: the set's demo token for a listed
/// placeholder, a stranger's for the set's unknown-token exchanges, none when anonymous.
func token(for fixture: Fixture, in set: FixtureSet) -> String? {
    guard let placeholder = fixture.request.callerPlaceholder else { return nil }
    guard let entry = set.tokens.entry(placeholder: placeholder) else { return strangerToken() }
    return entry.demoToken
}

/// The gateway-side request that should replay `fixture`.
func upstreamRequest(for fixture: Fixture, token: String?, base: String = "http://fixtures.invalid") -> UpstreamRequest {
    var url = base + fixture.request.path
    if !fixture.request.query.isEmpty { url += "?" + FixtureQuery.encode(fixture.request.query) }
    var headers = HTTPHeaders()
    if let token { headers.add("Authorization", "Bearer \(token)") }
    if let appName = fixture.request.appName { headers.add("appname", appName) }
    return UpstreamRequest(
        method: fixture.request.method, url: url, headers: headers, body: fixture.request.body?.bytes,
        isIdempotent: fixture.request.method == "GET")
}

/// The SHA-256 hex of a token, as tokens.json stores it.
func fingerprint(_ token: String) -> String { SHA256.hash(Array(token.utf8)).hexString }

/// An in-memory upstream that answers from a closure and counts calls.
struct ScriptedUpstream: HTTPClient {
    let answer: @Sendable (UpstreamRequest) -> UpstreamResponse

    func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse { answer(request) }
}

/// Parses a response body as a JSON object (test expectation helper).
func jsonObject(_ bytes: [UInt8]) -> JSONObject? {
    (try? JSONParser().parse(bytes))?.objectValue
}
