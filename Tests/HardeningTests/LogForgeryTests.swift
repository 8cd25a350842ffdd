import Config
import JSON
import TestSupport
import Testing

/// Values from clients cannot forge, split or flood log lines: each request writes exactly one
/// request line and at most one audit line, in either format, whatever it carries.
@Suite struct LogForgeryTests {
    /// No space and no quote: the old text format wrote such a value bare.
    static let injection = "ping\n2026-01-01T00:00:00.000Z\tERROR\tFORGED\toutcome=handled\n2026-01-01T00:00:00.000Z\tINFO\taudit.ticket_handle\tuser=admin"

    static func post(_ port: UInt16, token: String?, _ json: JSONValue) -> [UInt8] {
        HTTPWire.request(headers: HTTPWire.mcpHeaders(port: port, token: token), body: json.serialized)
    }

    /// Lines of `format` parsed: the event of each, and for text lines the keys in order.
    static func events(_ lines: [String], format: String) -> [(event: String, keys: [String], line: String)] {
        lines.compactMap { line in
            if format == "json" {
                guard let object = (try? JSONParser().parse(line))?.objectValue, let event = object["event"]?.stringValue
                else { return nil }
                return (event, object.keys, line)
            }
            guard let parsed = TextLogLine(line) else { return nil }
            return (parsed.event, parsed.keys, line)
        }
    }

    @Test(arguments: ["text", "json"])
    func requestAndAuditLinesCannotBeForged(format: String) async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gateway = try GatewayHarness(upstreamBaseURL: upstream.baseURL) { $0.logging.format = .init(rawValue: format)! }
        let port = gateway.port

        // Finding 8: a forged line through `method`, without a token.
        let rpc: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": .string(Self.injection)]
        _ = try #require(await RawSocket.exchange(port: port, Self.post(port, token: nil, rpc)))
        // Finding 9: through ticket_handle's ticket_id, with a valid token.
        let handle: JSONValue = [
            "jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": ["name": "ticket_handle", "arguments": ["ticket_id": .string(Self.injection), "action_type": "agree", "action_id": "x"]],
        ]
        let handled = try #require(await RawSocket.exchange(port: port, Self.post(port, token: Tokens.alice, handle)))
        #expect(handled.status == 200)
        // Finding 10: a megabyte method and tool name.
        let megabyte = String(repeating: "m", count: 1_048_576)
        _ = await RawSocket.exchange(port: port, Self.post(port, token: nil, ["jsonrpc": "2.0", "id": 3, "method": .string(megabyte)]))
        let bigTool: JSONValue = ["jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": ["name": .string(megabyte), "arguments": [:]]]
        _ = await RawSocket.exchange(port: port, Self.post(port, token: Tokens.alice, bigTool))
        await gateway.stop()

        let lines = gateway.logs.lines
        let text = lines.joined(separator: "\n")
        #expect(!lines.contains { $0.contains("\n") || $0.contains("\r") }, "every entry is one physical line")
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("2026-01-01T00:00:00.000Z") }, "no forged line:\n\(text.prefix(3000))")
        let events = Self.events(lines, format: format)
        #expect(events.count == lines.count, "every line parses as a \(format) log line:\n\(text.prefix(3000))")
        let requests = events.filter { $0.event == "request" }
        let audits = events.filter { $0.event == "audit.ticket_handle" }
        #expect(requests.count == 4, "one request line per request:\n\(requests.map(\.line).joined(separator: "\n").prefix(3000))")
        #expect(audits.count == 1, "one audit line:\n\(audits.map(\.line).joined(separator: "\n"))")
        for request in requests {
            #expect(request.keys.suffix(8) == ["request", "era", "method", "tool", "outcome", "status", "duration_ms", "detail"], "\(request.line.prefix(400))")
        }
        #expect(audits.first?.keys.suffix(6) == ["user", "ticket", "action_type", "action_id", "dry_run", "outcome"], "\(audits.first?.line ?? "")")
        #expect(audits.first?.line.contains("refused: invalid ticket_id") == true, "\(audits.first?.line ?? "")")
        for line in lines { #expect(line.utf8.count < 2_000, "bounded: \(line.utf8.count) bytes: \(line.prefix(300))") }
        #expect(requests.contains { $0.line.contains("…[+") }, "the megabyte values are cut with a marker")
        #expect(Tokens.leaked(in: text).isEmpty)
    }
}

/// A text log line split by the format's quoting rules: `<ts> <LEVEL> <event> key=value…`,
/// a value bare or double-quoted with backslash escapes.
struct TextLogLine {
    var event: String
    var keys: [String]

    init?(_ line: String) {
        let bytes = Array(line.utf8)
        var index = 0
        func word() -> String {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: " ") { index += 1 }
            defer { if index < bytes.count { index += 1 } }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        _ = word()
        _ = word()
        event = word()
        keys = []
        while index < bytes.count {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "=") {
                guard bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\"") else { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            keys.append(String(decoding: bytes[start..<index], as: UTF8.self))
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < bytes.count else { return nil }
                index += 1
                guard index == bytes.count || bytes[index] == UInt8(ascii: " ") else { return nil }
                if index < bytes.count { index += 1 }
            } else {
                _ = word()
            }
        }
    }
}
