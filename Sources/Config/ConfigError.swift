/// A configuration that cannot be used, named so a person can find and fix it:
/// `gateway.yaml:12: upstream.timeout_ms: expected a positive integer, got "abc"`.
package struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the value came from: the file path as given, an environment variable or a flag.
    package var origin: String
    /// The 1-based line in the file, when the value came from one.
    package var line: Int?
    /// The setting's dotted YAML key, such as `upstream.timeout_ms`.
    package var key: String?
    package var problem: String

    package init(origin: String, line: Int? = nil, key: String? = nil, problem: String) {
        self.origin = origin
        self.line = line
        self.key = key
        self.problem = problem
    }

    package var description: String {
        var text = origin
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "\(key): " }
        return text + problem
    }
}
