import Glibc
import HTTPMessage
import HTTPServer
import Testing
import TestSupport

@Suite("Start, stop and recovery")
struct LifecycleTests {
    @Test("a host that is not a numeric address is refused at init")
    func badHost() {
        #expect(throws: HTTPServerError.self) {
            try HTTPServer(options: HTTPServerOptions(host: "not a host"), handler: echoPathHandler)
        }
        do throws(HTTPServerError) {
            _ = try HTTPServer(options: HTTPServerOptions(host: "example.com"), handler: echoPathHandler)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidHost)
            #expect(error.description.contains("example.com"))
        }
    }

    @Test("a port already in use is reported as such, and start runs only once")
    func addressInUse() async throws {
        try await withServer(handler: echoPathHandler) { server, port in
            let second = try HTTPServer(options: HTTPServerOptions(port: port), handler: echoPathHandler)
            do throws(HTTPServerError) {
                try second.start()
                Issue.record("expected an error")
            } catch {
                #expect(error.kind == .addressInUse)
                #expect(error.description.contains("127.0.0.1:\(port)"))
            }
            do throws(HTTPServerError) {
                try server.start()
                Issue.record("expected an error")
            } catch {
                #expect(error.kind == .invalidState)
            }
        }
    }

    @Test("stop lets a request in flight finish and refuses new connections")
    func gracefulStop() async throws {
        let entered = TestGate()
        let release = TestGate()
        let handler = ClosureHandler { _ in
            entered.open()
            await release.wait()
            return HTTPResponse(status: 200, body: Array("finished".utf8))
        }
        let server = try HTTPServer(handler: handler)
        try server.start()
        let port = try #require(server.boundPort)
        let inFlight = try await onThread { try RawHTTPClient(port: port) }
        try await onThread { try inFlight.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n") }
        #expect(await entered.wait(timeout: .seconds(10)))

        server.stopAccepting()
        let refusal = try await onThread { () -> Int32 in
            do {
                _ = try RawHTTPClient(port: port)
                return 0
            } catch let error as RawHTTPError {
                return error.code
            }
        }
        #expect(refusal == ECONNREFUSED)

        let stopping = Task { await server.stop(gracePeriod: .seconds(20)) }
        release.open()
        let response = try await onThread { try inFlight.readResponse() }
        #expect(response.status == 200)
        #expect(response.text == "finished")
        #expect(response.header("Connection")?.lowercased() == "close")
        await stopping.value
        #expect(server.boundPort == nil)
    }

    @Test("stop cancels handlers still running when the grace period ends")
    func graceExpires() async throws {
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
        let server = try HTTPServer(handler: handler)
        try server.start()
        let port = try #require(server.boundPort)
        let client = try await onThread { try RawHTTPClient(port: port) }
        try await onThread { try client.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n") }
        #expect(await entered.wait(timeout: .seconds(10)))
        await server.stop(gracePeriod: .milliseconds(100))
        #expect(await cancelled.wait(timeout: .seconds(10)))
        #expect(try await onThread { try client.isClosedByPeer() })
    }

    @Test("the server keeps serving after oversized, abandoned and slow requests")
    func survivesMisbehaviour() async throws {
        let entered = TestGate()
        let handler = ClosureHandler { request in
            if request.path == "/hang" {
                entered.open()
                try? await Task.sleep(for: .seconds(30))
            }
            return HTTPResponse(status: 200, body: Array(request.path.utf8))
        }
        try await withServer(HTTPServerOptions(maxBodyBytes: 100), handler: handler) { _, port in
            let statuses = try await onThread { () -> [Int] in
                let declared = try RawHTTPClient(port: port)
                try declared.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n")
                let chunked = try RawHTTPClient(port: port)
                try chunked.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                try chunked.send("c8\r\n\(String(repeating: "z", count: 200))\r\n0\r\n\r\n")
                let head = try RawHTTPClient(port: port)
                // The server answers and closes before reading it all, so the send may fail.
                try? head.send("GET / HTTP/1.1\r\nX-Big: \(String(repeating: "h", count: 80 * 1024))\r\n\r\n")
                return try [declared, chunked, head].map { try $0.readResponse().status }
            }
            #expect(statuses == [413, 413, 431])

            let abandoned = try await onThread { try RawHTTPClient(port: port) }
            try await onThread { try abandoned.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n") }
            #expect(await entered.wait(timeout: .seconds(10)))
            abandoned.close()
            let partial = try await onThread { try RawHTTPClient(port: port) }
            try await onThread { try partial.send("GET /half") }
            partial.close()

            let response = try await onThread { try RawHTTPClient(port: port).request("GET", "/still-here") }
            #expect(response.status == 200)
            #expect(response.text == "/still-here")
        }
    }
}
