import HTTPMessage
import JSON
import TestSupport
import Testing

/// A hostile request and the answer it must get.
struct MalformedCase: Sendable {
    var name: String
    var body: [UInt8]
    var status: Int
    /// The JSON-RPC code; nil for a successful answer (a tool error counts as one).
    var code: Int?
    /// The id the answer must echo; `.null` when the id could not be read.
    var id: JSONValue?
    var messageContains: String?
    /// Replaces the standard headers for this case.
    var headers: (@Sendable (UInt16) -> [(String, String)])?

    init(
        _ name: String, _ body: [UInt8], status: Int = 400, code: Int?, id: JSONValue? = nil,
        message: String? = nil, headers: (@Sendable (UInt16) -> [(String, String)])? = nil
    ) {
        self.name = name
        self.body = body
        self.status = status
        self.code = code
        self.id = id
        self.messageContains = message
        self.headers = headers
    }

    init(_ name: String, _ text: String, status: Int = 400, code: Int?, id: JSONValue? = nil, message: String? = nil) {
        self.init(name, Array(text.utf8), status: status, code: code, id: id, message: message)
    }
}

/// At least forty malformed requests against the real executable; every one is answered as
/// specified, the gateway keeps serving, and its memory comes back near where it started.
@Suite struct MalformedRequestTests {
    static let megabyte = String(repeating: "x", count: 1_048_576)

    static func request(_ fields: String) -> String { #"{"jsonrpc":"2.0",\#(fields)}"# }

    static func call(_ params: String, id: String = "1") -> String {
        request(#""id":\#(id),"method":"tools/call","params":\#(params)"#)
    }

    static var cases: [MalformedCase] {
        var cases: [MalformedCase] = [
            // Truncated and broken JSON.
            MalformedCase("empty body", "", code: -32700, id: .null, message: "empty body"),
            MalformedCase("whitespace only", "  \n\t ", code: -32700, id: .null),
            MalformedCase("truncated after key", #"{"jsonrpc":"2.0","id":1,"method""#, code: -32700, id: .null),
            MalformedCase("truncated string", #"{"jsonrpc":"2.0","id":1,"method":"pi"#, code: -32700, id: .null),
            MalformedCase("truncated escape", #"{"jsonrpc":"2.0","id":"\u00"#, code: -32700, id: .null),
            MalformedCase("trailing comma", #"{"jsonrpc":"2.0","id":1,"method":"ping",}"#, code: -32700, id: .null),
            MalformedCase("trailing garbage", #"{"jsonrpc":"2.0","id":1,"method":"ping"}x"#, code: -32700, id: .null, message: "after the JSON value"),
            MalformedCase("two documents", #"{"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}"#, code: -32700, id: .null),
            MalformedCase("single quotes", "{'jsonrpc':'2.0','id':1,'method':'ping'}", code: -32700, id: .null),
            MalformedCase("bare word", "ping", code: -32700, id: .null),
            MalformedCase("leading zero id", #"{"jsonrpc":"2.0","id":01,"method":"ping"}"#, code: -32700, id: .null, message: "leading zero"),
            MalformedCase("NaN id", #"{"jsonrpc":"2.0","id":NaN,"method":"ping"}"#, code: -32700, id: .null),
            // Wrong types for every field.
            MalformedCase("jsonrpc a number", #"{"jsonrpc":2,"id":1,"method":"ping"}"#, code: -32600, id: 1, message: "jsonrpc"),
            MalformedCase("jsonrpc 1.0", #"{"jsonrpc":"1.0","id":1,"method":"ping"}"#, code: -32600, id: 1),
            MalformedCase("jsonrpc missing", #"{"id":1,"method":"ping"}"#, code: -32600, id: 1),
            MalformedCase("method a number", request(#""id":1,"method":42"#), code: -32600, id: 1, message: "method"),
            MalformedCase("method null", request(#""id":1,"method":null"#), code: -32600, id: 1),
            MalformedCase("method an object", request(#""id":1,"method":{"name":"ping"}"#), code: -32600, id: 1),
            MalformedCase("params an array", request(#""id":1,"method":"ping","params":[1]"#), code: -32602, id: 1, message: "params"),
            MalformedCase("params a string", request(#""id":1,"method":"tools/list","params":"x""#), code: -32602, id: 1),
            MalformedCase("id true", request(#""id":true,"method":"ping""#), code: -32600, id: .null, message: "id"),
            MalformedCase("id null", request(#""id":null,"method":"ping""#), code: -32600, id: .null),
            MalformedCase("id an object", request(#""id":{"a":1},"method":"ping""#), code: -32600, id: .null),
            MalformedCase("id an array", request(#""id":[1],"method":"ping""#), code: -32600, id: .null),
            MalformedCase("tools/call name a number", call(#"{"name":5}"#), status: 200, code: -32602, id: 1, message: "params.name"),
            MalformedCase("tools/call name missing", call(#"{"arguments":{}}"#), status: 200, code: -32602, id: 1),
            MalformedCase("tools/call arguments an array", call(#"{"name":"ticket_list","arguments":[1]}"#), status: 200, code: -32602, id: 1, message: "arguments"),
            MalformedCase("tools/call unknown tool", call(#"{"name":"../../etc/passwd","arguments":{}}"#), status: 200, code: -32602, id: 1, message: "unknown tool"),
            MalformedCase("initialize protocolVersion a number", request(#""id":1,"method":"initialize","params":{"protocolVersion":2025}"#), status: 200, code: -32602, id: 1),
            // Huge and odd ids.
            MalformedCase("huge integer id", request(#""id":123456789012345678901234567890,"method":"ping""#), status: 200, code: nil, id: .number(JSONNumber(uncheckedLiteral: "123456789012345678901234567890"))),
            MalformedCase("exponent id", request(#""id":1e400,"method":"ping""#), status: 200, code: nil, id: .number(JSONNumber(uncheckedLiteral: "1e400"))),
            MalformedCase("negative fraction id", request(#""id":-0.5,"method":"ping""#), status: 200, code: nil, id: -0.5),
            MalformedCase("path-like id", request(#""id":"../../../etc/passwd","method":"ping""#), status: 200, code: nil, id: "../../../etc/passwd"),
            MalformedCase("CRLF id", request(#""id":"a\r\nX-Injected: yes\r\n\r\nHTTP/1.1 200 OK","method":"ping""#), status: 200, code: nil, id: "a\r\nX-Injected: yes\r\n\r\nHTTP/1.1 200 OK"),
            MalformedCase("NUL escaped in id", request(#""id":"a\u0000b","method":"ping""#), status: 200, code: nil, id: "a\u{0}b"),
            MalformedCase("1 MB string id", request(#""id":"\#(megabyte)","method":"ping""#), status: 200, code: nil, id: .string(megabyte)),
            // Depth bombs.
            MalformedCase("array bomb 100000 deep", String(repeating: "[", count: 100_000), code: -32700, id: .null, message: "nesting deeper than 64"),
            MalformedCase("object bomb 1000 deep", String(repeating: #"{"a":"#, count: 1_000), code: -32700, id: .null, message: "nesting deeper than 64"),
            MalformedCase("bomb in params", request(#""id":1,"method":"ping","params":{"x":"# + String(repeating: "[", count: 5_000)), code: -32700, id: .null, message: "nesting"),
            // Duplicate keys.
            MalformedCase("duplicate method", #"{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"}"#, code: -32700, id: .null, message: #"duplicate object key "method""#),
            MalformedCase("duplicate nested key", call(#"{"name":"ticket_list","arguments":{"page":1,"page":2}}"#), code: -32700, id: .null, message: #"duplicate object key "page""#),
            // Lone surrogates and bad escapes.
            MalformedCase("lone high surrogate", request(#""id":"\ud83d","method":"ping""#), code: -32700, id: .null, message: "lone UTF-16 surrogate"),
            MalformedCase("lone low surrogate", request(#""id":"\udc00x","method":"ping""#), code: -32700, id: .null, message: "lone UTF-16 surrogate"),
            MalformedCase("reversed surrogate pair", request(#""id":"\ude00\ud83d","method":"ping""#), code: -32700, id: .null, message: "lone UTF-16 surrogate"),
            MalformedCase("invalid escape", request(#""id":"\x41","method":"ping""#), code: -32700, id: .null, message: "invalid escape"),
            // 1 MB strings elsewhere.
            MalformedCase("1 MB method", request(#""id":2,"method":"\#(megabyte)""#), status: 200, code: -32601, id: 2, message: "Method not found"),
            MalformedCase("1 MB tool name", call(#"{"name":"\#(megabyte)","arguments":{}}"#, id: "3"), status: 200, code: -32602, id: 3, message: "unknown tool"),
            MalformedCase("1 MB argument", call(#"{"name":"ticket_list","arguments":{"search_value":"\#(megabyte)","page":"one"}}"#, id: "4"), status: 200, code: nil, id: 4),
            MalformedCase("1 MB of whitespace around a ping", String(repeating: " ", count: 1_048_576) + request(#""id":5,"method":"ping""#), status: 200, code: nil, id: 5),
        ]
        // Invalid UTF-8 and NUL bytes.
        let prefix = Array(#"{"jsonrpc":"2.0","id":""#.utf8)
        let suffix = Array(#"","method":"ping"}"#.utf8)
        for (name, bytes) in [
            ("invalid UTF-8: 0xFF", [UInt8(0xFF)]), ("invalid UTF-8: overlong slash", [0xC0, 0xAF]),
            ("invalid UTF-8: encoded surrogate", [0xED, 0xA0, 0x80]), ("invalid UTF-8: cut sequence", [0xE2, 0x82]),
            ("invalid UTF-8: above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ] {
            cases.append(MalformedCase(name, prefix + bytes + suffix, code: -32700, id: .null, message: "invalid UTF-8"))
        }
        cases.append(MalformedCase("raw NUL inside a string", prefix + [0x00] + suffix, code: -32700, id: .null, message: "control character"))
        cases.append(MalformedCase("raw NUL after the document", Array(request(#""id":1,"method":"ping""#).utf8) + [0], code: -32700, id: .null))
        cases.append(MalformedCase("invalid UTF-8 outside strings", [0xFE] + Array(request(#""id":1,"method":"ping""#).utf8), code: -32700, id: .null))
        // Transport-level oddities.
        cases.append(
            MalformedCase("10 MB body", Array(repeating: UInt8(ascii: " "), count: 10 * 1_048_576), status: 413, code: -32600, id: .null, message: "exceeds"))
        cases.append(
            MalformedCase("form-encoded body", Array("jsonrpc=2.0&id=1&method=ping".utf8), status: 415, code: -32600, id: .null,
                headers: { port in HTTPWire.replacing(HTTPWire.mcpHeaders(port: port, token: Tokens.alice), "Content-Type", with: "application/x-www-form-urlencoded") }))
        return cases
    }

    @Test func everyMalformedRequestIsAnsweredAndMemoryComesBack() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        upstream.route("GET", FakeTickets.path, FakeTickets.route())
        let gateway = try await GatewayProcess.start(yaml: gatewayYAML(upstream: upstream.baseURL))
        let port = gateway.port
        let cases = Self.cases
        #expect(cases.count >= 40)

        // Warm up, so the baseline includes what serving at all costs.
        for _ in 0..<3 {
            _ = await RawSocket.exchange(port: port, TransportRow.ping()(port))
            _ = await RawSocket.exchange(port: port, Array(Self.call(#"{"name":"ticket_list","arguments":{}}"#).utf8).withHeaders(port))
        }
        let before = try #require(gateway.residentKilobytes())

        for round in 0..<2 {
            for item in cases {
                let headers = item.headers?(port) ?? HTTPWire.mcpHeaders(port: port, token: Tokens.alice)
                let response = await RawSocket.exchange(port: port, HTTPWire.request(headers: headers, body: item.body), timeout: .seconds(30))
                guard let response else {
                    Issue.record("\(item.name) (round \(round)): no answer")
                    continue
                }
                check(response, item)
            }
        }

        let tools = try await gateway.client().callTool("ticket_list", token: Tokens.alice)
        #expect(tools.status == 200 && tools.isToolError == false, "still serving: \(tools.text)")
        let after = try #require(gateway.residentKilobytes())
        #expect(after - before < 20 * 1024, "VmRSS grew from \(before) kB to \(after) kB")

        let output = await gateway.stop()
        #expect(output.exitCode == 0, "exit status; stderr: \(output.stderr.suffix(2000))")
        #expect(Tokens.leaked(in: output.combined).isEmpty, "tokens in the gateway's output")
    }

    private func check(_ response: RawResponse, _ item: MalformedCase) {
        let name = item.name
        #expect(response.status == item.status, "\(name): status; body: \(response.text.prefix(300))")
        #expect(response.headers["X-Injected"] == nil, "\(name): header injected")
        guard let json = response.json else {
            Issue.record("\(name): body is not JSON: \(response.text.prefix(300))")
            return
        }
        if let code = item.code {
            #expect(response.errorCode == code, "\(name): code; body: \(response.text.prefix(300))")
            #expect(response.errorMessage.utf8.count < 4_096, "\(name): the message is bounded")
        } else {
            #expect(json["error"] == nil, "\(name): unexpected error \(response.text.prefix(300))")
        }
        if let id = item.id { #expect(json["id"] == id, "\(name): id \(String(describing: json["id"]).prefix(100))") }
        if case .number(let number)? = item.id {
            #expect(response.text.contains(#""id":\#(number.literal)"#), "\(name): the id's literal is echoed exactly")
        }
        if let fragment = item.messageContains {
            #expect(response.errorMessage.contains(fragment), "\(name): message \(response.errorMessage.prefix(300))")
        }
    }
}

extension Array where Element == UInt8 {
    /// This body as a POST to `/mcp` with the standard headers and Alice's token.
    func withHeaders(_ port: UInt16) -> [UInt8] {
        HTTPWire.request(headers: HTTPWire.mcpHeaders(port: port, token: Tokens.alice), body: self)
    }
}
