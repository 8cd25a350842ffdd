import HTTPMessage
import HTTPServer
import Testing
import TestSupport

@Suite("Suspended handlers, streaming and disconnects")
struct ConcurrencyTests {
    @Test("20 handlers awaiting at once each hold no thread")
    func concurrentHandlers() async throws {
        let clients = 20
        let occupancy = Occupancy()
        let allInside = TestGate()
        let handler = ClosureHandler { request in
            if occupancy.enter() == clients { allInside.open() }
            _ = await allInside.wait(timeout: .seconds(10))
            occupancy.leave()
            return HTTPResponse(status: 200, body: Array(request.path.utf8))
        }
        try await withServer(handler: handler) { _, port in
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<clients {
                    group.addTask {
                        try await onThread { try RawHTTPClient(port: port).request("GET", "/c/\(index)").text }
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(bodies == Set((0..<clients).map { "/c/\($0)" }))
            #expect(occupancy.peak == clients)
        }
    }

    @Test("a stream's first chunk arrives before the handler produces the second")
    func streamsChunkByChunk() async throws {
        let gate = TestGate()
        let handler = ClosureHandler { _ in
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            Task {
                continuation.yield(Array("data: first\n\n".utf8))
                await gate.wait()
                continuation.yield(Array("data: second\n\n".utf8))
                continuation.finish()
            }
            return HTTPResponse(status: 200, headers: ["Content-Type": "text/event-stream"], stream: stream)
        }
        try await withServer(handler: handler) { _, port in
            let client = try await onThread { try RawHTTPClient(port: port) }
            let (head, first) = try await onThread {
                try client.send("GET /sse HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
                return (try client.readHead(), try client.readChunk())
            }
            #expect(head.status == 200)
            #expect(head.header("Content-Type") == "text/event-stream")
            #expect(head.header("Transfer-Encoding") == "chunked")
            #expect(first.map { String(decoding: $0, as: UTF8.self) } == "data: first\n\n")
            #expect(!gate.isOpen)

            gate.open()
            let rest = try await onThread { (try client.readChunk(), try client.readChunk()) }
            #expect(rest.0.map { String(decoding: $0, as: UTF8.self) } == "data: second\n\n")
            #expect(rest.1 == nil)
            let next = try await onThread { try client.request("GET", "/again") }
            #expect(next.status == 200)
        }
    }

    @Test("a client that leaves while the handler waits cancels the handler's task")
    func disconnectCancelsHandler() async throws {
        let entered = TestGate()
        let cancelled = TestGate()
        let handler = ClosureHandler { _ in
            entered.open()
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.open()
            }
            return HTTPResponse(status: 200)
        }
        try await withServer(handler: handler) { _, port in
            let client = try await onThread { try RawHTTPClient(port: port) }
            try await onThread { try client.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n") }
            #expect(await entered.wait(timeout: .seconds(10)))
            client.close()
            #expect(await cancelled.wait(timeout: .seconds(10)))
        }
    }

    @Test("a client that leaves while a stream waits for its next chunk ends the stream")
    func disconnectEndsStream() async throws {
        let ended = TestGate()
        let handler = ClosureHandler { _ in
            let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
            continuation.onTermination = { _ in ended.open() }
            continuation.yield(Array("data: only\n\n".utf8))
            return HTTPResponse(status: 200, headers: ["Content-Type": "text/event-stream"], stream: stream)
        }
        try await withServer(handler: handler) { _, port in
            let client = try await onThread { try RawHTTPClient(port: port) }
            let first = try await onThread {
                try client.send("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = try client.readHead()
                return try client.readChunk()
            }
            #expect(first == Array("data: only\n\n".utf8))
            client.close()
            #expect(await ended.wait(timeout: .seconds(10)))
        }
    }
}
