extension GatewayConfig.UpstreamTarget {
    /// The prefix that selects fixture replay.
    static let fixturesPrefix = "fixtures:"

    /// Whether `text` is a usable `upstream.base_url`: `fixtures:DIR`, or an http(s) URL
    /// with a host, an optional port and path prefix, no query, and no `/api/v1.0` (added per call).
    static func isValidBaseURL(_ text: String) -> Bool {
        if text.hasPrefix(fixturesPrefix) { return text.count > fixturesPrefix.count }
        guard let (scheme, rest) = splitScheme(text), ["http", "https"].contains(scheme) else { return false }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard isAuthority(authority), !path.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" }) else {
            return false
        }
        let trimmed = path.reversed().drop { $0 == "/" }
        return !String(trimmed.reversed()).lowercased().hasSuffix("/api/v1.0")
    }

    /// Whether `text` is a usable `upstream.mcp_url`: an http(s) URL with a host, an optional
    /// port and a path, no query and no fragment.
    static func isValidMCPURL(_ text: String) -> Bool {
        guard let (scheme, rest) = splitScheme(text), ["http", "https"].contains(scheme) else { return false }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        return isAuthority(authority) && !path.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" })
    }

    /// Resolves a valid base URL: a relative fixtures folder against `folder`, an URL without
    /// trailing slashes.
    /// - Parameters:
    ///   - baseURL: text that passed `isValidBaseURL`.
    ///   - folder: an absolute path; the config file's folder, or the working directory for
    ///     values from the environment or flags.
    init(baseURL: String, relativeTo folder: String) {
        if baseURL.hasPrefix(Self.fixturesPrefix) {
            let directory = String(baseURL.dropFirst(Self.fixturesPrefix.count))
            self = .fixtures(directory: ConfigPath.absolute(directory, relativeTo: folder))
        } else {
            var url = Substring(baseURL)
            while url.hasSuffix("/") { url = url.dropLast() }
            self = .http(baseURL: String(url))
        }
    }
}
