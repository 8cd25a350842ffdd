import HTTPMessage

/// Why a fixture set could not be used.
package struct FixtureError: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// A folder of recorded Loonflow exchanges (`Fixtures/<set>/`).
package struct FixtureSet: Sendable {
    package let directory: String
    package var exchangeCount: Int { 0 }

    package static func load(directory: String) throws(FixtureError) -> FixtureSet {
        throw FixtureError("fixture replay is not available yet")
    }
}

/// Answers upstream requests from a fixture set, in process.
package final class FixtureReplayClient: HTTPClient {
    package let set: FixtureSet

    package init(set: FixtureSet) { self.set = set }

    package func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        throw UpstreamError(.other, requestMayHaveBeenSent: false, detail: "fixture replay is not available yet")
    }
}

/// A fake Loonflow: answers REST requests from a fixture set over HTTP.
package struct FixtureServer: HTTPHandler {
    package let set: FixtureSet
    package init(set: FixtureSet) { self.set = set }

    package func handle(_ request: HTTPRequest) async -> HTTPResponse {
        HTTPResponse(status: 501, body: Array("fixture replay is not available yet".utf8))
    }
}

/// Passes requests to a real Loonflow and writes each exchange into a fixture set.
package final class FixtureRecorder: HTTPClient {
    package let upstream: any HTTPClient
    package let directory: String

    package init(upstream: any HTTPClient, directory: String) throws(FixtureError) {
        self.upstream = upstream
        self.directory = directory
    }

    package func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        try await upstream.send(request)
    }
}
