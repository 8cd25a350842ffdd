import YAML

/// One mapping of the configuration file, read key by key.
///
/// Each key asked for is remembered; `finish()` then reports any other key as unknown, so the
/// list of known keys lives only in the code that reads them.
struct ConfigSection {
    /// The file path as the user gave it, for messages.
    let file: String
    /// The dotted key of this section; empty for the document's root.
    let path: String
    private let entries: [(key: String, keyMark: Mark, value: YAMLNode)]
    private var asked: [String] = []

    /// A section over `node`: a mapping, or nothing (absent or null) for an empty section.
    /// - Throws: `ConfigError` when `node` is a list or a single value.
    init(_ node: YAMLNode?, path: String, file: String) throws(ConfigError) {
        self.file = file
        self.path = path
        switch node {
        case .mapping(let entries, _)?:
            self.entries = entries
        case let node? where !node.isNull:
            throw ConfigError(
                origin: file, line: node.mark.line, key: path.isEmpty ? nil : path,
                problem: "expected a mapping of settings, got \(node.kindDescription)")
        default:
            self.entries = []
        }
    }

    /// The dotted name of `key` in this section.
    func dotted(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The nested section under `key`.
    mutating func section(_ key: String) throws(ConfigError) -> ConfigSection {
        try ConfigSection(node(for: key), path: dotted(key), file: file)
    }

    /// Sets `target` from `key` when it is present and not null.
    /// - Throws: `ConfigError` with the line and key when the value breaks `rule`.
    mutating func assign<Value>(_ target: inout Value, _ key: String, _ rule: SettingRule<Value>) throws(ConfigError) {
        if let value = try value(key, rule) { target = value }
    }

    /// Sets an optional `target` from `key` when it is present and not null.
    mutating func assign<Value>(_ target: inout Value?, _ key: String, _ rule: SettingRule<Value>) throws(ConfigError) {
        if let value = try value(key, rule) { target = value }
    }

    /// Sets `target` from a list under `key` when it is present and not null; each item must meet `rule`.
    mutating func assign<Value>(_ target: inout [Value], _ key: String, eachItem rule: SettingRule<Value>)
        throws(ConfigError)
    {
        guard let node = node(for: key), !node.isNull else { return }
        guard case .sequence(let items, _) = node else {
            throw failure(key, node, "expected a list of \(rule.expectation), got \(node.kindDescription)")
        }
        var values: [Value] = []
        for item in items {
            values.append(try scalar(key, item, rule))
        }
        target = values
    }

    /// Reports the first key that was never asked for.
    /// - Throws: `ConfigError` naming the unknown key and the known ones.
    func finish() throws(ConfigError) {
        guard let unknown = entries.first(where: { !asked.contains($0.key) }) else { return }
        throw ConfigError(
            origin: file, line: unknown.keyMark.line, key: dotted(unknown.key),
            problem: "unknown key; known keys here are \(asked.joined(separator: ", "))")
    }

    /// Where `key`'s value was written, for checks that involve more than one setting.
    func line(of key: String) -> Int? {
        entries.first { $0.key == key }?.value.mark.line
    }

    /// An error about `key` at its value's line.
    func failure(_ key: String, _ node: YAMLNode, _ problem: String) -> ConfigError {
        ConfigError(origin: file, line: node.mark.line, key: dotted(key), problem: problem)
    }

    private mutating func node(for key: String) -> YAMLNode? {
        asked.append(key)
        return entries.first { $0.key == key }?.value
    }

    private mutating func value<Value>(_ key: String, _ rule: SettingRule<Value>) throws(ConfigError) -> Value? {
        guard let node = node(for: key), !node.isNull else { return nil }
        return try scalar(key, node, rule)
    }

    private func scalar<Value>(_ key: String, _ node: YAMLNode, _ rule: SettingRule<Value>) throws(ConfigError) -> Value
    {
        guard case .scalar(let text, _, let style, let tag) = node, !node.isNull else {
            throw failure(key, node, "expected \(rule.expectation), got \(node.kindDescription)")
        }
        let quoted = style != .plain || tag == "tag:yaml.org,2002:str"
        switch rule.read(RawSetting(text: text, isQuoted: quoted)) {
        case .success(let value): return value
        case .failure(let problem): throw failure(key, node, problem.message)
        }
    }
}
