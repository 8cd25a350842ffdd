package import HTTPMessage

/// Answers the gateway's upstream requests from a fixture set, in process: no socket, no
/// Loonflow. Stateless: a handled ticket looks the same afterwards.
///
/// An unmatched request gets the same 404 JSON as `serve-fixtures`; wrap the client in
/// `FixtureDiagnosticClient` to show that diagnostic to the model as Loonflow's message.
package final class FixtureReplayClient: HTTPClient {
    package let set: FixtureSet

    package init(set: FixtureSet) { self.set = set }

    package func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        set.answer(ReplayRequest(request)).upstreamResponse
    }
}
