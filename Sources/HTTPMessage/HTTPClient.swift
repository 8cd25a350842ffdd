/// A request the gateway sends to the upstream Loonflow.
package struct UpstreamRequest: Sendable {
    package var method: String
    /// The absolute URL, already percent-encoded.
    package var url: String
    package var headers: HTTPHeaders
    package var body: [UInt8]?
    /// Whether a second attempt is harmless. A non-idempotent request (the ticket handle
    /// POST) goes on a fresh connection that is not reused, is never retried, and is not
    /// aborted when the calling task is cancelled once it may have been sent.
    package var isIdempotent: Bool

    package init(
        method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil,
        isIdempotent: Bool = true
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.isIdempotent = isIdempotent
    }
}

/// The upstream's answer, read in full.
package struct UpstreamResponse: Sendable {
    package var status: Int
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// `1.1`, `2` and so on, as negotiated.
    package var httpVersion: String

    package init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8], httpVersion: String = "1.1") {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }
}

/// Why an upstream exchange produced no usable response.
package struct UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// DNS, refused or unreachable: nothing was sent.
        case connectFailed
        /// The certificate or the TLS handshake failed: nothing was sent.
        case tls
        /// No complete answer within the time allowed.
        case timedOut
        /// The connection broke before a complete answer arrived.
        case connectionReset
        /// The answer was larger than the configured cap.
        case responseTooLarge
        /// The calling task was cancelled before an answer arrived.
        case cancelled
        /// The gateway's own per-token limits held the request back; nothing was sent.
        case throttled
        /// The URL or request could not be used at all.
        case invalidRequest
        case other
    }

    package var kind: Kind
    /// True when some or all of the request may have reached the upstream, so a write may
    /// have happened (the caller must not assume it did not).
    package var requestMayHaveBeenSent: Bool
    /// True when the response headers had arrived before the failure.
    package var headersReceived: Bool
    /// A short technical detail for logs and messages (never holds a token).
    package var detail: String

    package init(_ kind: Kind, requestMayHaveBeenSent: Bool, headersReceived: Bool = false, detail: String) {
        self.kind = kind
        self.requestMayHaveBeenSent = requestMayHaveBeenSent
        self.headersReceived = headersReceived
        self.detail = detail
    }

    package var description: String { "\(kind): \(detail)" }
}

/// Sends requests to the upstream. Implemented over libcurl for real deployments and by
/// fixture replay for the demo and for tests.
package protocol HTTPClient: Sendable {
    func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse
}
