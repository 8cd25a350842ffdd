import Dispatch
import Glibc
import HTTPMessage
import Synchronization

/// One accepted connection on its own thread: reads HTTP/1.1 requests one after another
/// (keep-alive, `Content-Length` framing), asks the route for a reply, and acts it out.
struct TestUpstreamConnection {
    let core: TestUpstreamCore
    let fd: Int32
    let id: Int
    private var buffer: [UInt8] = []

    init(core: TestUpstreamCore, fd: Int32, id: Int) {
        self.core = core
        self.fd = fd
        self.id = id
    }

    mutating func run() {
        defer { core.closeConnection(id) }
        while let request = readRequest() {
            let route = core.record(request)
            guard let reply = Self.await(route, request, core: core), perform(reply, for: request)
            else { return }
        }
    }

    // MARK: Reading

    private mutating func readRequest() -> RecordedRequest? {
        guard core.setIdle(id, buffer.isEmpty) else { return nil }
        var headEnd = Self.headEnd(in: buffer)
        while headEnd == nil {
            guard LoopbackSocket.receive(fd, into: &buffer), core.setIdle(id, false) else { return nil }
            headEnd = Self.headEnd(in: buffer)
        }
        guard let headEnd, var request = Self.parseHead(buffer[..<headEnd], connectionID: id) else {
            return nil
        }
        let length = Int(request.headers["Content-Length"] ?? "0") ?? 0
        while buffer.count < headEnd + length {
            guard LoopbackSocket.receive(fd, into: &buffer) else { return nil }
        }
        request.body = Array(buffer[headEnd..<headEnd + length])
        buffer.removeFirst(headEnd + length)
        return request
    }

    /// The index just past the blank line ending the head, if it has arrived.
    private static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    private static func parseHead(_ head: ArraySlice<UInt8>, connectionID: Int) -> RecordedRequest? {
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count == 3 else { return nil }
        let target = requestLine[1]
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers.add(String(line[..<colon]), String(value))
        }
        return RecordedRequest(
            method: String(requestLine[0]), path: String(path[0]),
            query: path.count > 1 ? String(path[1]) : nil, headers: headers, body: [],
            connectionID: connectionID)
    }

    // MARK: Replying

    /// Runs the async route from this plain thread and waits for its reply.
    /// - Returns: nil when the upstream stopped first.
    private static func await(
        _ route: @escaping TestUpstream.Route, _ request: RecordedRequest, core: TestUpstreamCore
    ) -> TestReply? {
        let done = DispatchSemaphore(value: 0)
        let reply = Mutex<TestReply?>(nil)
        Task {
            let answer = await route(request)
            reply.withLock { $0 = answer }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if core.isStopped { return nil }
        }
        return reply.withLock { $0 }
    }

    /// Acts out `reply`.
    /// - Returns: true when the connection should serve another request.
    private func perform(_ reply: TestReply, for request: RecordedRequest) -> Bool {
        switch reply {
        case .respond(let status, let headers, let body):
            let keepAlive = !Self.wantsClose(request.headers) && !Self.wantsClose(headers)
            // Idle from the moment the answer is handed over: a client that has read it may
            // ask for idle connections to be closed right away.
            if keepAlive && buffer.isEmpty && !core.setIdle(id, true) { return false }
            let isHead = request.method == "HEAD"
            let bytes = Self.head(status, headers, length: body.count) + (isHead ? [] : body)
            return LoopbackSocket.sendAll(fd, bytes) && keepAlive
        case .closeWithoutReply:
            return false
        case .hang:
            waitForPeerToLeave()
            return false
        case .headersThenHang(let status, let headers, let declaredLength):
            if LoopbackSocket.sendAll(fd, Self.head(status, headers, length: declaredLength)) {
                waitForPeerToLeave()
            }
            return false
        case .partialBodyThenClose(let status, let headers, let body, let sentBytes):
            let prefix = Array(body.prefix(sentBytes))
            _ = LoopbackSocket.sendAll(fd, Self.head(status, headers, length: body.count) + prefix)
            return false
        case .partialBodyThenHang(let status, let headers, let body, let sentBytes):
            let prefix = Array(body.prefix(sentBytes))
            if LoopbackSocket.sendAll(fd, Self.head(status, headers, length: body.count) + prefix) {
                waitForPeerToLeave()
            }
            return false
        }
    }

    /// Blocks until the client closes its side or the upstream stops (which shuts the socket).
    private func waitForPeerToLeave() {
        var discard: [UInt8] = []
        while !core.isStopped {
            guard LoopbackSocket.waitReadable(fd, timeoutMs: 100) else { continue }
            guard LoopbackSocket.receive(fd, into: &discard) else { return }
            discard.removeAll(keepingCapacity: true)
        }
    }

    private static func head(_ status: Int, _ headers: HTTPHeaders, length: Int) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason(for: status))\r\n"
        for field in headers { text += "\(field.name): \(field.value)\r\n" }
        if !headers.contains("Content-Length") { text += "Content-Length: \(length)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    private static func wantsClose(_ headers: HTTPHeaders) -> Bool {
        headers.values(for: "Connection").contains { $0.lowercased().contains("close") }
    }

    private static func reason(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}
