import Config
import HTTPMessage
import JSON
import TestSupport
import Testing

/// One row of the transport rules table: a request built for the gateway's port, and the
/// answer it must get.
struct TransportRow: Sendable, CustomTestStringConvertible {
    var name: String
    var request: @Sendable (UInt16) -> [UInt8]
    var status: Int
    /// The JSON-RPC error code, or nil for a successful answer.
    var code: Int?
    var id: JSONValue? = nil
    var messageContains: String? = nil
    var header: (String, String)? = nil

    var testDescription: String { name }

    static let pingBody = Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8)

    /// A legacy ping with the standard headers, then `name` set to `value` (nil removes it).
    static func ping(_ name: String? = nil, _ value: String? = nil, body: [UInt8] = pingBody) -> @Sendable (UInt16) -> [UInt8] {
        { port in
            var headers = HTTPWire.mcpHeaders(port: port, token: Tokens.alice)
            if let name { headers = HTTPWire.replacing(headers, name, with: value) }
            return HTTPWire.request(headers: headers, body: body)
        }
    }

    static func body(_ text: String) -> @Sendable (UInt16) -> [UInt8] { ping(body: Array(text.utf8)) }

    static func bytes(_ bytes: [UInt8]) -> @Sendable (UInt16) -> [UInt8] { ping(body: bytes) }

    /// A ping whose params nest arrays so that the deepest value sits at `depth`.
    static func nested(depth: Int) -> [UInt8] {
        let arrays = depth - 2
        let text = #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"#
            + String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays) + "}}"
        return Array(text.utf8)
    }
}

/// The HTTP edge of `/mcp`, row by row, over real HTTP on loopback: status, JSON-RPC code,
/// echoed id and headers.
@Suite struct TransportTableTests {
    static let rows: [TransportRow] = [
        TransportRow(
            name: "body over limits.max_body_bytes → 413 before the body is sent",
            request: { port in
                HTTPWire.request(headers: HTTPWire.mcpHeaders(port: port, token: Tokens.alice), contentLength: 5_000)
            }, status: 413, code: -32600, id: .null, messageContains: "exceeds 1024 bytes", header: ("Connection", "close")),
        TransportRow(name: "Content-Type text/plain → 415", request: TransportRow.ping("Content-Type", "text/plain"), status: 415, code: -32600, id: .null, messageContains: "Content-Type"),
        TransportRow(name: "no Content-Type → 415", request: TransportRow.ping("Content-Type", nil), status: 415, code: -32600, id: .null),
        TransportRow(name: "Accept text/html → 406", request: TransportRow.ping("Accept", "text/html"), status: 406, code: -32600, id: .null, messageContains: "Accept"),
        TransportRow(name: "Accept image/png;q=1 → 406", request: TransportRow.ping("Accept", "image/png;q=1"), status: 406, code: -32600),
        TransportRow(name: "Accept */* allows JSON", request: TransportRow.ping("Accept", "*/*"), status: 200, code: nil, id: 1),
        TransportRow(name: "Accept application/json alone", request: TransportRow.ping("Accept", "application/json"), status: 200, code: nil, id: 1),
        TransportRow(name: "Origin not allowed → 403", request: TransportRow.ping("Origin", "https://evil.example"), status: 403, code: -32600, id: .null, messageContains: "Origin"),
        TransportRow(name: "Origin on loopback is allowed", request: TransportRow.ping("Origin", "http://localhost:3000"), status: 200, code: nil, id: 1),
        TransportRow(name: "Host not a loopback name → 421", request: TransportRow.ping("Host", "evil.example"), status: 421, code: -32600, id: .null, messageContains: "Host"),
        TransportRow(name: "Host rebinding to loopback port of another name → 421", request: TransportRow.ping("Host", "attacker.test:8002"), status: 421, code: -32600),
        TransportRow(name: "Host localhost is allowed", request: TransportRow.ping("Host", "localhost"), status: 200, code: nil, id: 1),
        TransportRow(name: "GET → 405 with Allow", request: { port in HTTPWire.request(method: "GET", headers: [("Host", "127.0.0.1:\(port)"), ("Accept", "text/event-stream")]) }, status: 405, code: -32600, header: ("Allow", "POST")),
        TransportRow(name: "malformed JSON → 400 -32700 id null", request: TransportRow.body(#"{"jsonrpc":"2.0","id":1,"method":"#), status: 400, code: -32700, id: .null, messageContains: "Parse error"),
        TransportRow(name: "a JSON array is not a request → 400 -32600", request: TransportRow.body("[1,2]"), status: 400, code: -32600, id: .null, messageContains: "batches"),
        TransportRow(name: "a JSON string is not a request → 400 -32600", request: TransportRow.body(#""ping""#), status: 400, code: -32600, id: .null),
        TransportRow(name: "an object without method → 400 -32600 echoing the id", request: TransportRow.body(#"{"jsonrpc":"2.0","id":3}"#), status: 400, code: -32600, id: 3),
        TransportRow(name: "jsonrpc 1.0 → 400 -32600", request: TransportRow.body(#"{"jsonrpc":"1.0","id":4,"method":"ping"}"#), status: 400, code: -32600, id: 4),
        TransportRow(name: "unknown method, legacy → 200 -32601", request: TransportRow.body(#"{"jsonrpc":"2.0","id":5,"method":"prompts/list"}"#), status: 200, code: -32601, id: 5),
        TransportRow(
            name: "unknown method, modern → 404 -32601",
            request: { port in
                var headers = HTTPWire.mcpHeaders(port: port, token: Tokens.alice, protocolVersion: MCPTestClient.modernVersion)
                headers.append(("Mcp-Method", "prompts/list"))
                let meta = #"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#
                return HTTPWire.request(headers: headers, body: Array(#"{"jsonrpc":"2.0","id":6,"method":"prompts/list","params":{"_meta":\#(meta)}}"#.utf8))
            }, status: 404, code: -32601, id: 6),
        TransportRow(name: "duplicate keys → 400 naming the key", request: TransportRow.body(#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping"}"#), status: 400, code: -32700, id: .null, messageContains: #"duplicate object key "id""#),
        TransportRow(name: "lone surrogate → 400 saying so", request: TransportRow.body(#"{"jsonrpc":"2.0","id":"\ud800","method":"ping"}"#), status: 400, code: -32700, id: .null, messageContains: "lone UTF-16 surrogate"),
        TransportRow(name: "invalid UTF-8 → 400 saying so", request: TransportRow.bytes(Array(#"{"jsonrpc":"2.0","id":""#.utf8) + [0xC3, 0x28] + Array(#"","method":"ping"}"#.utf8)), status: 400, code: -32700, id: .null, messageContains: "invalid UTF-8"),
        TransportRow(name: "nesting 65 deep → 400 saying so", request: TransportRow.bytes(TransportRow.nested(depth: 65)), status: 400, code: -32700, id: .null, messageContains: "nesting deeper than 64"),
        TransportRow(name: "nesting exactly 64 deep is served", request: TransportRow.bytes(TransportRow.nested(depth: 64)), status: 200, code: nil, id: 1),
    ]

    @Test(arguments: rows)
    func row(_ row: TransportRow) async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        try await withHarness(upstream, configure: { $0.limits.maxBodyBytes = 1024 }) { gateway, _ in
            let response = try #require(await RawSocket.exchange(port: gateway.port, row.request(gateway.port)))
            #expect(response.status == row.status, "body: \(response.text)")
            #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true)
            let json = try #require(response.json, "not JSON: \(response.text)")
            #expect(json["jsonrpc"] == "2.0")
            if let code = row.code {
                #expect(response.errorCode == code, "body: \(response.text)")
            } else {
                #expect(json["error"] == nil, "body: \(response.text)")
                #expect(json["result"] != nil)
            }
            if let id = row.id { #expect(json["id"] == id, "echoed id") }
            if let fragment = row.messageContains {
                #expect(response.errorMessage.contains(fragment), "message: \(response.errorMessage)")
            }
            if let (name, value) = row.header {
                #expect(response.headers[name]?.lowercased() == value.lowercased(), "header \(name)")
            }
        }
        #expect(upstream.requests.isEmpty, "no transport refusal reaches Loonflow")
    }

    @Test func serverAllowedHostsApplyOffLoopback() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gateway = try GatewayHarness(upstreamBaseURL: upstream.baseURL) { config in
            config.server.host = "0.0.0.0"  // the policy's view; the test listener stays on 127.0.0.1
            config.server.allowedHosts = ["mcp.example.com", "mcp.example.com:8443"]
        }
        let port = gateway.port
        let allowed = try #require(await RawSocket.exchange(port: port, TransportRow.ping("Host", "mcp.example.com")(port)))
        #expect(allowed.status == 200, "body: \(allowed.text)")
        let withPort = try #require(await RawSocket.exchange(port: port, TransportRow.ping("Host", "mcp.example.com:8443")(port)))
        #expect(withPort.status == 200, "body: \(withPort.text)")
        for host in ["evil.example", "mcp.example.com.evil.example", "example.com:8443"] {
            let refused = try #require(await RawSocket.exchange(port: port, TransportRow.ping("Host", host)(port)))
            #expect(refused.status == 421, "Host \(host): \(refused.text)")
            #expect(refused.errorCode == -32600)
        }
        await gateway.stop()
    }

    @Test func originsListedInConfigAreAllowed() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        try await withHarness(upstream, configure: { $0.server.allowedOrigins = ["https://app.example.com"] }) { gateway, _ in
            let port = gateway.port
            let allowed = try #require(await RawSocket.exchange(port: port, TransportRow.ping("Origin", "https://app.example.com")(port)))
            #expect(allowed.status == 200)
            let other = try #require(await RawSocket.exchange(port: port, TransportRow.ping("Origin", "https://app.example.com.evil")(port)))
            #expect(other.status == 403)
        }
    }
}
