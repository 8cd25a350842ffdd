import Curl
import FixtureReplay
import HTTPMessage
import HTTPServer
import Testing

/// Every exchange of every shipped set is answered exactly as recorded, in process and
/// through a real `serve-fixtures` listener.
@Suite struct ReplayEveryFixtureTests {
    enum Transport: String, CaseIterable, Sendable {
        case inProcess
        case loopbackServer
    }

    @Test func shippedSetsExistAndLoad() throws {
        let directories = shippedSetDirectories()
        #expect(directories.contains(demoDirectory))
        for directory in directories {
            let set = try FixtureSet.load(directory: directory)
            #expect(set.exchangeCount > 0, "\(directory) has no exchanges")
            for entry in set.tokens.entries {
                #expect(entry.demoToken != nil, "\(directory): \(entry.placeholder) has no demo_token")
            }
        }
    }

    /// Files are in the recorder's canonical form (sorted keys, names from the request), so a
    /// re-recording diffs cleanly and a hand edit that changes the request shows up here.
    @Test func shippedFilesAreCanonical() throws {
        for directory in shippedSetDirectories() {
            let set = try FixtureSet.load(directory: directory)
            for fixture in set.fixtures {
                #expect(fixture.fileName == fixture.request.fileStem + ".json", "\(directory)/\(fixture.fileName)")
                #expect(Array(fileText(directory + "/" + fixture.fileName).utf8) == fixture.fileBytes, "\(fixture.fileName)")
            }
        }
    }

    @Test(arguments: Transport.allCases)
    func everyFixtureReplaysByteForByte(_ transport: Transport) async throws {
        for directory in shippedSetDirectories() {
            let set = try FixtureSet.load(directory: directory)
            try await withReplay(set, transport) { client, base in
                for fixture in set.fixtures {
                    let request = upstreamRequest(for: fixture, token: token(for: fixture, in: set), base: base)
                    let response = try await client.send(request)
                    #expect(response.status == fixture.response.status, "\(fixture.fileName)")
                    #expect(response.headers["Content-Type"] == fixture.response.contentType, "\(fixture.fileName)")
                    #expect(response.body == fixture.response.body.bytes, "\(fixture.fileName)")
                }
            }
        }
    }

    /// Runs `body` with a client that reaches the set in process, or over HTTP on 127.0.0.1.
    private func withReplay(
        _ set: FixtureSet, _ transport: Transport,
        _ body: (any HTTPClient, String) async throws -> Void
    ) async throws {
        switch transport {
        case .inProcess:
            try await body(FixtureReplayClient(set: set), "http://fixtures.invalid")
        case .loopbackServer:
            var options = HTTPServerOptions()
            options.host = "127.0.0.1"
            options.port = 0
            let server = try HTTPServer(options: options, handler: FixtureServer(set: set))
            try server.start()
            let client = try CurlHTTPClient()
            do {
                try await body(client, "http://127.0.0.1:\(server.boundPort ?? 0)")
            } catch {
                client.shutdown()
                await server.stop(gracePeriod: .seconds(1))
                throw error
            }
            client.shutdown()
            await server.stop(gracePeriod: .seconds(1))
        }
    }
}
