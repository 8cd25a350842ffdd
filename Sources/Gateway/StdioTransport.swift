package import Auth
import Glibc
import JSON
package import Logging
package import MCPCore
import Synchronization

/// Newline-delimited JSON-RPC on stdin/stdout for clients that spawn the gateway. Both
/// eras, chosen by the body alone (there are no headers): the dispatcher's rules, the same as
/// over HTTP. Standard output carries only protocol messages; logs go to standard error.
package final class StdioTransport: Sendable {
    let dispatcher: MCPDispatcher
    /// `LOONFLOW_MCP_ACCESS_TOKEN`, validated at start-up: every call runs as this caller.
    let defaultToken: AccessToken?
    let logger: Logger
    private let output = Mutex(())
    /// The one caller on this transport, for matching cancellations.
    private static let caller = "stdio"

    package init(server: MCPServer, defaultToken: AccessToken?, logger: Logger, maxJSONDepth: Int = 64) {
        dispatcher = MCPDispatcher(server: server, maxJSONDepth: maxJSONDepth)
        self.defaultToken = defaultToken
        self.logger = logger
    }

    /// Serves until stdin closes, then waits for calls still running.
    package func run() async {
        let lines = StdinLines.start()
        await withTaskGroup(of: Void.self) { group in
            for await line in lines {
                group.addTask { await self.handle(line) }
            }
        }
    }

    func handle(_ line: [UInt8]) async {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else { return }
        let context = ToolCallContext(transportToken: defaultToken, transportTokenSource: "LOONFLOW_MCP_ACCESS_TOKEN")
        let outcome = await dispatcher.dispatch(line, headers: .none, caller: Self.caller, context: context)
        if case .answered(let answer) = outcome { log(answer) }
        if let message = outcome.message { write(message) }
    }

    private func log(_ answer: Answer) {
        logger.info(
            "request",
            [
                "transport": "stdio", "era": .string(answer.era.rawValue), "method": .string(answer.method),
                "tool": answer.tool.map { .string($0) } ?? .null,
            ])
    }

    private func write(_ message: JSONValue) {
        let bytes = message.serialized + [UInt8(ascii: "\n")]
        output.withLock { _ in FileDescriptorOutput.write(bytes, to: 1) }
    }
}

/// Reads standard input on its own thread (reads block) and yields one line at a time.
enum StdinLines {
    static func start() -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        let box = Unmanaged.passRetained(LineSink(continuation))
        var thread = pthread_t()
        pthread_create(&thread, nil, { raw in
            let sink = Unmanaged<LineSink>.fromOpaque(raw!).takeRetainedValue()
            sink.readAll()
            return nil
        }, box.toOpaque())
        pthread_detach(thread)
        return stream
    }
}

/// Threading: used only by the stdin reader thread after hand-off.
private final class LineSink: @unchecked Sendable {
    let continuation: AsyncStream<[UInt8]>.Continuation
    init(_ continuation: AsyncStream<[UInt8]>.Continuation) { self.continuation = continuation }

    func readAll() {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                continuation.yield(Array(pending[..<newline]))
                pending.removeSubrange(...newline)
            }
        }
        if !pending.isEmpty { continuation.yield(pending) }
        continuation.finish()
    }
}
