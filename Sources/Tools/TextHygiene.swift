package import JSON
package import MCPCore

/// Removes invisible and bidirectional-control characters from text that came from Loonflow,
/// so that an instruction planted in a ticket title, comment or field cannot hide from the
/// person reading the model's context, nor reorder what they see.
///
/// Object keys are left alone: they are form keys chosen by the workflow's designer, and the
/// model must send them back unchanged.
package enum TextHygiene {
    /// Whether a scalar is one the gateway removes.
    package static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B...0x200F: true  // zero-width space, non-joiner, joiner; LRM, RLM
        case 0x202A...0x202E: true  // LRE, RLE, PDF, LRO, RLO
        case 0x2060...0x2064: true  // word joiner, invisible operators
        case 0x2066...0x2069: true  // LRI, RLI, FSI, PDI
        case 0x061C: true  // Arabic letter mark
        case 0xFEFF: true  // byte-order mark, zero-width no-break space
        case 0xE0000...0xE007F: true  // the tag block
        default: false
        }
    }

    /// Whether `text` has a byte that starts the UTF-8 form of a hidden scalar (U+061C starts
    /// with 0xD8, U+200B...U+2069 with 0xE2, U+FEFF with 0xEF, the tag block with 0xF3). A
    /// byte scan: most text, ASCII or not, is passed without decoding a scalar.
    package static func mayHoldHidden(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.contains { $0 == 0xE2 || $0 == 0xD8 || $0 == 0xEF || $0 == 0xF3 }
        }
    }

    /// Whether any string in `value` (keys aside) may hold a hidden scalar.
    static func mayHoldHidden(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): mayHoldHidden(text)
        case .array(let elements): elements.contains(where: mayHoldHidden)
        case .object(let object): object.members.contains { mayHoldHidden($0.value) }
        case .null, .bool, .number: false
        }
    }

    /// `text` without hidden characters, and how many were removed.
    package static func clean(_ text: String) -> (text: String, removed: Int) {
        // Fast path: most text has none.
        guard mayHoldHidden(text), text.unicodeScalars.contains(where: isHidden) else { return (text, 0) }
        var scalars = String.UnicodeScalarView()
        var removed = 0
        for scalar in text.unicodeScalars {
            if isHidden(scalar) { removed += 1 } else { scalars.append(scalar) }
        }
        return (String(scalars), removed)
    }

    /// Every string value in `value` cleaned, and the total removed.
    package static func clean(_ value: JSONValue) -> (value: JSONValue, removed: Int) {
        switch value {
        case .string(let text):
            let (cleaned, removed) = clean(text)
            return (removed == 0 ? value : .string(cleaned), removed)
        case .array(let elements):
            var removed = 0
            let cleaned = elements.map { element -> JSONValue in
                let (value, count) = clean(element)
                removed += count
                return value
            }
            return (removed == 0 ? value : .array(cleaned), removed)
        case .object(let object):
            let (cleaned, removed) = clean(object)
            return (removed == 0 ? value : .object(cleaned), removed)
        case .null, .bool, .number:
            return (value, 0)
        }
    }

    package static func clean(_ object: JSONObject) -> (object: JSONObject, removed: Int) {
        // Fast path: nothing to rebuild when no string may hold a hidden scalar.
        guard object.members.contains(where: { mayHoldHidden($0.value) }) else { return (object, 0) }
        var removed = 0
        var cleaned = JSONObject()
        for (key, member) in object {
            let (value, count) = clean(member)
            removed += count
            cleaned.appendUnchecked(key, value)
        }
        return (cleaned, removed)
    }

    /// The result with every text cleaned; a non-zero count is reported in `_meta` and in a
    /// note the model reads.
    package static func clean(_ result: ToolResult) -> ToolResult {
        var result = result
        var removed: Int
        if !result.isError, let structured = result.structuredContent {
            let (cleaned, count) = clean(structured)
            removed = count
            if count > 0 {
                result.structuredContent = cleaned
                result.text = ToolResult.success(cleaned).text
            }
        } else {
            (result.text, removed) = clean(result.text)
        }
        // Links repeat titles that the structured content already counted.
        result.links = result.links.map { clean($0).value }
        guard removed > 0 else { return result }
        result.meta[metaKey] = .number(removed)
        result.notes.append(
            "The gateway removed \(removed) invisible or bidirectional-control character(s) from Loonflow's text "
                + "(they can hide or reorder instructions).")
        return result
    }

    /// The `_meta` key carrying the count.
    package static let metaKey = "loonflow-mcp-gateway/hidden_characters_removed"
}

/// A tool whose results pass through `TextHygiene` before they reach the model.
package struct CleanTextTool: Tool {
    let base: any Tool

    package init(base: any Tool) { self.base = base }

    package var name: String { base.name }
    package var title: String { base.title }
    package var description: String { base.description }
    package var inputSchema: JSONValue { base.inputSchema }
    package var outputSchema: JSONValue { base.outputSchema }
    package var annotations: ToolAnnotations { base.annotations }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        TextHygiene.clean(await base.call(arguments: arguments, context: context))
    }
}
