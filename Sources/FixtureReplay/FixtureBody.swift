package import JSON

/// A recorded body: kept as JSON when it parses, so fixtures stay readable and diff by
/// line; anything else (Django's HTML error pages) is kept as text.
///
/// Equality is JSON equality (object key order ignored), which is how request bodies match.
package enum FixtureBody: Sendable, Equatable {
    case json(JSONValue)
    case text(String)

    /// Deep enough for any Loonflow form; the gateway's own parser limit is lower.
    static let maxDepth = 512

    /// Reads raw bytes: JSON when they parse, else UTF-8 text.
    package init(bytes: [UInt8]) {
        if !bytes.isEmpty, let value = try? JSONParser(maxDepth: Self.maxDepth).parse(bytes) {
            self = .json(value)
        } else {
            self = .text(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The bytes replay sends: compact JSON with the keys in the fixture file's order, or the
    /// text as recorded.
    package var bytes: [UInt8] {
        switch self {
        case .json(let value): JSONSerializer().serialize(value)
        case .text(let text): Array(text.utf8)
        }
    }

    /// A key-sorted, compact form used in file-name hashes.
    var canonicalText: String {
        switch self {
        case .json(let value): "json:" + JSONSerializer(sortKeys: true).string(value)
        case .text(let text): "text:" + text
        }
    }

    /// Adds the body to a fixture file's object: `body` for JSON, `body_text` for text.
    func store(in object: inout JSONObject) {
        switch self {
        case .json(let value): object["body"] = value
        case .text(let text): object["body_text"] = .string(text)
        }
    }

    /// The body of a fixture file's `request` or `response` object, if it has one.
    static func stored(in object: JSONObject, file: String, part: String) throws(FixtureError) -> FixtureBody? {
        if let value = object["body"] {
            guard object["body_text"] == nil else {
                throw FixtureError("\(file): \(part) has both \"body\" and \"body_text\"; keep one")
            }
            return .json(value)
        }
        guard let text = object["body_text"] else { return nil }
        guard let string = text.stringValue else {
            throw FixtureError("\(file): \(part).body_text must be a string")
        }
        return .text(string)
    }

    /// Applies `transform` to every string inside the body (keys included for JSON).
    func mapStrings(_ transform: (String) -> String) -> FixtureBody {
        switch self {
        case .json(let value): .json(value.mapStrings(transform))
        case .text(let text): .text(transform(text))
        }
    }
}

extension JSONValue {
    /// The same tree with `transform` applied to every string value and object key.
    func mapStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .null, .bool, .number: return self
        case .string(let s): return .string(transform(s))
        case .array(let elements): return .array(elements.map { $0.mapStrings(transform) })
        case .object(let object):
            return .object(JSONObject(object.members.map { (transform($0.key), $0.value.mapStrings(transform)) }))
        }
    }
}
