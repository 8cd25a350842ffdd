/// Assembles `YAMLNode` trees from parser events with an explicit stack, so a deep
/// document cannot exhaust the thread's stack.
struct TreeBuilder {
    /// Deeper nesting than this is refused: no configuration needs it, and the tree's
    /// recursive comparisons and teardown should stay shallow.
    static let maximumDepth = 256

    private enum Frame {
        case sequence([YAMLNode], Mark)
        case mapping(
            [(key: String, keyMark: Mark, value: YAMLNode)], Mark, pendingKey: (String, Mark)?, keys: Set<String>)
    }

    private var stack: [Frame] = []
    private var root: YAMLNode?
    private var documents = 0

    /// Reads every event of a single-document stream.
    /// - Returns: the document's root; an empty mapping when there is no document or it is null.
    /// - Throws: `YAMLError` for syntax errors, duplicate keys, non-scalar keys, several documents.
    static func build(from parser: EventParser) throws(YAMLError) -> YAMLNode {
        var builder = TreeBuilder()
        while true {
            let event = try parser.next()
            if case .streamEnd = event { break }
            try builder.apply(event)
        }
        guard let root = builder.root, !root.isNull else {
            return .mapping([], builder.root?.mark ?? Mark(line: 1, column: 1))
        }
        return root
    }

    private mutating func apply(_ event: YAMLEvent) throws(YAMLError) {
        switch event {
        case .streamStart, .documentEnd:
            break
        case .documentStart(let mark):
            documents += 1
            if documents > 1 {
                throw YAMLError(at: mark, problem: "expected a single document, found another one")
            }
        case .scalar(let text, let mark, let style, let tag):
            try add(.scalar(text, mark, style: style, tag: tag))
        case .sequenceStart(let mark):
            try push(.sequence([], mark), at: mark)
        case .mappingStart(let mark):
            try push(.mapping([], mark, pendingKey: nil, keys: []), at: mark)
        case .sequenceEnd, .mappingEnd:
            try add(pop())
        case .streamEnd:
            break
        }
    }

    private mutating func push(_ frame: Frame, at mark: Mark) throws(YAMLError) {
        guard stack.count < Self.maximumDepth else {
            throw YAMLError(at: mark, problem: "nesting deeper than \(Self.maximumDepth) levels")
        }
        stack.append(frame)
    }

    private mutating func pop() -> YAMLNode {
        switch stack.removeLast() {
        case .sequence(let items, let mark): return .sequence(items, mark)
        case .mapping(let entries, let mark, _, _): return .mapping(entries, mark)
        }
    }

    /// Hands a finished node to the collection being built, or makes it the root.
    private mutating func add(_ node: YAMLNode) throws(YAMLError) {
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(var items, let mark):
            items.append(node)
            stack.append(.sequence(items, mark))
        case .mapping(var entries, let mark, let pendingKey, var keys):
            if let (key, keyMark) = pendingKey {
                entries.append((key: key, keyMark: keyMark, value: node))
                stack.append(.mapping(entries, mark, pendingKey: nil, keys: keys))
            } else {
                let key = try Self.key(from: node, existing: keys)
                keys.insert(key)
                stack.append(.mapping(entries, mark, pendingKey: (key, node.mark), keys: keys))
            }
        }
    }

    private static func key(from node: YAMLNode, existing: Set<String>) throws(YAMLError) -> String {
        guard case .scalar(let text, let mark, _, _) = node else {
            throw YAMLError(at: node.mark, problem: "a mapping key must be a single value, not \(node.kindDescription)")
        }
        guard !existing.contains(text) else {
            throw YAMLError(at: mark, problem: "duplicate key \"\(text)\"")
        }
        return text
    }
}

extension YAMLNode {
    /// Parses one YAML document with libyaml.
    /// - Parameter bytes: UTF-8 (or UTF-16 with a byte order mark) YAML text.
    /// - Returns: the root node; an empty mapping for an empty or null document.
    /// - Throws: `YAMLError` naming the line and column of the first problem.
    package static func parse(_ bytes: some Collection<UInt8>) throws(YAMLError) -> YAMLNode {
        try TreeBuilder.build(from: EventParser(bytes: bytes))
    }

    /// Parses one YAML document held in a string.
    package static func parse(_ text: String) throws(YAMLError) -> YAMLNode {
        try parse(Array(text.utf8))
    }
}
