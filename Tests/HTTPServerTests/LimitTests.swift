import HTTPMessage
import HTTPServer
import Testing
import TestSupport

@Suite("Body and head limits")
struct LimitTests {
    static let cap = 1024
    /// The handler's own refusal body: the front end writes what the handler supplies.
    static let tooLargeBody = #"{"refused":413,"reason":"request body exceeds 1024 bytes"}"#

    let calls = Occupancy()
    var options: HTTPServerOptions { HTTPServerOptions(maxBodyBytes: Self.cap) }
    var handler: RefusingHandler {
        RefusingHandler(
            inner: ClosureHandler { [calls] request in
                calls.enter()
                return HTTPResponse(status: 200, body: Array("\(request.body.count)".utf8))
            })
    }

    /// A handler with a refusal format of its own.
    struct RefusingHandler: HTTPHandler {
        let inner: ClosureHandler
        func handle(_ request: HTTPRequest) async -> HTTPResponse { await inner.handle(request) }
        func refusal(status: Int, reason: String) -> HTTPResponse {
            HTTPResponse(
                status: status, headers: ["Content-Type": "application/json"],
                body: Array(#"{"refused":\#(status),"reason":"\#(reason)"}"#.utf8))
        }
    }

    @Test("without a format of its own a handler's refusals are plain text")
    func defaultRefusalIsPlainText() async throws {
        try await withServer(options, handler: ClosureHandler { _ in HTTPResponse(status: 200) }) { _, port in
            let response = try await onThread {
                let client = try RawHTTPClient(port: port)
                try client.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.status == 413)
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(response.text == "request body exceeds 1024 bytes\n")
        }
    }

    @Test("a Content-Length over the cap gets 413 before any body is sent")
    func declaredLengthOverCap() async throws {
        try await withServer(options, handler: handler) { _, port in
            let (response, closed) = try await onThread {
                let client = try RawHTTPClient(port: port)
                try client.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n")
                let response = try client.readResponse()
                return (response, try client.isClosedByPeer())
            }
            #expect(response.status == 413)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("Connection")?.lowercased() == "close")
            #expect(response.text == Self.tooLargeBody)
            #expect(closed)
            #expect(calls.total == 0)
        }
    }

    @Test("a body of exactly the cap is accepted")
    func bodyAtCap() async throws {
        try await withServer(options, handler: handler) { _, port in
            let response = try await onThread {
                try RawHTTPClient(port: port).request("POST", "/fit", body: Array(repeating: 7, count: Self.cap))
            }
            #expect(response.status == 200)
            #expect(response.text == "\(Self.cap)")
        }
    }

    @Test("a chunked body that grows past the cap gets 413")
    func chunkedOverCap() async throws {
        try await withServer(options, handler: handler) { _, port in
            let response = try await onThread {
                let client = try RawHTTPClient(port: port)
                try client.send("POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                let piece = String(repeating: "a", count: 600)
                for _ in 0..<3 { try client.send("258\r\n\(piece)\r\n") }
                try client.send("0\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.status == 413)
            #expect(response.text == Self.tooLargeBody)
            #expect(calls.total == 0)
        }
    }

    @Test("a chunked body under the cap reaches the handler whole")
    func chunkedUnderCap() async throws {
        try await withServer(options, handler: handler) { _, port in
            let response = try await onThread {
                let client = try RawHTTPClient(port: port)
                try client.send("POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                try client.send("3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.status == 200)
            #expect(response.text == "7")
        }
    }

    @Test("a head larger than the connection memory gets libmicrohttpd's own error")
    func oversizedHead() async throws {
        try await withServer(options, handler: handler) { _, port in
            let status = try await onThread {
                let client = try RawHTTPClient(port: port)
                let filler = String(repeating: "v", count: 70 * 1024)
                // The server answers and closes before reading it all, so the send may fail.
                try? client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Filler: \(filler)\r\n\r\n")
                return try client.readResponse().status
            }
            #expect(status == 431)
            #expect(calls.total == 0)
        }
    }

    @Test("a client sending its head one byte at a time does not hold up others")
    func slowClient() async throws {
        // Fairness, not the head deadline, is under test: a parallel suite on 2 cores can make
        // the trickle itself take longer than the default 10 s, so the deadline is set far off.
        var options = HTTPServerOptions()
        options.headerTimeoutSeconds = 300
        try await withServer(options, handler: echoPathHandler) { _, port in
            let padding = String(repeating: "p", count: 40)
            let request = Array("GET /slow HTTP/1.1\r\nHost: x\r\nX-Pad: \(padding)\r\n\r\n".utf8)
            let slow = try await onThread { try RawHTTPClient(port: port) }
            let half = request.count / 2
            try await onThread { for byte in request[..<half] { try slow.send([byte]) } }

            let other = try await onThread { try RawHTTPClient(port: port).request("GET", "/fast") }
            #expect(other.text == "/fast")

            let response = try await onThread {
                for byte in request[half...] { try slow.send([byte]) }
                return try slow.readResponse()
            }
            #expect(response.text == "/slow")
        }
    }
}
