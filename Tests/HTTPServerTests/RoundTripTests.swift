import HTTPMessage
import HTTPServer
import Testing
import TestSupport

@Suite("Request and response round trips")
struct RoundTripTests {
    @Test("POST keeps method, raw path, raw query, ordered headers, body and peer address")
    func postRoundTrip() async throws {
        let log = RequestLog()
        let handler = ClosureHandler { request in
            log.record(request)
            var headers = HTTPHeaders()
            headers.add("X-Reply", "one")
            headers.add("Set-Cookie", "a=1")
            headers.add("Set-Cookie", "b=2")
            headers.add("Content-Length", "999")  // ignored: the server frames the body itself
            return HTTPResponse(status: 201, headers: headers, body: Array("got ".utf8) + request.body)
        }
        try await withServer(handler: handler) { _, port in
            let response = try await onThread {
                try RawHTTPClient(port: port).request(
                    "POST", "/echo/some%20path?x=1&y=%2F&x=2",
                    headers: [("X-Trace", "a"), ("X-Multi", "1"), ("X-Multi", "2"), ("Content-Type", "text/plain")],
                    body: Array("hello world".utf8))
            }
            #expect(response.status == 201)
            #expect(response.text == "got hello world")
            #expect(response.header("Content-Length") == "15")
            let replyNames = response.headers.map(\.name).filter { ["X-Reply", "Set-Cookie"].contains($0) }
            #expect(replyNames == ["X-Reply", "Set-Cookie", "Set-Cookie"])
            #expect(response.headers.filter { $0.name == "Set-Cookie" }.map(\.value) == ["a=1", "b=2"])

            let request = try #require(log.all.first)
            #expect(request.method == "POST")
            #expect(request.path == "/echo/some%20path")
            #expect(request.query == "x=1&y=%2F&x=2")
            #expect(
                request.headers.fields.map(\.name)
                    == ["Host", "X-Trace", "X-Multi", "X-Multi", "Content-Type", "Content-Length"])
            #expect(request.headers.values(for: "x-multi") == ["1", "2"])
            #expect(request.body == Array("hello world".utf8))
            #expect(request.remoteAddress == "127.0.0.1")
        }
    }

    @Test("GET without a query has a nil query; a bare ? gives an empty one")
    func queryForms() async throws {
        let log = RequestLog()
        let handler = ClosureHandler { request in
            log.record(request)
            return HTTPResponse(status: 204)
        }
        try await withServer(handler: handler) { _, port in
            let statuses = try await onThread {
                let client = try RawHTTPClient(port: port)
                return try ["/plain", "/bare?", "/a/b?q=%E2%9C%93+x"].map { try client.request("GET", $0).status }
            }
            #expect(statuses == [204, 204, 204])
            let seen = log.all.map { [$0.method, $0.path, $0.query ?? "<nil>"] }
            #expect(seen == [["GET", "/plain", "<nil>"], ["GET", "/bare", ""], ["GET", "/a/b", "q=%E2%9C%93+x"]])
            #expect(log.all.allSatisfy { $0.body.isEmpty })
        }
    }

    @Test("port 0 binds a real port that boundPort reports")
    func boundPortIsReadable() async throws {
        let server = try HTTPServer(handler: echoPathHandler)
        #expect(server.boundPort == nil)
        try server.start()
        let port = try #require(server.boundPort)
        #expect(port != 0)
        let response = try await onThread { try RawHTTPClient(port: port).request("GET", "/ping") }
        #expect(response.text == "/ping")
        await server.stop(gracePeriod: .seconds(1))
        #expect(server.boundPort == nil)
    }

    @Test("binds 0.0.0.0 and ::1")
    func otherHosts() async throws {
        try await withServer(HTTPServerOptions(host: "0.0.0.0"), handler: echoPathHandler) { _, port in
            let response = try await onThread { try RawHTTPClient(port: port).request("GET", "/any") }
            #expect(response.text == "/any")
        }
        let log = RequestLog()
        let handler = ClosureHandler { request in
            log.record(request)
            return HTTPResponse(status: 200)
        }
        try await withServer(HTTPServerOptions(host: "::1"), handler: handler) { _, port in
            let response = try await onThread { try RawHTTPClient(host: "::1", port: port).request("GET", "/v6") }
            #expect(response.status == 200)
            #expect(log.all.first?.remoteAddress == "::1")
        }
    }

    @Test("200 sequential requests share one keep-alive connection")
    func keepAlive() async throws {
        try await withServer(handler: echoPathHandler) { _, port in
            let bodies = try await onThread {
                let client = try RawHTTPClient(port: port)
                return try (0..<200).map { index -> String in
                    let response = try client.request("GET", "/n/\(index)")
                    guard response.status == 200, response.header("Connection") != "close" else {
                        throw RawHTTPError(description: "request \(index) got \(response.status)")
                    }
                    return response.text
                }
            }
            #expect(bodies == (0..<200).map { "/n/\($0)" })
        }
    }
}
