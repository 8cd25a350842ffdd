import HTTPMessage

/// Why a forwarded call produced no result, worded for the model; never holds a token.
package struct ForwardFailure: Error, Sendable, Equatable {
    package var message: String
    /// The upstream no longer knows the session the call was sent in (HTTP 404): the call was
    /// refused before it ran.
    package var sessionGone = false

    package init(_ message: String, sessionGone: Bool = false) {
        self.message = message
        self.sessionGone = sessionGone
    }

    /// A transport failure. A write that may have reached the upstream is reported as an
    /// unknown outcome: it is never sent again.
    static func transport(_ error: UpstreamError, isWrite: Bool) -> ForwardFailure {
        if isWrite, error.requestMayHaveBeenSent, ![.connectFailed, .tls, .throttled].contains(error.kind) {
            return ForwardFailure(
                "outcome unknown: the call reached the Loonflow MCP server but no complete answer came back "
                    + "(\(error.kind)). It may or may not have been applied: check the ticket with ticket_detail "
                    + "before calling again.")
        }
        switch error.kind {
        case .connectFailed:
            return ForwardFailure("the Loonflow MCP server is unreachable (\(error.detail)); nothing was sent. Try again later.")
        case .tls:
            return ForwardFailure(
                "TLS with the Loonflow MCP server failed (\(error.detail)); nothing was sent. Check upstream.ca_file.")
        case .timedOut:
            return ForwardFailure("the Loonflow MCP server did not answer in time; try again, or narrow the query.")
        case .throttled:
            return ForwardFailure("\(error.detail); nothing was sent. Retry in a few seconds.")
        case .cancelled:
            return ForwardFailure("the call was cancelled.")
        case .responseTooLarge:
            return ForwardFailure(
                "the Loonflow MCP server's answer exceeded the gateway's size cap (upstream.max_response_bytes); ask "
                    + "for a smaller page (per_page).")
        case .connectionReset, .invalidRequest, .other:
            return ForwardFailure("the call to the Loonflow MCP server failed (\(error.kind): \(error.detail)).")
        }
    }
}
