import FoundationEssentials
import Glibc
import HTTPMessage
import JSON
import TestSupport
import Testing

/// Request framing as strict as nginx (RFC 9112 §6.1, §6.3, §3.2): every ambiguous head is
/// refused with a well-framed answer and the connection is closed, so nothing sent after it
/// on the same connection (a smuggled request) is ever served.
@Suite struct StrictFramingTests {
    static let pingBody = Array(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#.utf8)

    /// The standard MCP head (without `Content-Length`) plus `extra` lines, then `body`.
    static func request(
        _ port: UInt16, target: String = "/mcp", method: String = "POST", extra: [String], body: [UInt8] = pingBody
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in HTTPWire.mcpHeaders(port: port, token: Tokens.alice) { head += "\(name): \(value)\r\n" }
        for line in extra { head += line + "\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    static func chunked(_ body: [UInt8]) -> [UInt8] {
        Array((String(body.count, radix: 16) + "\r\n").utf8) + body + Array("\r\n0\r\n\r\n".utf8)
    }

    /// A plain GET pipelined after the hostile request: it must never be answered.
    static func smuggled(_ port: UInt16) -> [UInt8] {
        Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
    }

    /// Sends `bytes` on a new connection and reads everything until the server closes it.
    /// - Returns: the bytes received, or nil when the connection was still open after 10 s.
    static func everythingUntilClose(port: UInt16, _ bytes: [UInt8]) async -> [UInt8]? {
        guard let socket = await RawSocket.connect(port: port) else { return nil }
        await socket.send(bytes)
        return await socket.readUntilClose()
    }

    /// Exactly one well-framed response with `status`, a JSON-RPC error body, `Connection:
    /// close`, and nothing after it before the close.
    static func expectOneRefusal(
        _ bytes: [UInt8]?, status: Int, message: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let bytes else {
            Issue.record("\(name): the connection stayed open", sourceLocation: sourceLocation)
            return
        }
        guard case .complete(let response, let used) = HTTPWire.parseResponse(bytes) else {
            Issue.record("\(name): no complete response in \(String(decoding: bytes, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
            return
        }
        #expect(response.status == status, "\(name): status \(response.status)", sourceLocation: sourceLocation)
        #expect(response.headers["Connection"]?.lowercased() == "close", "\(name): Connection", sourceLocation: sourceLocation)
        #expect(response.errorCode == -32600, "\(name): body \(response.text.debugDescription)", sourceLocation: sourceLocation)
        #expect(response.errorMessage.contains(message), "\(name): message \(response.errorMessage)", sourceLocation: sourceLocation)
        let rest = bytes[used...]
        #expect(rest.isEmpty, "\(name): bytes after the response: \(String(decoding: rest, as: UTF8.self).debugDescription)", sourceLocation: sourceLocation)
        let statusLines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "HTTP/1.1 ").count - 1
        #expect(statusLines == 1, "\(name): \(statusLines) status lines", sourceLocation: sourceLocation)
    }

    static func withGateway(_ body: (UInt16) async throws -> Void) async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gateway = try GatewayHarness(upstreamBaseURL: upstream.baseURL)
        try await body(gateway.port)
        // The gateway still serves, on a kept-alive connection.
        let socket = try #require(await RawSocket.connect(port: gateway.port))
        for _ in 0..<2 {
            let answer = await socket.exchange(HTTPWire.request(headers: HTTPWire.mcpHeaders(port: gateway.port, token: Tokens.alice), body: pingBody))
            #expect(answer?.status == 200, "a sound request is still served")
        }
        await gateway.stop()
    }

    // Finding 1.
    @Test func contentLengthWithChunkedIsRefusedAndClosed() async throws {
        try await Self.withGateway { port in
            let body = Self.chunked(Self.pingBody)
            let bytes = Self.request(port, extra: ["Content-Length: \(body.count)", "Transfer-Encoding: chunked"], body: body)
            Self.expectOneRefusal(
                await Self.everythingUntilClose(port: port, bytes + Self.smuggled(port)), status: 400,
                message: "both Content-Length and Transfer-Encoding", "CL + TE")
            let reversed = Self.request(port, extra: ["Transfer-Encoding: chunked", "Content-Length: 5"], body: body)
            Self.expectOneRefusal(
                await Self.everythingUntilClose(port: port, reversed + Self.smuggled(port)), status: 400,
                message: "both Content-Length and Transfer-Encoding", "TE + CL")
        }
    }

    // Finding 2.
    @Test func twoContentLengthsAreRefused() async throws {
        try await Self.withGateway { port in
            for lengths in [["261", "5"], ["40", "40"]] {
                let bytes = Self.request(port, extra: lengths.map { "Content-Length: \($0)" })
                Self.expectOneRefusal(
                    await Self.everythingUntilClose(port: port, bytes + Self.smuggled(port)), status: 400,
                    message: "more than one Content-Length", "Content-Length \(lengths)")
            }
        }
    }

    // Finding 3: answered at once, not left hanging until the idle timeout.
    @Test(arguments: [("xchunked", 501), ("gzip, chunked", 501), ("chunked, chunked", 501), ("identity", 501), ("chu nked", 400), (",", 400)])
    func otherTransferCodingsAreRefused(coding: String, status: Int) async throws {
        try await Self.withGateway { port in
            let bytes = Self.request(port, extra: ["Transfer-Encoding: \(coding)"], body: Self.chunked(Self.pingBody))
            Self.expectOneRefusal(
                await Self.everythingUntilClose(port: port, bytes + Self.smuggled(port)), status: status,
                message: status == 501 ? "transfer coding not supported" : "malformed Transfer-Encoding", coding)
        }
    }

    // Finding 4: libmicrohttpd's own answer had its header block twice; the guard answers.
    @Test(arguments: [
        ("-1", 400), ("5, 5", 400), ("5 5", 400), ("+5", 400), ("0x10", 400), ("99999999999999999999999", 413),
    ])
    func malformedContentLengthGetsOneWellFramedAnswer(value: String, status: Int) async throws {
        try await Self.withGateway { port in
            let bytes = Self.request(port, extra: ["Content-Length: \(value)"])
            Self.expectOneRefusal(
                await Self.everythingUntilClose(port: port, bytes), status: status,
                message: status == 413 ? "exceeds" : "malformed Content-Length", "Content-Length: \(value)")
        }
    }

    @Test func tooLargeDeclaredLengthIsStill413() async throws {
        try await Self.withGateway { port in
            let bytes = Self.request(port, extra: ["Content-Length: 1000000000"], body: [])
            Self.expectOneRefusal(await Self.everythingUntilClose(port: port, bytes), status: 413, message: "exceeds", "1 GB")
        }
    }

    // Finding 5.
    @Test func twoHostHeadersAreRefused() async throws {
        try await Self.withGateway { port in
            let bytes = Self.request(port, extra: ["Host: evil.example", "Content-Length: \(Self.pingBody.count)"])
            Self.expectOneRefusal(
                await Self.everythingUntilClose(port: port, bytes + Self.smuggled(port)), status: 400,
                message: "more than one Host", "two Host")
        }
    }

    // Finding 6.
    @Test func nulInTheTargetIsRefused() async throws {
        try await Self.withGateway { port in
            let withToken = Self.request(
                port, target: "/mcp\u{0}?access_token=\(Tokens.alice)", extra: ["Content-Length: \(Self.pingBody.count)"])
            let answer = await Self.everythingUntilClose(port: port, withToken)
            Self.expectOneRefusal(answer, status: 400, message: "NUL byte", "POST /mcp NUL ?access_token")
            #expect(!String(decoding: answer ?? [], as: UTF8.self).contains(Tokens.aliceSecret), "the token is not echoed")
            let health = Array("GET /healthz\u{0}x HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
            Self.expectOneRefusal(await Self.everythingUntilClose(port: port, health), status: 400, message: "NUL byte", "GET /healthz NUL x")
        }
    }

    @Test func percentEncodedNULIsNotARawNUL() async throws {
        try await Self.withGateway { port in
            let response = await RawSocket.exchange(port: port, Array("GET /healthz%00x HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
            #expect(response.map { $0.status != 400 || !$0.errorMessage.contains("NUL byte") } == true)
        }
    }
}
