import Auth
import Glibc
import JSON
import Logging
import MCPCore
import MCPHTTP
import Synchronization

/// Newline-delimited JSON-RPC on stdin/stdout for clients that spawn the gateway. Both
/// eras: `initialize` selects legacy, a request whose `_meta` names a modern version is
/// modern. Standard output carries only protocol messages; logs go to standard error.
package final class StdioTransport: Sendable {
    let server: MCPServer
    /// `LOONFLOW_MCP_ACCESS_TOKEN`, validated at start-up: every call runs as this caller.
    let defaultToken: AccessToken?
    let logger: Logger
    let maxJSONDepth: Int
    private let output = Mutex(())
    private let inFlight = InFlightCalls()

    package init(server: MCPServer, defaultToken: AccessToken?, logger: Logger, maxJSONDepth: Int = 64) {
        self.server = server
        self.defaultToken = defaultToken
        self.logger = logger
        self.maxJSONDepth = maxJSONDepth
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
        let value: JSONValue
        do {
            value = try JSONParser(maxDepth: maxJSONDepth).parse(line)
        } catch {
            write(JSONRPCResponse.error(id: nil, .parseError(error.description)))
            return
        }
        switch IncomingMessage.classify(value) {
        case .failure(let error):
            write(JSONRPCResponse.error(id: value["id"].flatMap(JSONRPCID.init), error))
        case .success(.response):
            return
        case .success(.notification(let method, let params)):
            if method == "notifications/cancelled", let raw = params?["requestId"], let id = JSONRPCID(raw) {
                inFlight.cancel(InFlightCalls.Key(caller: "stdio", requestID: id))
            }
        case .success(.request(let id, let method, let params)):
            await answer(id: id, method: method, params: params)
        }
    }

    private func answer(id: JSONRPCID, method: String, params: JSONObject?) async {
        let era: ProtocolEra
        switch MCPServer.era(ofBody: params) {
        case .failure(let error):
            write(JSONRPCResponse.error(id: id, error))
            return
        case .success(let selected): era = selected
        }
        let cancellation = CallCancellation()
        let context = ToolCallContext(
            transportToken: defaultToken, transportTokenSource: "LOONFLOW_MCP_ACCESS_TOKEN", requestID: id,
            cancellation: cancellation)
        let key = InFlightCalls.Key(caller: "stdio", requestID: id)
        let registered = inFlight.register(key) { cancellation.cancel() }
        let outcome = await server.handle(method: method, params: params, era: era, context: context)
        if registered { inFlight.finish(key) }
        logger.info("request", ["transport": "stdio", "era": .string(era.rawValue), "method": .string(method), "tool": params?["name"] ?? .null])
        switch outcome {
        case .success(let result): write(JSONRPCResponse.result(id: id, result))
        case .failure(let error): write(JSONRPCResponse.error(id: id, error))
        }
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
