import Auth
package import HTTPMessage
import JSON

/// Turns replay's 404 for an unmatched request into Loonflow's error envelope
/// (`HTTP 200 {"code": -1, "data": "", "msg": <diagnostic>}`), so the tool error the model
/// reads names the closest recordings and how to record the missing one, instead of a bare
/// "HTTP 404". The `X-Loonflow-Simulator` header tells the Loonflow client this text is the
/// replay's own, so the model does not read it as Loonflow's refusal. Every other answer passes
/// through untouched.
package struct FixtureDiagnosticClient: HTTPClient {
    package let replay: any HTTPClient

    package init(replay: any HTTPClient) { self.replay = replay }

    package func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        let response = try await replay.send(request)
        guard response.status == 404, let diagnostic = Self.diagnostic(in: response.body) else { return response }
        let redactor = SecretRedactor(authorization: request.headers["Authorization"])
        let envelope: JSONValue = ["code": -1, "data": "", "msg": .string(redactor.redact(diagnostic))]
        return UpstreamResponse(
            status: 200, headers: ["Content-Type": "application/json", "X-Loonflow-Simulator": "replay-miss"],
            body: envelope.serialized,
            httpVersion: response.httpVersion)
    }

    /// The `diagnostic` text of a replay miss, or nil for any other body.
    static func diagnostic(in body: [UInt8]) -> String? {
        guard case .object(let object)? = try? JSONParser().parse(body) else { return nil }
        return object["diagnostic"]?.stringValue
    }
}
