/// Writes JSON text. Compact by default; `pretty` indents by two spaces, the layout the
/// reference server uses for the text block of a tool result.
package struct JSONSerializer {
    package var pretty: Bool
    /// Sort object keys (for fixtures that must diff cleanly).
    package var sortKeys: Bool

    package init(pretty: Bool = false, sortKeys: Bool = false) {
        self.pretty = pretty
        self.sortKeys = sortKeys
    }

    package func serialize(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, indent: 0)
        return out
    }

    package func string(_ value: JSONValue) -> String {
        String(decoding: serialize(value), as: UTF8.self)
    }

    private func write(_ value: JSONValue, into out: inout [UInt8], indent: Int) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.literal.utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let elements): writeArray(elements, into: &out, indent: indent)
        case .object(let object): writeObject(object, into: &out, indent: indent)
        }
    }

    private func writeArray(_ elements: [JSONValue], into out: inout [UInt8], indent: Int) {
        out.append(UInt8(ascii: "["))
        if elements.isEmpty {
            out.append(UInt8(ascii: "]"))
            return
        }
        for (i, element) in elements.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            newline(into: &out, indent: indent + 1)
            write(element, into: &out, indent: indent + 1)
        }
        newline(into: &out, indent: indent)
        out.append(UInt8(ascii: "]"))
    }

    private func writeObject(_ object: JSONObject, into out: inout [UInt8], indent: Int) {
        out.append(UInt8(ascii: "{"))
        if object.isEmpty {
            out.append(UInt8(ascii: "}"))
            return
        }
        let members = sortKeys ? object.members.sorted { $0.key < $1.key } : object.members
        for (i, member) in members.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            newline(into: &out, indent: indent + 1)
            Self.writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            if pretty { out.append(UInt8(ascii: " ")) }
            write(member.value, into: &out, indent: indent + 1)
        }
        newline(into: &out, indent: indent)
        out.append(UInt8(ascii: "}"))
    }

    private func newline(into out: inout [UInt8], indent: Int) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Escapes quotes, backslashes and control characters; everything else is UTF-8 as is.
    /// Runs of bytes that need no escape are copied in one go: tool results carry whole
    /// pretty-printed documents as strings, so this is the serializer's hot loop.
    package static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                appendEscape(byte, into: &out)
                runStart = index + 1
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The escape for one byte that may not appear raw inside a JSON string.
    private static func appendEscape(_ byte: UInt8, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0..<0x20:
            out.append(UInt8(ascii: "u"))
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "0"))
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        default: out.append(byte)
        }
    }
}

extension JSONValue {
    /// Compact JSON bytes.
    package var serialized: [UInt8] { JSONSerializer().serialize(self) }

    /// Compact JSON text.
    package var jsonText: String { JSONSerializer().string(self) }
}
