package import JSON
import PlainText

/// Checks `ticket_handle`'s field values against the caller's form before anything is sent.
///
/// Loonflow silently drops values for fields the node does not make editable and fails with
/// a bare "Internal Server Error" on values its columns cannot store, so both are refused here
/// with a message naming the field. Accepted shapes are those Loonflow stores itself.
package enum FieldValueCheck {
    /// What a field's component type accepts.
    enum Kind: Equatable {
        case number
        /// Several values: a list of strings, or one comma-joined string. `ids` names what the
        /// values are (user or department UUIDs), nil for option keys.
        case list(ids: String?)
        /// One UUID string (a user or a department).
        case id(String)
        case date, datetime, time, text
        /// A type the gateway does not know: anything goes.
        case any
    }

    /// - Throws: the first problem, naming the field.
    package static func check(_ fields: JSONObject, form: FormPermissions) throws(ToolFailure) {
        for (key, value) in fields {
            guard let field = form[key] else {
                throw ToolFailure(
                    "field \"\(key.prefix(64))\" is not on this ticket's form as the caller sees it; remove it from "
                        + "fields. Form fields: \(list(form.fields.map(\.key)))")
            }
            if field.isEditable {
                if let expected = problem(value, kind: kind(of: field)) {
                    throw ToolFailure(
                        "field \"\(key)\" (\(field.type)) must be \(expected), got \(describe(value))")
                }
            } else if !sameValue(value, field.currentValue, kind: kind(of: field)) {
                throw ToolFailure(
                    "field \"\(key)\" is read-only for the caller at this node (permission \(field.permission)), and "
                        + "the value differs from its current value \(field.currentValue.jsonText.prefix(80)); leave it "
                        + "out of fields. Editable fields: \(list(form.editableFields))")
            }
        }
    }

    static func kind(of field: FormField) -> Kind {
        let multiple = field.props["multiple"]?.boolValue == true
        switch field.type {
        case "number": return .number
        case "user": return multiple ? .list(ids: "user") : .id("user")
        case "department": return multiple ? .list(ids: "department") : .id("department")
        case "checkbox": return .list(ids: nil)
        case "select": return multiple ? .list(ids: nil) : .text
        case "date": return .date
        case "datetime": return .datetime
        case "time": return .time
        case "text", "textarea", "richtext", "rich_text", "title", "link", "radio", "cascade", "file": return .text
        default: return .any
        }
    }

    /// What `value` should have been, or nil when it fits. Null (no value) fits every kind.
    static func problem(_ value: JSONValue, kind: Kind) -> String? {
        if value.isNull || kind == .any { return nil }
        switch kind {
        case .number:
            if case .number = value { return nil }
            if let text = value.stringValue, isDecimal(text) { return nil }
            return "a JSON number or a numeric string such as \"2.5\""
        case .list(let ids):
            let what = ids.map { "\($0) ids (UUIDs)" } ?? "option keys"
            let expected = "a list of \(what) or one comma-separated string of them"
            guard let items = listItems(value) else { return expected }
            if ids != nil, !items.allSatisfy(isCanonicalUUID) { return expected }
            return nil
        case .id(let what):
            guard let text = value.stringValue, text.isEmpty || isCanonicalUUID(text) else {
                return "one \(what) id (a UUID string)"
            }
            return nil
        case .date:
            return value.stringValue.map(DateText.isDate) == true ? nil : "a date string YYYY-MM-DD"
        case .datetime:
            return value.stringValue.map(DateText.isDateTime) == true
                ? nil : "a date-time string in ISO 8601 (2026-11-27T16:12:41Z) or YYYY-MM-DD HH:MM:SS"
        case .time:
            return value.stringValue.map(DateText.isTime) == true ? nil : "a time string HH:MM or HH:MM:SS"
        case .text:
            return value.stringValue == nil ? "a string" : nil
        case .any:
            return nil
        }
    }

    /// Whether `provided` leaves a read-only field as it is.
    /// Both sides are compared as the model sees them, without hidden characters (`TextHygiene`).
    static func sameValue(_ provided: JSONValue, _ current: JSONValue, kind: Kind) -> Bool {
        let provided = TextHygiene.clean(provided).value
        let current = TextHygiene.clean(current).value
        if isEmpty(provided), isEmpty(current) { return true }
        switch kind {
        case .number:
            if let a = numeric(provided), let b = numeric(current) { return a == b }
        case .list:
            if let a = listItems(provided), let b = listItems(current) { return a == b }
        default:
            break
        }
        return provided == current
    }

    /// The values of a multi-value field: array elements or comma-separated parts, trimmed.
    static func listItems(_ value: JSONValue) -> [String]? {
        switch value {
        case .string(let text):
            return text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        case .array(let elements):
            var items: [String] = []
            for element in elements {
                guard let text = element.stringValue else { return nil }
                items.append(text.trimmingWhitespace())
            }
            return items.filter { !$0.isEmpty }
        default:
            return nil
        }
    }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let s): s.isEmpty
        case .array(let a): a.isEmpty
        default: false
        }
    }

    private static func numeric(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let n): n.doubleValue
        case .string(let s) where isDecimal(s): Double(s)
        default: nil
        }
    }

    /// `[+-]digits[.digits][e[+-]digits]`, as Python's Decimal reads it (no NaN or Infinity).
    static func isDecimal(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let isDigit: (UInt8) -> Bool = { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        let integer = bytes.prefix(while: isDigit)
        bytes = bytes.dropFirst(integer.count)
        var fraction = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = bytes.prefix(while: isDigit).count
            bytes = bytes.dropFirst(fraction)
        }
        guard integer.count + fraction > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            let exponent = bytes.prefix(while: isDigit).count
            guard exponent > 0 else { return false }
            bytes = bytes.dropFirst(exponent)
        }
        return bytes.isEmpty
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): "the string \"\(s.prefix(40))\""
        case .number(let n): "the number \(n.literal.prefix(32))"
        case .bool(let b): "the boolean \(b)"
        case .array: "an array"
        case .object: "an object"
        case .null: "null"
        }
    }

    private static func list(_ keys: [String]) -> String {
        guard !keys.isEmpty else { return "(none)" }
        let shown = keys.prefix(30).joined(separator: ", ")
        return keys.count > 30 ? shown + ", …" : shown
    }
}
