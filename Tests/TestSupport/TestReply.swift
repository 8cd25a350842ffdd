package import HTTPMessage

/// A request as the test upstream read it off the wire.
package struct RecordedRequest: Sendable {
    package var method: String
    /// The path without the query string, as sent.
    package var path: String
    /// The raw query string after `?`, or nil when the target had none.
    package var query: String?
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// Which accepted connection carried it, counted from 1 in accept order.
    package var connectionID: Int

    package var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// What the test upstream does with one request. Tests choose it per route, never the client.
package enum TestReply: Sendable {
    /// A complete answer; `Content-Length` is added unless `headers` already set one.
    case respond(status: Int, headers: HTTPHeaders, body: [UInt8])
    /// Closes the connection without writing a byte.
    case closeWithoutReply
    /// Never answers; the connection stays open until the client leaves or the upstream stops.
    case hang
    /// Writes the status line and headers (declaring `declaredLength` body bytes), then hangs.
    case headersThenHang(status: Int, headers: HTTPHeaders, declaredLength: Int)
    /// Declares all of `body`, writes only its first `sentBytes`, then closes.
    case partialBodyThenClose(status: Int, headers: HTTPHeaders, body: [UInt8], sentBytes: Int)
    /// Declares all of `body`, writes only its first `sentBytes`, then hangs.
    case partialBodyThenHang(status: Int, headers: HTTPHeaders, body: [UInt8], sentBytes: Int)

    /// A JSON answer.
    package static func json(_ text: String, status: Int = 200) -> TestReply {
        json(Array(text.utf8), status: status)
    }

    /// A JSON answer from raw bytes.
    package static func json(_ body: [UInt8], status: Int = 200) -> TestReply {
        .respond(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// A plain-text answer.
    package static func text(_ text: String, status: Int = 200) -> TestReply {
        .respond(status: status, headers: ["Content-Type": "text/plain"], body: Array(text.utf8))
    }

    /// An empty 404, the answer for paths no route claims.
    package static let notFound = TestReply.respond(status: 404, headers: [:], body: [])
}
