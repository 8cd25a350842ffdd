package import JSON
import PlainText

/// A tool failure whose message goes back to the model as `isError: true`.
package struct ToolFailure: Error, Sendable, Equatable {
    package var message: String
    package init(_ message: String) { self.message = message }
}

/// Reads tool arguments strictly: a wrong type or an unknown name is an error that names
/// the argument and says what was expected, so the model can correct its call.
package struct ToolArguments: Sendable {
    package let values: JSONObject

    package init(_ values: JSONObject) { self.values = values }

    /// Fails on the first argument whose name the tool does not declare.
    package func rejectUnknown(allowed: [String]) throws(ToolFailure) {
        for key in values.keys where !allowed.contains(key) {
            throw ToolFailure(
                "unknown argument \"\(key.prefix(64))\"; this tool accepts: \(allowed.joined(separator: ", "))")
        }
    }

    package func string(_ key: String, default fallback: String = "") throws(ToolFailure) -> String {
        switch values[key] {
        case nil, .null?: return fallback
        case .string(let s)?: return s
        case let other?: throw ToolFailure("argument \"\(key)\" must be a string, got \(other.typeName)")
        }
    }

    package func integer(_ key: String, default fallback: Int) throws(ToolFailure) -> Int {
        switch values[key] {
        case nil, .null?: return fallback
        case .number(let n)? where n.intValue != nil && (n.isIntegerLiteral || n.doubleValue == n.doubleValue?.rounded()):
            return n.intValue!
        case let other?: throw ToolFailure("argument \"\(key)\" must be an integer, got \(describe(other))")
        }
    }

    package func boolean(_ key: String, default fallback: Bool) throws(ToolFailure) -> Bool {
        switch values[key] {
        case nil, .null?: return fallback
        case .bool(let b)?: return b
        case let other?: throw ToolFailure("argument \"\(key)\" must be a boolean (true or false), got \(describe(other))")
        }
    }

    /// An optional object argument; null means absent.
    package func object(_ key: String) throws(ToolFailure) -> JSONObject? {
        switch values[key] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        case let other?: throw ToolFailure("argument \"\(key)\" must be an object, got \(other.typeName)")
        }
    }

    package func has(_ key: String) -> Bool {
        if let value = values[key], !value.isNull { return true }
        return false
    }

    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): "the string \"\(s.prefix(32))\""
        case .number(let n): "the number \(n.literal.prefix(32))"
        default: value.typeName
        }
    }
}

/// Checks an ID argument: Loonflow 3.x ids are canonical UUIDs.
package func requireUUID(_ value: String, argument: String) throws(ToolFailure) {
    guard isCanonicalUUID(value) else {
        throw ToolFailure(
            "argument \"\(argument)\" must be a Loonflow id: a lowercase canonical UUID such as "
                + "3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b, got \"\(value.prefix(64))\"")
    }
}

/// Checks a comma-separated list of UUIDs, naming the bad element.
package func requireUUIDList(_ value: String, argument: String) throws(ToolFailure) {
    for (index, part) in value.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
        let item = String(part).trimmingWhitespace()
        guard isCanonicalUUID(item) else {
            throw ToolFailure(
                "argument \"\(argument)\" must be comma-separated canonical UUIDs; item \(index + 1) is "
                    + (item.isEmpty ? "empty (remove the extra comma)" : "\"\(item.prefix(64))\""))
        }
    }
}
