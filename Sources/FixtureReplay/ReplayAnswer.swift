import Auth
package import HTTPMessage

/// What replay sends back.
package struct ReplayAnswer: Sendable {
    package var status: Int
    package var contentType: String?
    package var body: [UInt8]
    /// The fixture file that answered, or nil for a generated answer (404 miss, generic 500).
    package var fixtureName: String?
    /// Headers beyond Content-Type (the simulator marks its own notes with one).
    package var extraHeaders: [(String, String)] = []

    package init(status: Int, contentType: String?, body: [UInt8], fixtureName: String? = nil) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.fixtureName = fixtureName
    }

    package init(_ fixture: Fixture) {
        self.init(
            status: fixture.response.status, contentType: fixture.response.contentType,
            body: fixture.response.body.bytes, fixtureName: fixture.fileName)
    }

    /// A generated answer with the request's secrets replaced (a miss echoes what was asked).
    func redacting(_ redactor: SecretRedactor) -> ReplayAnswer {
        var copy = self
        copy.body = redactor.redact(body)
        return copy
    }

    /// Django's generic error page: what Loonflow answers for a token it does not know.
    package static let unknownToken = ReplayAnswer(
        status: 500, contentType: "text/html; charset=utf-8",
        body: Array(
            """

            <!doctype html>
            <html lang="en">
            <head>
              <title>Server Error (500)</title>
            </head>
            <body>
              <h1>Server Error (500)</h1><p></p>
            </body>
            </html>

            """.utf8))

    var headers: HTTPHeaders {
        var headers = HTTPHeaders()
        if let contentType { headers.add("Content-Type", contentType) }
        for (name, value) in extraHeaders { headers.add(name, value) }
        return headers
    }

    package var upstreamResponse: UpstreamResponse {
        UpstreamResponse(status: status, headers: headers, body: body)
    }

    package var httpResponse: HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: body)
    }
}
