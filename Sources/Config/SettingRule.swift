/// One setting's text as found in a file, the environment or on the command line.
struct RawSetting {
    var text: String
    /// Quoted YAML text is always a string, never a number or a boolean.
    var isQuoted = false
}

/// How to read one kind of setting from text, shared by the file, environment and flag layers
/// so that a value is judged the same wherever it comes from.
struct SettingRule<Value>: Sendable {
    /// What a good value looks like, as said after "expected".
    let expectation: String
    /// Keeps the value itself out of error messages.
    var isSecret = false
    /// The value, or nil when the text does not meet the expectation.
    let parse: @Sendable (RawSetting) -> Value?

    /// The problem to report for `raw`, or nil when it is fine.
    func read(_ raw: RawSetting) -> Result<Value, SettingProblem> {
        if let value = parse(raw) { return .success(value) }
        return .failure(SettingProblem("expected \(expectation), got \(shown(raw))"))
    }

    /// How a rejected value is shown: quoted, or only its length for secrets.
    private func shown(_ raw: RawSetting) -> String {
        if isSecret { return "\(raw.text.count) characters" }
        let quoted = "\"\(raw.text)\""
        return raw.isQuoted ? "quoted text \(quoted)" : quoted
    }
}

/// Why a setting's value was refused, without saying where it came from.
struct SettingProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

extension SettingRule where Value == Int {
    /// An unquoted decimal integer within `range`.
    static func integer(in range: ClosedRange<Int>, expectation: String) -> SettingRule {
        SettingRule(expectation: expectation) { raw in
            guard !raw.isQuoted, let value = Int(raw.text), range.contains(value) else { return nil }
            return value
        }
    }

    static let port = integer(in: 0...65_535, expectation: "a port number from 0 to 65535")
    static let positive = integer(in: 1...Int.max, expectation: "a positive integer")
    static let nonNegative = integer(in: 0...Int.max, expectation: "an integer of 0 or more")
}

extension SettingRule where Value == Bool {
    /// YAML 1.2's unquoted `true` or `false`, in any of its three spellings.
    static let boolean = SettingRule(expectation: "true or false") { raw in
        guard !raw.isQuoted else { return nil }
        switch raw.text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }
}

extension SettingRule where Value == String {
    static let text = SettingRule(expectation: "a non-empty string") { raw in
        raw.text.isEmpty ? nil : raw.text
    }

    /// A host name or address: no spaces, slashes or scheme.
    static let host = SettingRule(expectation: "a host name or address") { raw in
        let text = raw.text
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0 == "/" }) else { return nil }
        return text
    }

    static let httpPath = SettingRule(expectation: "a path starting with /") { raw in
        let text = raw.text
        guard text.hasPrefix("/"), !text.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" }) else {
            return nil
        }
        return text
    }

    /// `scheme://host[:port]`, as browsers send in `Origin`.
    static let origin = SettingRule(expectation: "an origin like https://app.example.com") { raw in
        guard let (scheme, rest) = splitScheme(raw.text), ["http", "https"].contains(scheme),
            isAuthority(rest)
        else { return nil }
        return raw.text
    }

    /// A `Host` header value: a host, optionally with `:port`.
    static let hostHeader = SettingRule(expectation: "a host name with an optional :port") { raw in
        let text = raw.text
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" }) else {
            return nil
        }
        return text
    }

    static let sessionKey = SettingRule(
        expectation: "a secret of at least 32 characters", isSecret: true,
        parse: { raw in raw.text.count >= 32 ? raw.text : nil })

    static let secret = SettingRule(
        expectation: "a non-empty secret", isSecret: true, parse: { raw in raw.text.isEmpty ? nil : raw.text })

    /// `http(s)://host[:port][/prefix]` without `/api/v1.0`, or `fixtures:DIR`.
    static let baseURL = SettingRule(
        expectation: "http(s)://host[:port][/prefix] (without /api/v1.0) or fixtures:DIR",
        parse: { raw in GatewayConfig.UpstreamTarget.isValidBaseURL(raw.text) ? raw.text : nil })

    /// `http(s)://host[:port]/path` of an MCP endpoint.
    static let mcpURL = SettingRule(
        expectation: "http(s)://host[:port]/path of a Loonflow MCP server, e.g. https://mcp.loonflow.com/mcp",
        parse: { raw in GatewayConfig.UpstreamTarget.isValidMCPURL(raw.text) ? raw.text : nil })

    static let toolName = oneOf(
        GatewayConfig.ToolsConfig.knownNames + GatewayConfig.ToolsConfig.toolsets.keys.sorted())

    /// Exactly one of `names`.
    static func oneOf(_ names: [String]) -> SettingRule {
        SettingRule(expectation: "one of \(names.joined(separator: ", "))") { raw in
            names.contains(raw.text) ? raw.text : nil
        }
    }
}

extension SettingRule where Value: RawRepresentable & CaseIterable & SendableMetatype, Value.RawValue == String {
    /// One of an enumeration's raw values.
    static var choice: SettingRule {
        let names = Value.allCases.map(\.rawValue)
        return SettingRule(expectation: "one of \(names.joined(separator: ", "))") { raw in
            Value(rawValue: raw.text)
        }
    }
}

/// Splits `scheme://rest`, lowercasing the scheme.
func splitScheme(_ text: String) -> (scheme: String, rest: Substring)? {
    guard let separator = text.firstRange(of: "://") else { return nil }
    return (text[..<separator.lowerBound].lowercased(), text[separator.upperBound...])
}

/// Whether `text` is `host[:port]` (an IPv6 host in brackets), with a port of 1...65535 if any.
func isAuthority(_ text: Substring) -> Bool {
    guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || "/?#@".contains($0) }) else { return false }
    var host = text
    var port: Substring?
    if text.hasPrefix("[") {
        guard let close = text.firstIndex(of: "]") else { return false }
        host = text[...close]
        let after = text[text.index(after: close)...]
        if !after.isEmpty {
            guard after.hasPrefix(":") else { return false }
            port = after.dropFirst()
        }
    } else if let colon = text.firstIndex(of: ":") {
        host = text[..<colon]
        port = text[text.index(after: colon)...]
    }
    guard host.count > (host.hasPrefix("[") ? 2 : 0) else { return false }
    if let port {
        guard port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber), let number = Int(port),
            (1...65_535).contains(number)
        else { return false }
    }
    return true
}
