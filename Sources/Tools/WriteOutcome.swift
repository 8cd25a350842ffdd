import Auth
import JSON
import LoonflowClient

/// What a failed write means for the caller.
enum WriteOutcome {
    /// Loonflow's message; for an answer that does not say whether the write happened, "outcome
    /// unknown" naming `subject`, and `unknown`, the sentence telling the caller what to check
    /// before retrying.
    static func explain(_ error: LoonflowError, subject: String, unknown: String) -> String {
        switch error {
        case .tokenProbablyRejected, .unexpectedStatus, .invalidResponse:
            return "outcome unknown: Loonflow did not confirm \(subject). " + error.message + " " + unknown
        case .transport where error.message.hasPrefix("outcome unknown"):
            return error.message + " " + unknown
        case .refused, .unauthenticated, .transport, .refusedLocally:
            return error.message
        }
    }

    /// Sends a write once, in a task of its own so that cancelling the call cannot abort a
    /// request that may already have reached Loonflow.
    static func sendOnce(
        _ client: LoonflowClient, _ path: String, body: JSONValue, token: AccessToken, appName: String
    ) async -> Result<JSONValue, LoonflowError> {
        let write = Task { await client.post(path, body: body, token: token, appName: appName) }
        return await write.value
    }
}
