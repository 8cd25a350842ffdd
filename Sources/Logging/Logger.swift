import Glibc
package import JSON
import Synchronization

package enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warn, error

    package init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warn
        case "error": self = .error
        default: return nil
        }
    }

    package var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        }
    }

    package static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

package enum LogFormat: String, Sendable {
    case text, json
}

/// One-line structured logs on standard error (standard output belongs to the stdio
/// transport). Callers never pass a token; every field value is bounded and escaped here
/// (`LogValue`), so a value from a client or from Loonflow cannot forge or flood a line.
package final class Logger: Sendable {
    package typealias Sink = @Sendable (String) -> Void

    package let level: LogLevel
    package let format: LogFormat
    private let sink: Sink
    private let lock = Mutex(())

    package init(level: LogLevel = .info, format: LogFormat = .text, sink: Sink? = nil) {
        self.level = level
        self.format = format
        self.sink = sink ?? Logger.standardError
    }

    /// A logger that drops everything (tests of pure logic).
    package static let silent = Logger(level: .error, sink: { _ in })

    package func debug(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.debug, event, fields) }
    package func info(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.info, event, fields) }
    package func warn(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.warn, event, fields) }
    package func error(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.error, event, fields) }

    package func log(_ level: LogLevel, _ event: String, _ fields: KeyValuePairs<String, JSONValue>) {
        guard level >= self.level else { return }
        let line = format == .json ? jsonLine(level, event, fields) : textLine(level, event, fields)
        lock.withLock { _ in sink(line) }
    }

    private func jsonLine(_ level: LogLevel, _ event: String, _ fields: KeyValuePairs<String, JSONValue>) -> String {
        var object: JSONObject = ["ts": .string(Self.timestamp()), "level": .string(level.name), "event": .string(event)]
        for (key, value) in fields { object[key] = LogValue.bounded(value, limit: LogValue.limit(forKey: key)) }
        return JSONValue.object(object).jsonText
    }

    private func textLine(_ level: LogLevel, _ event: String, _ fields: KeyValuePairs<String, JSONValue>) -> String {
        var line = "\(Self.timestamp()) \(level.name.uppercased()) \(event)"
        for (key, value) in fields { line += " \(key)=\(LogValue.text(value, limit: LogValue.limit(forKey: key)))" }
        return line
    }

    private static let standardError: Sink = { line in
        FileDescriptorOutput.write(Array((line + "\n").utf8), to: 2)
    }

    /// UTC wall time with milliseconds, ISO 8601.
    package static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }
}
