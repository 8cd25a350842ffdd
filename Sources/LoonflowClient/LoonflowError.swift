package import Auth
package import HTTPMessage

/// Why a Loonflow REST call did not give usable data. `message` is written for the model
/// on the other side of the tool call: what happened and what to do next.
package enum LoonflowError: Error, Sendable, Equatable {
    /// Loonflow answered its `code != 0` envelope; the text is Loonflow's own.
    case refused(String)
    /// HTTP 500 under Bearer auth: almost always a token Loonflow does not accept.
    case tokenProbablyRejected
    /// HTTP 401: Loonflow saw no usable credentials.
    case unauthenticated
    /// Any other HTTP status without the JSON envelope.
    case unexpectedStatus(Int, String)
    /// HTTP 200 with a body that is not Loonflow's envelope.
    case invalidResponse(String)
    /// The exchange failed below HTTP.
    case transport(UpstreamError, method: String)
    /// The call was refused locally before anything was sent.
    case refusedLocally(String)

    package var message: String {
        switch self {
        case .refused(let text):
            "Loonflow refused the request: \(text)"
        case .tokenProbablyRejected:
            "Loonflow answered HTTP 500, which it does when it rejects the access token: an unknown, revoked or "
                + "expired personal access token, a personal access token whose owner is inactive, a JWT signed "
                + "with another deployment's key, or a JWT for a user that no longer exists. Check the token in "
                + "Loonflow (Settings > Personal access tokens) or log in again; the request was not retried."
        case .unauthenticated:
            "Loonflow answered HTTP 401: it received no usable credentials. Send a Loonflow personal access "
                + "token or JWT."
        case .unexpectedStatus(let status, let detail):
            "Loonflow answered HTTP \(status)\(detail.isEmpty ? "" : " (\(detail))"); the gateway could not read "
                + "a result. Try again later or ask an administrator to check Loonflow and any proxy in front of it."
        case .invalidResponse(let detail):
            "Loonflow's answer could not be read: \(detail). Check that upstream.base_url points at Loonflow."
        case .transport(let error, let method):
            Self.transportMessage(error, method: method)
        case .refusedLocally(let text):
            text
        }
    }

    /// The same error with every secret `redactor` knows replaced in the texts that come
    /// from upstream (Loonflow's message, libcurl's detail).
    package func redacting(_ redactor: SecretRedactor) -> LoonflowError {
        switch self {
        case .refused(let text): .refused(redactor.redact(text))
        case .unexpectedStatus(let status, let detail): .unexpectedStatus(status, redactor.redact(detail))
        case .invalidResponse(let detail): .invalidResponse(redactor.redact(detail))
        case .transport(let error, let method): .transport(error.redacting(redactor), method: method)
        case .refusedLocally(let text): .refusedLocally(redactor.redact(text))
        case .tokenProbablyRejected, .unauthenticated: self
        }
    }

    private static func transportMessage(_ error: UpstreamError, method: String) -> String {
        if method != "GET", error.requestMayHaveBeenSent, ![.connectFailed, .tls, .throttled].contains(error.kind) {
            // The caller adds what to check: it depends on the write.
            return "outcome unknown: the request reached Loonflow but no complete answer came back (\(error.kind))."
        }
        switch error.kind {
        case .connectFailed:
            return "Loonflow is unreachable (\(error.detail)); nothing was sent. Try again later."
        case .tls:
            return "TLS with Loonflow failed: \(tlsAdvice(error.detail)) (\(error.detail)); nothing was sent."
        case .timedOut:
            return "Loonflow did not answer in time\(error.headersReceived ? " (it sent headers, then stalled)" : ""); "
                + "try again, or narrow the query."
        case .connectionReset:
            return "the connection to Loonflow broke before a complete answer (\(error.detail)); try again."
        case .responseTooLarge:
            return "Loonflow's answer exceeded the gateway's size cap (upstream.max_response_bytes); ask for a "
                + "smaller page (per_page)."
        case .cancelled:
            return "the call was cancelled."
        case .throttled:
            return "\(error.detail); nothing was sent to Loonflow. Retry in a few seconds."
        case .invalidRequest, .other:
            return "the request to Loonflow failed: \(error.detail)."
        }
    }

    /// What to do about a failed TLS handshake, read from libcurl's message (its error codes
    /// lump every certificate problem together).
    private static func tlsAdvice(_ detail: String) -> String {
        let text = detail.lowercased()
        if text.contains("expired") {
            return "Loonflow's certificate has expired; renew it on the server (the gateway's clock is used to check it)"
        }
        if text.contains("subject name") || text.contains("host name") || text.contains("hostname") || text.contains("does not match") {
            return "Loonflow's certificate does not name the host in upstream.base_url; use the name the certificate "
                + "was issued for"
        }
        if text.contains("issuer") || text.contains("self signed") || text.contains("self-signed") || text.contains("unknown ca") {
            return "Loonflow's certificate is signed by a CA the gateway does not trust; set upstream.ca_file to the "
                + "PEM file of that CA"
        }
        if text.contains("certificate") { return "Loonflow's certificate was not accepted; check upstream.ca_file" }
        return "the handshake did not complete; check that upstream.base_url speaks HTTPS on that port"
    }
}

extension UpstreamError {
    fileprivate func redacting(_ redactor: SecretRedactor) -> UpstreamError {
        var copy = self
        copy.detail = redactor.redact(detail)
        return copy
    }
}
