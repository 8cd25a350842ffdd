/// A position in a YAML text, 1-based, so it can be shown to a person as is.
package struct Mark: Sendable, Hashable, CustomStringConvertible {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    package var description: String { "\(line):\(column)" }
}

/// How a scalar was written. Quoting matters: `"null"` is text while a plain `null` is not.
package enum ScalarStyle: Sendable, Hashable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded
}

/// One node of a parsed YAML document, with the position of every value and key,
/// so that callers can report a bad setting by its line.
package indirect enum YAMLNode: Sendable {
    /// A scalar's text, where it starts, how it was written and its explicit tag
    /// (such as `tag:yaml.org,2002:str` for `!!str`), if any.
    case scalar(String, Mark, style: ScalarStyle, tag: String?)
    case sequence([YAMLNode], Mark)
    /// Entries in document order; keys are unique (duplicates are refused while parsing).
    case mapping([(key: String, keyMark: Mark, value: YAMLNode)], Mark)

    /// Where the node starts.
    package var mark: Mark {
        switch self {
        case .scalar(_, let mark, _, _), .sequence(_, let mark), .mapping(_, let mark):
            return mark
        }
    }

    /// The tag libyaml reports for `!!null`.
    package static let nullTag = "tag:yaml.org,2002:null"

    /// Whether this is YAML's null: an untagged plain `null`, `Null`, `NULL`, `~` or nothing
    /// at all, or anything tagged `!!null`. Quoted text never is.
    package var isNull: Bool {
        guard case .scalar(let text, _, let style, let tag) = self else { return false }
        if let tag { return tag == Self.nullTag }
        return style == .plain && ["", "~", "null", "Null", "NULL"].contains(text)
    }

    /// A short phrase naming the node's kind, for error messages.
    package var kindDescription: String {
        switch self {
        case .scalar: return isNull ? "null" : "a single value"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

extension YAMLNode: Equatable {
    /// Structural equality, marks included.
    package static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        switch (lhs, rhs) {
        case (.scalar(let a, let am, let astyle, let atag), .scalar(let b, let bm, let bstyle, let btag)):
            return a == b && am == bm && astyle == bstyle && atag == btag
        case (.sequence(let a, let am), .sequence(let b, let bm)):
            return am == bm && a == b
        case (.mapping(let a, let am), .mapping(let b, let bm)):
            return am == bm && a.count == b.count
                && zip(a, b).allSatisfy { $0.key == $1.key && $0.keyMark == $1.keyMark && $0.value == $1.value }
        default:
            return false
        }
    }
}
