/// A request received by the HTTP front end, fully read into memory.
package struct HTTPRequest: Sendable {
    package var method: String
    /// The path without the query string, as sent (not percent-decoded).
    package var path: String
    /// The raw query string after `?`, or nil when the URL had none.
    package var query: String?
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// The peer's address as text (`127.0.0.1`), when the transport knows it.
    package var remoteAddress: String?

    package init(
        method: String, path: String, query: String? = nil, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], remoteAddress: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }
}

/// An answer from a handler to the HTTP front end.
package struct HTTPResponse: Sendable {
    /// The body: all at once, or chunks produced while the handler works (SSE).
    package enum Body: Sendable {
        case bytes([UInt8])
        /// Chunks are written as they arrive; the response ends when the stream finishes.
        case stream(AsyncStream<[UInt8]>)
    }

    package var status: Int
    package var headers: HTTPHeaders
    package var body: Body

    package init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    package init(status: Int, headers: HTTPHeaders = HTTPHeaders(), stream: AsyncStream<[UInt8]>) {
        self.status = status
        self.headers = headers
        self.body = .stream(stream)
    }

    /// The whole body when it is not streamed, else nil.
    package var bodyBytes: [UInt8]? {
        if case .bytes(let bytes) = body { return bytes }
        return nil
    }
}

/// Serves requests. The front end calls it from its own thread and runs it in a task;
/// the task is cancelled when the client goes away before the answer is written.
package protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) async -> HTTPResponse

    /// The answer to a request the front end refuses before the handler sees it (a body over
    /// the cap, broken framing), in the handler's own format; `reason` is a fixed sentence.
    /// The front end adds `Connection: close`.
    func refusal(status: Int, reason: String) -> HTTPResponse
}

extension HTTPHandler {
    /// Plain text, for handlers that speak no format of their own.
    package func refusal(status: Int, reason: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array((reason + "\n").utf8))
    }
}
