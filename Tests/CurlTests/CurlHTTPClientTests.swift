import Curl
import HTTPMessage
import TestSupport
import Testing

@Suite("CurlHTTPClient exchanges")
struct CurlHTTPClientTests {
    @Test("two GETs share one keep-alive connection")
    func keepAliveReuse() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", "/tickets", reply: .json(#"{"code":0}"#))
        let client = try makeClient()
        defer { client.shutdown() }

        let first = try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/tickets?page=1")))
        let second = try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/tickets?page=2")))

        #expect(first.status == 200 && second.status == 200)
        let requests = upstream.requests("GET", "/tickets")
        #expect(requests.map(\.query) == ["page=1", "page=2"])
        #expect(requests.map(\.connectionID) == [1, 1])
        #expect(upstream.acceptedConnections == 1)
    }

    @Test("POST delivers body and headers; status, headers and body come back")
    func postRoundTrip() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("POST", "/api/v1.0/tickets") { request in
            .respond(
                status: 201, headers: ["X-Request-Id": "r-1", "Content-Type": "application/json"],
                body: Array(#"{"echo":\#(request.bodyText)}"#.utf8))
        }
        let client = try makeClient()
        defer { client.shutdown() }
        let body = Array(#"{"title":"VPN","n":1}"#.utf8)
        let request = UpstreamRequest(
            method: "POST", url: upstream.url("/api/v1.0/tickets"),
            headers: ["Authorization": "Bearer secret-token", "Content-Type": "application/json", "X-Empty": ""],
            body: body)

        let response = try await client.send(request)

        #expect(response.status == 201)
        #expect(response.httpVersion == "1.1")
        #expect(response.headers["X-Request-Id"] == "r-1")
        #expect(response.headers.fields.contains { $0.name == "X-Request-Id" })
        #expect(!response.headers.fields.contains { $0.name.hasPrefix("HTTP/") })
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"echo":{"title":"VPN","n":1}}"#)
        let recorded = try #require(upstream.requests.first)
        #expect(recorded.body == body)
        #expect(recorded.headers["Authorization"] == "Bearer secret-token")
        #expect(recorded.headers["Content-Type"] == "application/json")
        #expect(recorded.headers["X-Empty"] == "")
        #expect(recorded.headers["Expect"] == nil)
        #expect(recorded.headers["User-Agent"] == "loonflow-mcp-gateway")
    }

    @Test("custom methods and binary bodies go through unchanged")
    func customMethod() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("PATCH", "/item", reply: .respond(status: 204, headers: [:], body: []))
        let client = try makeClient()
        defer { client.shutdown() }
        let body: [UInt8] = [0, 1, 2, 0, 255]

        let response = try await client.send(
            UpstreamRequest(method: "PATCH", url: upstream.url("/item"), body: body))

        #expect(response.status == 204)
        #expect(response.body.isEmpty)
        #expect(upstream.requests("PATCH", "/item").first?.body == body)
    }

    @Test("a gzip body is offered, then decoded")
    func gzipDecoded() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let json = Array(String(repeating: #"{"k":"value"},"#, count: 500).utf8)
        upstream.route(
            "GET", "/zipped",
            reply: .respond(
                status: 200, headers: ["Content-Encoding": "gzip", "Content-Type": "application/json"],
                body: GzipEncoder.encode(json)))
        let client = try makeClient()
        defer { client.shutdown() }

        let response = try await client.send(UpstreamRequest(method: "GET", url: upstream.url("/zipped")))

        #expect(response.body == json)
        #expect(upstream.requests.first?.headers["Accept-Encoding"]?.contains("gzip") == true)
    }

    @Test("50 GETs run at once and all succeed")
    func fiftyConcurrent() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let barrier = TestBarrier(parties: 50, timeout: .seconds(10))
        upstream.route("GET", "/together") { request in
            await barrier.arrive() ? .json(#"{"q":"\#(request.query ?? "")"}"#) : .text("barrier", status: 503)
        }
        let client = try makeClient(totalTimeoutMs: 15_000)
        defer { client.shutdown() }

        let statuses = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let response = try await client.send(
                        UpstreamRequest(method: "GET", url: upstream.url("/together?i=\(index)")))
                    #expect(String(decoding: response.body, as: UTF8.self) == #"{"q":"i=\#(index)"}"#)
                    return (index, response.status)
                }
            }
            return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }

        #expect(statuses.count == 50)
        #expect(statuses.values.allSatisfy { $0 == 200 })
        #expect(upstream.requestCount("GET", "/together") == 50)
    }
}
