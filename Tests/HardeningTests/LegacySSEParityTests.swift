import Foundation
import HTTPMessage
import JSON
import Testing
import TestSupport

/// The HTTP+SSE transport answers every parity message as Streamable HTTP does: the answer
/// arrives on the event stream instead of in the POST's response.
@Suite struct LegacySSEParityTests {
    @Test(arguments: TransportParityCases.all)
    func sseAndStreamableHTTPAnswerAlike(_ testCase: TransportParityCases.Case) async throws {
        let upstream = try TestUpstream(fallback: { _ in .json(FakeTickets.page(1, perPage: 10, total: 2)) })
        defer { upstream.stop() }
        try await withHarness(upstream) { gateway, client in
            let overHTTP = try await TransportParityCases.answerOverHTTP(testCase.message, client: client, token: Tokens.alice)
            let overSSE = try await Self.answerOverSSE(testCase.message, port: gateway.port, expectingOne: overHTTP != nil)
            #expect(overHTTP == overSSE, "HTTP: \(overHTTP?.jsonText ?? "no answer")\nSSE: \(overSSE?.jsonText ?? "no answer")")
        }
    }

    /// Opens `/sse`, posts `message` to the endpoint it names, and reads the answer off the
    /// stream. Where none is due, a `ping` posted after it must be the first answer to arrive.
    static func answerOverSSE(_ message: JSONValue, port: UInt16, expectingOne: Bool) async throws -> JSONValue? {
        let stream = try #require(await RawSocket.connect(port: port))
        let host = ("Host", "127.0.0.1:\(port)")
        let bearer = ("Authorization", "Bearer \(Tokens.alice)")
        #expect(await stream.send(HTTPWire.request(method: "GET", target: "/sse", headers: [host, ("Accept", "text/event-stream"), bearer])))
        let opened = try #require(await stream.read(until: { Self.sessionID(in: $0) != nil }), "no endpoint event")
        let session = try #require(Self.sessionID(in: opened))
        await post(message, session: session, port: port, headers: [host, bearer])
        if !expectingOne {
            await post(["jsonrpc": "2.0", "id": "sentinel", "method": "ping"], session: session, port: port, headers: [host, bearer])
        }
        let received = try #require(await stream.read(until: { !Self.messages($0).isEmpty }), "no answer on the stream")
        let first = try #require(Self.messages(received).first)
        if !expectingOne {
            #expect(first["id"] == "sentinel", "an answer arrived where none was due: \(first.jsonText)")
            return nil
        }
        return first
    }

    static func post(_ message: JSONValue, session: String, port: UInt16, headers: [(String, String)]) async {
        var all = headers + [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")]
        all += TransportParityCases.modernHeaders(message)
        let request = HTTPWire.request(target: "/messages/?session_id=\(session)", headers: all, body: message.serialized)
        let response = await RawSocket.exchange(port: port, request)
        #expect(response?.status == 202, "the POST is accepted; the answer goes on the stream")
    }

    static func sessionID(in bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let range = text.range(of: "session_id=") else { return nil }
        let id = text[range.upperBound...].prefix { $0.isHexDigit }
        return id.count == 32 ? String(id) : nil
    }

    static func messages(_ bytes: [UInt8]) -> [JSONValue] {
        HTTPWire.sseMessages(String(decoding: bytes, as: UTF8.self))
    }
}
