package import JSON

/// How a field value is made safe for one log line: cut to a bounded length and, in the text
/// format, quoted and escaped so that no value can end the line or pose as another field.
///
/// Values come from clients and from Loonflow (methods, tool names, ticket ids, error texts),
/// so neither their length nor their characters can be trusted.
package enum LogValue {
    /// Characters of a string value kept before the cut marker.
    package static let maxCharacters = 200
    /// The same for a `message` field: the gateway's own sentence, which may quote a bounded
    /// piece of upstream text, so longer, but still bounded.
    package static let maxMessageCharacters = 1000

    /// The bound for the field `key`.
    package static func limit(forKey key: String) -> Int { key == "message" ? maxMessageCharacters : maxCharacters }

    /// `text` cut to `maxCharacters` Unicode scalars (not grapheme clusters: one cluster can be
    /// a megabyte of combining marks), with a marker saying how many bytes were dropped.
    package static func bounded(_ text: String, limit: Int = maxCharacters) -> String {
        guard text.utf8.count > limit else { return text }
        let scalars = text.unicodeScalars
        let end = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex) ?? scalars.endIndex
        guard end < scalars.endIndex else { return text }
        let kept = String(scalars[..<end])
        return kept + "…[+\(text.utf8.count - kept.utf8.count) bytes]"
    }

    /// `value` with every string in it bounded; a container whose JSON text would still be
    /// too long becomes its bounded JSON text.
    package static func bounded(_ value: JSONValue, limit: Int = maxCharacters) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(bounded(text, limit: limit))
        case .array, .object:
            let text = value.jsonText
            return text.utf8.count > limit * 2 ? .string(bounded(text, limit: limit)) : value
        case .number(let number) where number.literal.utf8.count > limit:
            return .string(bounded(number.literal, limit: limit))
        case .null, .bool, .number:
            return value
        }
    }

    /// The value as the text format writes it: a string bare when it is made only of
    /// characters that cannot be mistaken for syntax, else double-quoted with escapes; null,
    /// booleans and numbers as JSON; arrays and objects as their JSON text, quoted.
    package static func text(_ value: JSONValue, limit: Int = maxCharacters) -> String {
        switch bounded(value, limit: limit) {
        case .string(let text): isBare(text) ? text : quoted(text)
        case let scalar where scalar.isScalar: scalar.jsonText
        case let container: quoted(container.jsonText)
        }
    }

    /// Letters, digits and `-_.:/@+,*()[]` only; anything else (spaces, quotes, `=`,
    /// backslashes, control characters, any non-ASCII) makes the value quoted.
    private static func isBare(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { bareBytes.contains($0) }
    }

    private static let bareBytes: Set<UInt8> = Set(
        Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@+,*()[]".utf8))

    /// `"…"` with `"` and `\` escaped, and every control or line-breaking character written as
    /// `\n`, `\r`, `\t` or `\u{XXXX}`, so the value stays on its line.
    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isLineUnsafe(scalar): out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidi
    /// overrides that would make a terminal show the line in another order.
    private static func isLineUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}

extension JSONValue {
    /// Null, a boolean or a number: JSON text that is safe on a log line as it is.
    fileprivate var isScalar: Bool {
        switch self {
        case .null, .bool, .number: true
        case .string, .array, .object: false
        }
    }
}
