/// A JSON object whose members keep their order. Setting an existing key replaces its
/// value in place. Equality and hashing ignore order.
package struct JSONObject: Sendable, Hashable, Sequence {
    package typealias Member = (key: String, value: JSONValue)

    package private(set) var members: [Member] = []

    package init() {}

    /// Builds an object from pairs; a later pair with the same key replaces the earlier value.
    package init(_ pairs: [(String, JSONValue)]) {
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    package var count: Int { members.count }
    package var isEmpty: Bool { members.isEmpty }
    package var keys: [String] { members.map(\.key) }

    package subscript(key: String) -> JSONValue? {
        get {
            for member in members where member.key == key { return member.value }
            return nil
        }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    /// Appends without looking for an existing key. Only for callers that know the key is new
    /// (the parser, which checks duplicates itself).
    package mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        members.append((key, value))
    }

    package func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.members {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    package func hash(into hasher: inout Hasher) {
        // Order-independent: combine per-member hashes commutatively.
        var total = 0
        for (key, value) in members {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            total ^= member.finalize()
        }
        hasher.combine(count)
        hasher.combine(total)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    package init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}
