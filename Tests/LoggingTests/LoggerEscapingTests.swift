import JSON
import Logging
import Synchronization
import Testing

/// Lines written by a logger, kept for the test to parse.
final class LineSink: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    func logger(_ format: LogFormat) -> Logger {
        Logger(level: .debug, format: format, sink: { [self] line in lines.withLock { $0.append(line) } })
    }
}

/// Field values from clients and Loonflow cannot forge a line, pose as a field, or flood the log.
@Suite struct LoggerEscapingTests {
    /// No space and no quote: the old text format wrote such a value bare.
    static let forged = "ping\n2026-01-01T00:00:00.000Z\tERROR\tFORGED\taudit.ticket_handle\tuser=admin"
    static let hostile: [String] = [
        forged, "a\rb", "tab\there", "quote\"inside", "back\\slash", "nul\u{0}byte", "esc\u{1B}[31mred",
        "del\u{7F}", "c1\u{85}next", "line\u{2028}separator", "para\u{2029}graph", "bidi\u{202E}txt",
        "spaced value", "k=v", "", "ünïcödé",
    ]

    /// Splits a text line into its timestamp, level, event and `key=value` fields, honouring
    /// the quoting rules; nil when the line does not follow them.
    static func parseText(_ line: String) -> (level: String, event: String, fields: [(String, String)])? {
        var rest = Substring(line)
        func word() -> Substring {
            let end = rest.firstIndex(of: " ") ?? rest.endIndex
            defer { rest = rest[end...].drop { $0 == " " } }
            return rest[..<end]
        }
        _ = word()
        let level = String(word())
        let event = String(word())
        var fields: [(String, String)] = []
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { return nil }
            let key = String(rest[..<equals])
            rest = rest[rest.index(after: equals)...]
            if rest.first == "\"" {
                var value = ""
                var index = rest.index(after: rest.startIndex)
                var closed = false
                while index < rest.endIndex {
                    let character = rest[index]
                    if character == "\\" {
                        index = rest.index(after: index)
                        guard index < rest.endIndex else { return nil }
                        value.append("\\")
                        value.append(rest[index])
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                    index = rest.index(after: index)
                }
                guard closed else { return nil }
                rest = rest[rest.index(after: index)...]
                guard rest.isEmpty || rest.first == " " else { return nil }
                rest = rest.drop { $0 == " " }
                fields.append((key, value))
            } else {
                fields.append((key, String(word())))
            }
        }
        return (level, event, fields)
    }

    @Test(arguments: hostile)
    func textValuesStayInTheirField(value: String) throws {
        let sink = LineSink()
        sink.logger(.text).info("request", ["method": .string(value), "outcome": "ok"])
        let lines = sink.all
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(!line.contains("\n") && !line.contains("\r"), "one physical line: \(line)")
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 || $0.value == 0x202E })
        let parsed = try #require(Self.parseText(line), "the line follows the quoting rules: \(line)")
        #expect(parsed.level == "INFO" && parsed.event == "request")
        #expect(parsed.fields.map(\.0) == ["method", "outcome"], "exactly the fields logged: \(line)")
        #expect(parsed.fields.last?.1 == "ok")
    }

    @Test(arguments: hostile)
    func jsonValuesRoundTrip(value: String) throws {
        let sink = LineSink()
        sink.logger(.json).info("request", ["method": .string(value), "outcome": "ok"])
        let line = try #require(sink.all.first)
        #expect(sink.all.count == 1 && !line.contains("\n"))
        let object = try #require(try JSONParser().parse(line).objectValue)
        #expect(object.keys == ["ts", "level", "event", "method", "outcome"])
        #expect(object["method"]?.stringValue == value)
    }

    @Test func forgedLineIsNotALine() {
        let sink = LineSink()
        let logger = sink.logger(.text)
        logger.info("request", ["method": .string(Self.forged)])
        let text = sink.all.joined(separator: "\n")
        #expect(text.split(separator: "\n").count == 1)
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("2026-01-01T00:00:00.000Z") })
        #expect(text.contains(#"method="ping\n2026-01-01T00:00:00.000Z\tERROR\tFORGED"#), "\(text)")
    }

    @Test(arguments: [LogFormat.text, .json])
    func longValuesAreCutWithAMarker(format: LogFormat) throws {
        let sink = LineSink()
        let megabyte = String(repeating: "x", count: 1_048_576)
        sink.logger(format).info("request", ["method": .string(megabyte), "tool": .string("ok")])
        let line = try #require(sink.all.first)
        #expect(line.utf8.count < 600, "\(line.utf8.count) bytes")
        #expect(line.contains(String(repeating: "x", count: 200) + "…[+1048376 bytes]"), "\(line.prefix(400))")
    }

    @Test func combiningMarksCannotStretchOneCharacter() throws {
        let sink = LineSink()
        let cluster = "a" + String(repeating: "\u{301}", count: 100_000)
        sink.logger(.json).info("request", ["method": .string(cluster)])
        let line = try #require(sink.all.first)
        #expect(line.utf8.count < 1_000, "\(line.utf8.count) bytes")
    }

    @Test func nestedValuesAreBoundedToo() throws {
        let sink = LineSink()
        let big: JSONValue = .array(Array(repeating: .string(String(repeating: "y", count: 1_000)), count: 100))
        sink.logger(.text).info("event", ["node_id": big])
        sink.logger(.json).info("event", ["node_id": big])
        for line in sink.all { #expect(line.utf8.count < 700, "\(line.utf8.count) bytes") }
    }

    @Test func plainValuesStayBare() throws {
        let sink = LineSink()
        sink.logger(.text).info("request", ["era": "2025-11-25", "tool": "ticket_list", "status": 200, "detail": nil])
        let line = try #require(sink.all.first)
        #expect(line.hasSuffix(" INFO request era=2025-11-25 tool=ticket_list status=200 detail=null"), "\(line)")
    }
}
