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
        out.reserveCapacity(1024)
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
    /// Tool results carry whole JSON documents as strings, full of quotes, so this is the
    /// serializer's hot loop: it measures the escaped length first, grows the output by that
    /// much once, and writes the escaped bytes straight into it, instead of appending run by run.
    package static func writeString(_ string: String, into out: inout [UInt8]) {
        var string = string
        string.withUTF8 { bytes in
            let extra = escapedExtra(bytes)
            out.append(UInt8(ascii: "\""))
            if extra == 0 {
                out.append(contentsOf: bytes)
            } else {
                let start = out.count
                out.append(contentsOf: repeatElement(0, count: bytes.count + extra))
                out.withUnsafeMutableBufferPointer { buffer in
                    _ = writeEscaped(bytes, into: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
                }
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// The length the escapes in `bytes` add. Eight bytes at a time: a word with neither a
    /// control character, a quote nor a backslash is passed in one step.
    private static func escapedExtra(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var extra = 0
        var index = 0
        while index + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if SWAR.controls(word) != 0 {
                for byte in bytes[index..<index + 8] where needsEscape(byte) { extra += escapeLength(byte) - 1 }
            } else {
                // A quote or a backslash escapes to two bytes: one extra each.
                extra += SWAR.quotesOrBackslashes(word).nonzeroBitCount
            }
            index += 8
        }
        for byte in bytes[index...] where needsEscape(byte) { extra += escapeLength(byte) - 1 }
        return extra
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// The length of the escape for a byte that needs one: `\n`, `\"` or `\u00XX`.
    @inline(__always)
    private static func escapeLength(_ byte: UInt8) -> Int {
        switch byte {
        case 0x0A, 0x0D, 0x09, UInt8(ascii: "\""), UInt8(ascii: "\\"): 2
        default: 6
        }
    }

    /// Writes `bytes` escaped into `buffer`, which has room for them; returns the count written.
    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress, let target = buffer.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var at = 0
        var index = 0
        // Words that need no escape are copied whole; the rest byte by byte.
        while index + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if SWAR.controls(word) | SWAR.quotesOrBackslashes(word) == 0 {
                UnsafeMutableRawPointer(target + at).storeBytes(of: word, as: UInt64.self)
                at += 8
            } else {
                at += writeEscapedBytes(UnsafeBufferPointer(rebasing: bytes[index..<index + 8]), into: buffer, at: at)
            }
            index += 8
        }
        return at + writeEscapedBytes(UnsafeBufferPointer(rebasing: bytes[index...]), into: buffer, at: at)
    }

    /// Writes `bytes` escaped into `buffer` from `start`; returns the count written.
    private static func writeEscapedBytes(
        _ bytes: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int
    ) -> Int {
        var at = start
        for byte in bytes {
            guard needsEscape(byte) else {
                buffer[at] = byte
                at += 1
                continue
            }
            buffer[at] = UInt8(ascii: "\\")
            switch byte {
            case 0x0A: buffer[at + 1] = UInt8(ascii: "n")
            case 0x0D: buffer[at + 1] = UInt8(ascii: "r")
            case 0x09: buffer[at + 1] = UInt8(ascii: "t")
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): buffer[at + 1] = byte
            default:
                buffer[at + 1] = UInt8(ascii: "u")
                buffer[at + 2] = UInt8(ascii: "0")
                buffer[at + 3] = UInt8(ascii: "0")
                buffer[at + 4] = hexDigits[Int(byte >> 4)]
                buffer[at + 5] = hexDigits[Int(byte & 0x0F)]
            }
            at += escapeLength(byte)
        }
        return at - start
    }
}

extension JSONValue {
    /// Compact JSON bytes.
    package var serialized: [UInt8] { JSONSerializer().serialize(self) }

    /// Compact JSON text.
    package var jsonText: String { JSONSerializer().string(self) }
}

/// Byte tests on eight bytes at once. Each returns a word with 0x80 set in exactly the bytes
/// that pass; no carry crosses a byte, so the flags are exact.
private enum SWAR {
    private static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// Bytes equal to zero.
    @inline(__always)
    static func zeros(_ word: UInt64) -> UInt64 { ~(((word & low7) &+ low7) | word | low7) }

    /// Bytes below 0x20.
    @inline(__always)
    static func controls(_ word: UInt64) -> UInt64 { ~(((word & low7) &+ 0x6060_6060_6060_6060) | word | low7) }

    /// Bytes that are `"` or `\\`.
    @inline(__always)
    static func quotesOrBackslashes(_ word: UInt64) -> UInt64 {
        zeros(word ^ 0x2222_2222_2222_2222) | zeros(word ^ 0x5C5C_5C5C_5C5C_5C5C)
    }
}
