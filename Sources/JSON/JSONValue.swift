/// A JSON document as a value tree.
///
/// Objects keep their keys in the order received or built, so answers read the way
/// Loonflow wrote them; equality ignores that order. Numbers keep their literal text, so
/// a JSON-RPC id such as `12345678901234567890` is echoed exactly.
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON number kept as its validated literal text.
package struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal exactly as it appears in JSON (`-12`, `1.5e3`).
    package let literal: String

    /// Wraps a literal already known to match JSON's number grammar.
    package init(uncheckedLiteral: String) { literal = uncheckedLiteral }

    package init(_ value: Int) { literal = String(value) }

    package init(_ value: Double) {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            literal = String(Int64(value))
        } else if value.isFinite {
            literal = String(describing: value)
        } else {
            literal = "null"  // JSON has no infinities; callers never produce them.
        }
    }

    /// The value as an integer when the literal is an integer that fits in `Int`.
    package var intValue: Int? {
        if let exact = Int(literal) { return exact }
        // `2.0` and `1e2` are whole numbers too; JSON-RPC ids and pages may arrive that way.
        guard let double = Double(literal), double == double.rounded(), abs(double) < 9.0e15 else { return nil }
        return Int(double)
    }

    package var doubleValue: Double? { Double(literal) }

    /// True when the literal has no fraction or exponent part.
    package var isIntegerLiteral: Bool { !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) }

    package var description: String { literal }

    package static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.literal == rhs.literal { return true }
        if let l = Int(lhs.literal), let r = Int(rhs.literal) { return l == r }
        guard let l = lhs.doubleValue, let r = rhs.doubleValue else { return false }
        return l == r
    }

    package func hash(into hasher: inout Hasher) {
        if let int = intValue { hasher.combine(int) } else { hasher.combine(doubleValue ?? 0) }
    }
}

extension JSONValue {
    /// The member `key` when this is an object, else nil.
    package subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    package var intValue: Int? {
        if case .number(let n) = self { return n.intValue }
        return nil
    }

    package var numberValue: JSONNumber? {
        if case .number(let n) = self { return n }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    package var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type name used in error messages (`string`, `integer`, `object`, ...).
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let n): n.isIntegerLiteral ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    package static func number(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    package init(floatLiteral value: Double) { self = .number(JSONNumber(value)) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
    package init(nilLiteral: ()) { self = .null }
}
