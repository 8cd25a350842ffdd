import Glibc
import Synchronization
import TestSupport

/// Why a raw exchange failed.
struct RawHTTPError: Error, CustomStringConvertible {
    var message: String
    /// The OS error number when a system call failed.
    var code: Int32 = 0

    init(description: String, code: Int32 = 0) {
        message = description
        self.code = code
    }

    var description: String { code == 0 ? message : "\(message) (errno \(code))" }
}

/// A response read off the wire.
struct RawResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A tiny blocking HTTP/1.1 client over one TCP socket, for tests that need control over
/// exactly what goes on the wire and when: partial heads, early closes, chunked uploads,
/// chunk-by-chunk reads. Every read and write gives up after `timeoutSeconds`, so a broken
/// server fails a test instead of hanging it.
///
/// Calls block; run them with `onThread` so the cooperative pool stays free.
final class RawHTTPClient: Sendable {
    private let fd: Int32
    private let received = Mutex<[UInt8]>([])

    /// Connects to `host:port`; throws with `code == ECONNREFUSED` when nobody listens.
    init(host: String = "127.0.0.1", port: UInt16, timeoutSeconds: Int = 10) throws {
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let isIPv6 = inet_pton(AF_INET, host, &v4.sin_addr) != 1
        if isIPv6, inet_pton(AF_INET6, host, &v6.sin6_addr) != 1 {
            throw RawHTTPError(description: "bad host \(host)")
        }
        // A local until connected: a class whose init throws after `fd` is set still runs
        // deinit, and closing the same number twice could close another thread's socket.
        let fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError(description: "socket failed", code: errno) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if isIPv6 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            result = withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            result = withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        if result != 0 {
            let code = errno
            Glibc.close(fd)
            throw RawHTTPError(description: "connect to \(host):\(port) failed", code: code)
        }
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// Closes the socket; the peer sees an orderly end of stream.
    func close() { _ = shutdown(fd, Int32(SHUT_RDWR)) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw RawHTTPError(description: "send failed", code: errno) }
            offset += sent
        }
    }

    /// Sends a request with a body and `Content-Length`, then reads the response.
    func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) throws -> RawResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        try send(Array((head + "\r\n").utf8) + body)
        return try readResponse()
    }

    /// Reads one whole response: by `Content-Length`, chunked, or up to the close.
    func readResponse() throws -> RawResponse {
        var response = try readHead()
        if response.status == 204 || response.status == 304 {
            return response
        }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while let chunk = try readChunk() { response.body += chunk }
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            response.body = try readExactly(length)
        } else {
            response.body = try readToEnd()
        }
        return response
    }

    /// Reads the status line and header fields.
    func readHead() throws -> RawResponse {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw RawHTTPError(description: "bad status line \"\(statusLine)\"")
        }
        var headers: [(name: String, value: String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else {
                throw RawHTTPError(description: "bad header line \"\(line)\"")
            }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((String(line[..<colon]), String(value)))
        }
        return RawResponse(status: status, headers: headers, body: [])
    }

    /// The next chunk of a chunked body, or nil after the last one (trailers are skipped).
    func readChunk() throws -> [UInt8]? {
        let sizeLine = try readLine()
        guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else {
            throw RawHTTPError(description: "bad chunk size \"\(sizeLine)\"")
        }
        if size == 0 {
            while try !readLine().isEmpty {}
            return nil
        }
        let chunk = try readExactly(size)
        guard try readLine().isEmpty else { throw RawHTTPError(description: "chunk not followed by CRLF") }
        return chunk
    }

    /// Everything up to the peer's close.
    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        return received.withLock { buffer in
            defer { buffer.removeAll() }
            return buffer
        }
    }

    /// True when the peer closes the connection with nothing more sent.
    func isClosedByPeer() throws -> Bool {
        try readToEnd().isEmpty
    }

    private func readLine() throws -> String {
        while true {
            let line = received.withLock { buffer -> String? in
                guard let end = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                var lineBytes = Array(buffer[..<end])
                if lineBytes.last == UInt8(ascii: "\r") { lineBytes.removeLast() }
                buffer.removeSubrange(...end)
                return String(decoding: lineBytes, as: UTF8.self)
            }
            if let line { return line }
            guard try fill() else { throw RawHTTPError(description: "connection closed mid-line") }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while received.withLock({ $0.count }) < count {
            guard try fill() else { throw RawHTTPError(description: "connection closed mid-body") }
        }
        return received.withLock { buffer in
            defer { buffer.removeSubrange(..<count) }
            return Array(buffer[..<count])
        }
    }

    /// Reads what is available; false at end of stream (a reset counts as an end too).
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            received.withLock { $0 += chunk[..<count] }
            return true
        }
        if count == 0 || errno == ECONNRESET { return false }
        throw RawHTTPError(description: "recv failed or timed out", code: errno)
    }
}
