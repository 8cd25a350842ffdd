import FixtureReplay
import HTTPMessage
import JSON
import TestSupport
import Testing

/// Record mode: every exchange becomes a fixture file with placeholders instead of tokens.
@Suite struct FixtureRecorderTests {
    /// Echoes the request back inside Loonflow's envelope, plus a file URL with a temporary token.
    static let echo = ScriptedUpstream { request in
        let answer: JSONValue = [
            "code": 0, "msg": "",
            "data": [
                "url": .string(request.url), "auth": .string(request.headers["Authorization"] ?? ""),
                "file": "/media/a.pdf?token=SECRETFILE&timestamp=1",
                "html": "<img src='/m/x.png?Token=SECRETFILE'> access_token=SECRETFILE",
            ],
        ]
        return UpstreamResponse(status: 200, headers: ["Content-Type": "application/json"], body: answer.serialized)
    }

    func get(_ target: String, token: String?) -> UpstreamRequest {
        var headers = HTTPHeaders()
        if let token { headers.add("Authorization", "Bearer \(token)") }
        return UpstreamRequest(method: "GET", url: "http://loonflow.test/api/v1.0/\(target)", headers: headers)
    }

    @Test func tokensBecomePlaceholdersAndNeverReachTheDisk() async throws {
        let folder = TemporaryFolder()
        let pat = strangerToken()
        let jwt = TestJWT.make(userID: "6b3c8c1e-0000-4000-8000-000000000001", email: "erin@loonapp.com")
        let recorder = try FixtureRecorder(upstream: Self.echo, directory: folder.path + "/set")
        _ = try await recorder.send(get("tickets?category=duty&search_value=\(pat)", token: pat))
        _ = try await recorder.send(get("accounts/simple_users", token: jwt))
        _ = try await recorder.send(get("accounts/simple_users", token: strangerToken()))

        let set = try FixtureSet.load(directory: folder.path + "/set")
        #expect(set.exchangeCount == 3)
        #expect(set.tokens.entries.map(\.placeholder) == ["<PAT_1>", "<JWT_erin>", "<PAT_2>"])
        #expect(set.tokens.entries[1].role == "common")
        #expect(set.tokens.entries[0].sha256 == fingerprint(pat))
        let tickets = try #require(set.fixtures.first { $0.request.path == "/api/v1.0/tickets" })
        #expect(tickets.request.authorization == "Bearer <PAT_1>")
        #expect(tickets.request.query.contains(QueryPair("search_value", "<PAT_1>")))
        guard case .json(let body) = tickets.response.body else { Issue.record("not JSON"); return }
        #expect(body["data"]?["auth"] == "Bearer <PAT_1>")
        #expect(body["data"]?["file"] == "/media/a.pdf?token=<redacted>&timestamp=1")
        #expect(body["data"]?["html"] == "<img src='/m/x.png?Token=<redacted>'> access_token=<redacted>")
        #expect(body["data"]?["url"]?.stringValue?.contains("search_value=<PAT_1>") == true)

        let names = fileNames(in: folder.path + "/set")
        #expect(names.count == 4)
        for name in names {
            let text = fileText(folder.path + "/set/" + name)
            for secret in [pat, jwt, "SECRETFILE"] { #expect(!text.contains(secret), "\(name) holds a secret") }
        }
    }

    @Test func namesMapAndExistingTokensFileDecidePlaceholders() async throws {
        let folder = TemporaryFolder()
        let alice = strangerToken()
        let bob = strangerToken()
        let first = try FixtureRecorder(upstream: Self.echo, directory: folder.path, names: [fingerprint(alice).uppercased(): "alice"])
        _ = try await first.send(get("tickets?category=owner", token: alice))
        _ = try await first.send(get("tickets?category=owner", token: bob))
        // A later recording into the same set keeps the placeholders and numbers on.
        let carol = strangerToken()
        let second = try FixtureRecorder(upstream: Self.echo, directory: folder.path)
        _ = try await second.send(get("tickets?category=worked", token: carol))
        _ = try await second.send(get("tickets?category=worked", token: alice))
        let tokens = try FixtureTokens.load(directory: folder.path)
        #expect(tokens.entries.map(\.placeholder) == ["<PAT_alice>", "<PAT_1>", "<PAT_2>"])
        #expect(tokens.entries[0].user == "alice")
        #expect(try FixtureRecorder.names(fromJSON: #"{"ABC": "dave"}"#) == ["abc": "dave"])
        #expect(throws: FixtureError.self) { try FixtureRecorder.names(fromJSON: "[1]") }
    }

    @Test func reRecordingRewritesTheSameFile() async throws {
        let folder = TemporaryFolder()
        let token = strangerToken()
        let counter = TestCounter()
        let upstream = ScriptedUpstream { _ in
            let body: JSONValue = ["code": 0, "data": .number(counter.next()), "msg": ""]
            return UpstreamResponse(status: 200, headers: ["Content-Type": "application/json"], body: body.serialized)
        }
        let recorder = try FixtureRecorder(upstream: upstream, directory: folder.path)
        _ = try await recorder.send(get("tickets?category=all", token: token))
        let firstFiles = folder.fileNames
        _ = try await recorder.send(get("tickets?page=1&category=all&reverse=1", token: token))
        #expect(folder.fileNames == firstFiles)
        let set = try FixtureSet.load(directory: folder.path)
        #expect(set.exchangeCount == 1)
        #expect(set.fixtures.first?.response.body == .json(["code": 0, "data": 2, "msg": ""]))
        // Human-readable: pretty, sorted keys, one file per exchange.
        let name = try #require(firstFiles.first { $0 != "tokens.json" })
        #expect(name.hasPrefix("GET_tickets_"))
        #expect(folder.text(name).hasPrefix("{\n  \"request\": {\n    \"headers\": {\n      \"authorization\": \"Bearer <PAT_1>\""))
    }

    @Test func concurrentRecordingKeepsEveryFileWhole() async throws {
        let folder = TemporaryFolder()
        let tokens = (0..<6).map { _ in strangerToken() }
        let recorder = try FixtureRecorder(upstream: Self.echo, directory: folder.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<60 {
                let request = get("tickets?category=duty&page=\(index % 20 + 1)", token: tokens[index % tokens.count])
                group.addTask { _ = try await recorder.send(request) }
            }
            try await group.waitForAll()
        }
        let set = try FixtureSet.load(directory: folder.path)
        #expect(set.exchangeCount == 60)
        #expect(Set(set.tokens.entries.map(\.placeholder)).count == 6)
        #expect(Set(set.tokens.entries.map(\.sha256)) == Set(tokens.map(fingerprint)))
        #expect(!folder.fileNames.contains { $0.hasSuffix(".tmp") })
        for fixture in set.fixtures {
            let token = try #require(tokens.first { set.tokens.entry(sha256: fingerprint($0))?.placeholder == fixture.request.callerPlaceholder })
            let replayed = try await FixtureReplayClient(set: set).send(upstreamRequest(for: fixture, token: token))
            #expect(replayed.body == fixture.response.body.bytes)
        }
    }

    @Test func failedExchangesAreNotRecorded() async throws {
        struct Down: HTTPClient {
            func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
                throw UpstreamError(.connectFailed, requestMayHaveBeenSent: false, detail: "refused")
            }
        }
        let folder = TemporaryFolder()
        let recorder = try FixtureRecorder(upstream: Down(), directory: folder.path)
        await #expect(throws: UpstreamError.self) { try await recorder.send(get("tickets", token: strangerToken())) }
        #expect(folder.fileNames.isEmpty)
    }
}
