private import CYAML

/// One libyaml parsing event, copied out of C memory.
enum YAMLEvent {
    case streamStart
    case streamEnd
    case documentStart(Mark)
    case documentEnd
    case scalar(String, Mark, style: ScalarStyle, tag: String?)
    case sequenceStart(Mark)
    case sequenceEnd
    case mappingStart(Mark)
    case mappingEnd
}

/// Pulls events from libyaml's event API over an in-memory copy of the input.
///
/// Owns a `yaml_parser_t` and the bytes it reads, so it is neither copyable nor `Sendable`:
/// one thread creates it, drains it and lets it go.
final class EventParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    /// libyaml keeps a pointer into the input, so the bytes live as long as the parser.
    private let input: UnsafeMutableBufferPointer<UInt8>

    init(bytes: some Collection<UInt8>) {
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        parser = .allocate(capacity: 1)
        // Fails only when libyaml cannot allocate its buffers.
        precondition(yaml_parser_initialize(parser) == 1, "yaml_parser_initialize failed: out of memory")
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// The next event.
    /// - Throws: `YAMLError` with libyaml's problem and position, or for anchors and aliases.
    func next() throws(YAMLError) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
        defer { yaml_event_delete(&event) }
        return try Self.convert(event)
    }

    private static func convert(_ event: yaml_event_t) throws(YAMLError) -> YAMLEvent {
        let mark = Mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart(mark)
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT:
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            throw YAMLError(at: mark, problem: "aliases (*\(name)) are not supported")
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            try refuseAnchor(scalar.anchor, at: mark)
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            return .scalar(text, mark, style: ScalarStyle(scalar.style), tag: scalar.tag.map { String(cString: $0) })
        case YAML_SEQUENCE_START_EVENT:
            try refuseAnchor(event.data.sequence_start.anchor, at: mark)
            return .sequenceStart(mark)
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            try refuseAnchor(event.data.mapping_start.anchor, at: mark)
            return .mappingStart(mark)
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default:
            throw YAMLError(at: mark, problem: "unexpected parser event \(event.type.rawValue)")
        }
    }

    private static func refuseAnchor(_ anchor: UnsafeMutablePointer<yaml_char_t>?, at mark: Mark) throws(YAMLError) {
        guard let anchor else { return }
        throw YAMLError(at: mark, problem: "anchors (&\(String(cString: anchor))) are not supported")
    }

    /// The parser's recorded failure as a `YAMLError`.
    private func currentError() -> YAMLError {
        let state = parser.pointee
        var problem = state.problem.map { String(cString: $0) } ?? "out of memory"
        if let context = state.context {
            problem += " \(String(cString: context))"
        }
        if state.error == YAML_READER_ERROR {
            // Reader errors (bad encoding) record a byte offset rather than a mark.
            return YAMLError(at: position(ofOffset: state.problem_offset), problem: problem)
        }
        return YAMLError(at: Mark(state.problem_mark), problem: problem)
    }

    /// The line and column of a byte offset into the input.
    private func position(ofOffset offset: Int) -> Mark {
        var line = 1
        var column = 1
        for byte in input.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }
}

@available(*, unavailable)
extension EventParser: Sendable {}

extension Mark {
    /// libyaml counts from 0.
    fileprivate init(_ mark: yaml_mark_t) {
        self.init(line: mark.line + 1, column: mark.column + 1)
    }
}

extension ScalarStyle {
    fileprivate init(_ style: yaml_scalar_style_t) {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: self = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: self = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: self = .literal
        case YAML_FOLDED_SCALAR_STYLE: self = .folded
        default: self = .plain
        }
    }
}
