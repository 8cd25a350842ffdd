internal import Glibc

/// A numeric listening address, parsed once so a bad host fails before anything is bound.
struct BindAddress: Sendable {
    let host: String
    let port: UInt16
    let isIPv6: Bool
    /// The raw address bytes in network order (4 or 16 of them).
    private let addressBytes: [UInt8]

    /// Parses `host` as IPv4 or IPv6 text (`localhost` is taken as `127.0.0.1`).
    /// - Throws: `HTTPServerError` of kind `.invalidHost` when it is neither.
    init(host: String, port: UInt16) throws(HTTPServerError) {
        self.host = host
        self.port = port
        let text = host == "localhost" ? "127.0.0.1" : host
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            isIPv6 = false
            addressBytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            isIPv6 = true
            addressBytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            throw HTTPServerError(
                .invalidHost, detail: "host \"\(host)\" is not a numeric IPv4 or IPv6 address")
        }
    }

    /// `host:port`, with brackets around IPv6 hosts, for messages.
    var displayName: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Calls `body` with a `sockaddr_in` or `sockaddr_in6` for this address.
    func withSocketAddress<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: addressBytes) }
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: addressBytes) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// Binds a throwaway socket the way libmicrohttpd will, so a taken or foreign
    /// address is reported with its real reason (libmicrohttpd only returns NULL).
    /// - Throws: `HTTPServerError` naming the address and the reason.
    func checkBindable() throws(HTTPServerError) {
        let family = isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw HTTPServerError(.startFailed, detail: "cannot create a socket: \(Self.describe(errno))")
        }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if isIPv6 {
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = withSocketAddress { bind(fd, $0, $1) }
        guard result != 0 else { return }
        let code = errno
        let reason = "cannot listen on \(displayName): \(Self.describe(code))"
        switch code {
        case EADDRINUSE: throw HTTPServerError(.addressInUse, detail: reason)
        case EADDRNOTAVAIL: throw HTTPServerError(.addressNotAvailable, detail: reason)
        case EACCES, EPERM: throw HTTPServerError(.permissionDenied, detail: reason)
        default: throw HTTPServerError(.startFailed, detail: reason)
        }
    }

    /// The text for an OS error number.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }

    /// The numeric text of a peer address (`127.0.0.1`, `::1`), or nil for other families.
    static func text(of address: UnsafePointer<sockaddr>) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(address.pointee.sa_family)
        let converted: UnsafePointer<CChar>?
        switch family {
        case AF_INET:
            converted = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                withUnsafePointer(to: v4.pointee.sin_addr) {
                    inet_ntop(AF_INET, $0, &buffer, socklen_t(buffer.count))
                }
            }
        case AF_INET6:
            converted = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                withUnsafePointer(to: v6.pointee.sin6_addr) {
                    inet_ntop(AF_INET6, $0, &buffer, socklen_t(buffer.count))
                }
            }
        default:
            return nil
        }
        guard converted != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
