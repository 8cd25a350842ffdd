import Glibc
import TestSupport
import HTTPMessage
import JSON
import Synchronization

/// An HTTP/1.1 response read by hand off a socket.
struct RawResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONParser(maxDepth: 512).parse(body) }
    var errorCode: Int? { json?["error"]?["code"]?.intValue }
    var errorMessage: String { json?["error"]?["message"]?.stringValue ?? "" }
}

/// A loopback TCP client that writes exactly the bytes a test gives it, for requests no
/// HTTP library would send (bad Host, no Content-Type, NUL bytes, a head dripped slowly).
///
/// Every blocking call runs off the cooperative pool (`offPool`); the receive buffer sits in
/// a Mutex, so one socket may be used from several tasks one after another.
final class RawSocket: Sendable {
    let fd: Int32
    private let buffer = Mutex<[UInt8]>([])

    private init(fd: Int32) { self.fd = fd }

    deinit { Glibc.close(fd) }

    /// Connects to `127.0.0.1:port`; nil when the connection is refused.
    static func connect(port: UInt16) async -> RawSocket? {
        let fd = await offPool { () -> Int32 in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return -1 }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if result != 0 {
                Glibc.close(fd)
                return -1
            }
            return fd
        }
        return fd >= 0 ? RawSocket(fd: fd) : nil
    }

    /// Writes all of `bytes`; false when the peer went away first.
    @discardableResult
    func send(_ bytes: [UInt8]) async -> Bool {
        let fd = self.fd
        return await offPool {
            var offset = 0
            while offset < bytes.count {
                let count = bytes.withUnsafeBytes {
                    Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
                }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
    }

    func send(_ text: String) async -> Bool { await send(Array(text.utf8)) }

    /// Half-closes the sending side (the peer reads end of file).
    func shutdownWrite() { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads whatever arrives within `timeoutMs` into the buffer.
    /// - Returns: false when the peer closed (or reset) the connection.
    private func receive(timeoutMs: Int32) async -> Bool? {
        let fd = self.fd
        let chunk = await offPool { () -> [UInt8]? in
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, timeoutMs) > 0 else { return [] }
            var bytes = [UInt8](repeating: 0, count: 64 * 1024)
            let count = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            return Array(bytes[0..<count])
        }
        guard let chunk else { return false }
        if chunk.isEmpty { return nil }
        buffer.withLock { $0 += chunk }
        return true
    }

    /// Reads until `predicate` holds for the bytes received so far (which stay buffered).
    /// - Returns: the buffer then, or nil after `timeout` or when the peer closed first.
    func read(until predicate: @Sendable ([UInt8]) -> Bool, timeout: Duration = .seconds(10)) async -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = buffer.withLock { $0 }
            if predicate(current) { return current }
            guard ContinuousClock.now < deadline else { return nil }
            if await receive(timeoutMs: 50) == false {
                let final = buffer.withLock { $0 }
                return predicate(final) ? final : nil
            }
        }
    }

    /// Reads until the peer closes the connection.
    /// - Returns: every byte it sent, or nil when it was still open after `timeout`.
    func readUntilClose(timeout: Duration = .seconds(10)) async -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await receive(timeoutMs: 50) == false { return buffer.withLock { $0 } }
        }
        return nil
    }

    /// Waits until the peer closes the connection, discarding what it sends.
    /// - Returns: false when it was still open after `timeout`.
    func waitForClose(timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await receive(timeoutMs: 50) == false { return true }
            buffer.withLock { $0.removeAll() }
        }
        return false
    }

    /// Reads one complete response (Content-Length, chunked, or up to the close).
    func readResponse(timeout: Duration = .seconds(15)) async -> RawResponse? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = buffer.withLock { $0 }
            switch HTTPWire.parseResponse(current) {
            case .complete(let response, let used):
                buffer.withLock { $0.removeFirst(min(used, $0.count)) }
                return response
            case .needMore(let closeEnds):
                guard ContinuousClock.now < deadline else { return nil }
                if await receive(timeoutMs: 50) == false {
                    guard closeEnds, case .complete(let response, _) = HTTPWire.parseResponse(current, peerClosed: true)
                    else { return nil }
                    buffer.withLock { $0.removeAll() }
                    return response
                }
            case .invalid:
                return nil
            }
        }
    }

    /// Sends a request and reads its response.
    func exchange(_ request: [UInt8], timeout: Duration = .seconds(15)) async -> RawResponse? {
        guard await send(request) else { return await readResponse(timeout: timeout) }
        return await readResponse(timeout: timeout)
    }

    /// One request on a new connection. Writing and reading overlap, so an answer that comes
    /// before the whole body was taken (413) is read, and the writer is then stopped.
    static func exchange(port: UInt16, _ request: [UInt8], timeout: Duration = .seconds(15)) async -> RawResponse? {
        guard let socket = await connect(port: port) else { return nil }
        let writer = Task { await socket.send(request) }
        let response = await socket.readResponse(timeout: timeout)
        _ = Glibc.shutdown(socket.fd, Int32(SHUT_RDWR))
        _ = await writer.value
        return response
    }
}

/// Builds and parses HTTP/1.1 messages byte by byte.
enum HTTPWire {
    /// A request with exactly these header lines (nothing added but `Content-Length`, unless
    /// `contentLength` says otherwise).
    static func request(
        method: String = "POST", target: String = "/mcp", headers: [(String, String)], body: [UInt8] = [],
        contentLength: Int? = nil
    ) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method == "POST" || !body.isEmpty || contentLength != nil {
            head += "Content-Length: \(contentLength ?? body.count)\r\n"
        }
        return Array((head + "\r\n").utf8) + body
    }

    /// The headers an ordinary MCP client sends to `port`, with a bearer token.
    static func mcpHeaders(port: UInt16, token: String?, protocolVersion: String? = "2025-11-25") -> [(String, String)] {
        var headers = [
            ("Host", "127.0.0.1:\(port)"), ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
        ]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if let protocolVersion { headers.append(("MCP-Protocol-Version", protocolVersion)) }
        return headers
    }

    /// `headers` with `name` replaced by `value`, or removed when `value` is nil.
    static func replacing(_ headers: [(String, String)], _ name: String, with value: String?) -> [(String, String)] {
        var result = headers.filter { $0.0.lowercased() != name.lowercased() }
        if let value { result.append((name, value)) }
        return result
    }

    enum Parse {
        case complete(RawResponse, used: Int)
        /// `closeEnds`: the body runs to the end of the connection.
        case needMore(closeEnds: Bool)
        case invalid
    }

    static func parseResponse(_ bytes: [UInt8], peerClosed: Bool = false) -> Parse {
        guard let headEnd = headEnd(bytes) else { return .needMore(closeEnds: false) }
        let lines = String(decoding: bytes[..<(headEnd - 4)], as: UTF8.self).split(separator: "\r\n")
        let statusLine = lines.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return .invalid }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
        let rest = Array(bytes[headEnd...])
        if headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
            guard let (body, used) = dechunk(rest) else { return .needMore(closeEnds: false) }
            return .complete(RawResponse(status: status, headers: headers, body: body), used: headEnd + used)
        }
        if let length = headers["Content-Length"].flatMap({ Int($0) }) {
            guard rest.count >= length else { return .needMore(closeEnds: false) }
            return .complete(RawResponse(status: status, headers: headers, body: Array(rest[..<length])), used: headEnd + length)
        }
        if (100..<200).contains(status) || status == 204 || status == 304 {
            return .complete(RawResponse(status: status, headers: headers, body: []), used: headEnd)
        }
        guard peerClosed else { return .needMore(closeEnds: true) }
        return .complete(RawResponse(status: status, headers: headers, body: rest), used: bytes.count)
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    /// The decoded body and the bytes used, once the last chunk has arrived.
    static func dechunk(_ bytes: [UInt8]) -> ([UInt8], Int)? {
        var body: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = find(crlfIn: bytes, from: index) else { return nil }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.filter { $0 != " " }, radix: 16) else { return nil }
            let start = lineEnd + 2
            if size == 0 {
                guard let end = find(crlfIn: bytes, from: start) else { return nil }
                return (body, end + 2)
            }
            guard bytes.count >= start + size + 2 else { return nil }
            body += bytes[start..<(start + size)]
            index = start + size + 2
        }
    }

    /// The SSE `data:` payloads of a (possibly partial) chunked body, parsed as JSON.
    static func sseMessages(_ text: String) -> [JSONValue] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("data:") else { return nil }
            return try? JSONParser(maxDepth: 512).parse(String(line.dropFirst(5)))
        }
    }

    private static func find(crlfIn bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }
}
