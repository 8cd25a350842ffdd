package import HTTPMessage

/// A fake Loonflow for `serve-fixtures`: answers REST requests from a fixture set.
package struct FixtureServer: HTTPHandler {
    package let set: FixtureSet

    package init(set: FixtureSet) { self.set = set }

    package func handle(_ request: HTTPRequest) async -> HTTPResponse {
        set.answer(ReplayRequest(request)).httpResponse
    }
}
