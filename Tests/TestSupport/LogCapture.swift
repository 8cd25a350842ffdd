package import JSON
package import Logging
import Synchronization

/// Every log line a gateway or tool wrote, kept so a test can read them (and prove no token
/// is in them), and a hook that lets a test act at the moment a given line is logged.
package final class LogCapture: Sendable {
    private struct State {
        var lines: [String] = []
        var hook: (@Sendable (String) -> Void)?
    }

    private let state = Mutex(State())

    package init() {}

    package func append(_ line: String) {
        let hook = state.withLock { state -> (@Sendable (String) -> Void)? in
            state.lines.append(line)
            return state.hook
        }
        hook?(line)
    }

    /// Every line, in order.
    package var lines: [String] { state.withLock { $0.lines } }

    package var text: String { lines.joined(separator: "\n") }

    /// The parsed JSON lines whose `event` is `event`.
    package func events(_ event: String) -> [JSONObject] {
        lines.compactMap { line in
            guard case .object(let object)? = try? JSONParser().parse(line), object["event"] == .string(event) else {
                return nil
            }
            return object
        }
    }

    /// Runs `hook` (on the logging task, synchronously) for every later line.
    package func onLine(_ hook: @escaping @Sendable (String) -> Void) {
        state.withLock { $0.hook = hook }
    }

    /// A logger writing into this capture at `level`, in `format`.
    package func logger(level: Logging.LogLevel = .debug, format: Logging.LogFormat = .text) -> Logger {
        Logger(level: level, format: format, sink: { [self] line in append(line) })
    }
}
