import HTTPMessage

/// Transport rules that protect the endpoint before any JSON is read: DNS-rebinding
/// (Host, Origin), content negotiation, and tokens in URLs.
package struct HTTPPolicy: Sendable {
    package var path: String
    /// Origins allowed in addition to loopback origins on a loopback listener.
    package var allowedOrigins: [String]
    /// Host header values allowed (`name` or `name:port`). Empty: loopback names on a
    /// loopback listener, anything otherwise.
    package var allowedHosts: [String]
    /// Whether the listener is bound to a loopback address.
    package var boundToLoopback: Bool

    package init(path: String = "/mcp", allowedOrigins: [String] = [], allowedHosts: [String] = [], boundToLoopback: Bool = true) {
        self.path = path
        self.allowedOrigins = allowedOrigins
        self.allowedHosts = allowedHosts
        self.boundToLoopback = boundToLoopback
    }

    static let loopbackNames = ["localhost", "127.0.0.1", "[::1]"]

    /// Query keys that would carry a token; the gateway never reads tokens from URLs.
    static let tokenQueryKeys = ["access_token", "token", "bearer", "authorization", "auth", "jwt", "x-loonflow-access-token"]

    package func isHostAllowed(_ host: String?) -> Bool {
        guard let host, !host.isEmpty else { return false }
        let lowered = host.lowercased()
        if !allowedHosts.isEmpty {
            return allowedHosts.contains { $0.lowercased() == lowered || $0.lowercased() == Self.hostName(lowered) }
        }
        guard boundToLoopback else { return true }
        return Self.loopbackNames.contains(Self.hostName(lowered))
    }

    package func isOriginAllowed(_ origin: String?) -> Bool {
        guard let origin else { return true }
        if allowedOrigins.contains(origin) { return true }
        guard boundToLoopback else { return false }
        for scheme in ["http://", "https://"] where origin.lowercased().hasPrefix(scheme) {
            let rest = String(origin.dropFirst(scheme.count)).lowercased()
            if Self.loopbackNames.contains(Self.hostName(rest)) { return true }
        }
        return false
    }

    /// `example.com:8002` → `example.com`; `[::1]:8002` → `[::1]`.
    static func hostName(_ hostAndPort: String) -> String {
        if hostAndPort.hasPrefix("[") {
            if let close = hostAndPort.firstIndex(of: "]") { return String(hostAndPort[...close]) }
            return hostAndPort
        }
        if let colon = hostAndPort.lastIndex(of: ":") { return String(hostAndPort[..<colon]) }
        return hostAndPort
    }

    package func queryCarriesToken(_ query: String?) -> Bool {
        guard let query, !query.isEmpty else { return false }
        for pair in query.split(separator: "&") {
            let key = pair.split(separator: "=", maxSplits: 1).first.map { String($0).lowercased() } ?? ""
            if Self.tokenQueryKeys.contains(key) { return true }
        }
        return false
    }

    static func isJSONContentType(_ value: String?) -> Bool {
        guard let value else { return false }
        let media = value.split(separator: ";").first.map { $0.trimmingCharacters() } ?? ""
        return media == "application/json"
    }

    /// What the client's `Accept` allows: (json, eventStream). A missing header allows both.
    static func acceptable(_ accept: String?) -> (json: Bool, eventStream: Bool) {
        guard let accept, !accept.isEmpty else { return (true, true) }
        var json = false
        var stream = false
        for item in accept.split(separator: ",") {
            let media = item.split(separator: ";").first.map { $0.trimmingCharacters() } ?? ""
            switch media {
            case "*/*": json = true; stream = true
            case "application/*", "application/json": json = true
            case "text/*", "text/event-stream": stream = true
            default: break
            }
        }
        return (json, stream)
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs, lowercased. Works on UTF-8 bytes: it runs
    /// on every request's `Accept` and `Content-Type`.
    func trimmingCharacters() -> String {
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while start < end {
            let last = bytes.index(before: end)
            guard bytes[last] == 0x20 || bytes[last] == 0x09 else { break }
            end = last
        }
        return String(self[start..<end]).lowercased()
    }
}
