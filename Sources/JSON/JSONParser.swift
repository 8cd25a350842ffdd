/// Why a document is not acceptable JSON. Each case names the problem precisely, because
/// the caller (often a model) has to fix its request from the message alone.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Reason: Sendable, Equatable {
        case syntax(String)
        case invalidUTF8
        case loneSurrogate
        case duplicateKey(String)
        case tooDeep(limit: Int)
        case empty
    }

    package var reason: Reason
    /// Byte offset where the problem was found.
    package var offset: Int

    package var description: String {
        switch reason {
        case .syntax(let what): "invalid JSON at byte \(offset): \(what)"
        case .invalidUTF8: "invalid UTF-8 in JSON text at byte \(offset)"
        case .loneSurrogate: "lone UTF-16 surrogate escape in JSON string at byte \(offset)"
        case .duplicateKey(let key): "duplicate object key \"\(key.prefix(64))\" at byte \(offset)"
        case .tooDeep(let limit): "JSON nesting deeper than \(limit) levels at byte \(offset)"
        case .empty: "empty body: expected a JSON value"
        }
    }
}

/// A strict RFC 8259 parser: rejects duplicate keys, lone surrogates, invalid UTF-8 and
/// nesting past a limit, which a permissive decoder would let through silently.
package struct JSONParser {
    package var maxDepth: Int

    package init(maxDepth: Int = 64) {
        self.maxDepth = maxDepth
    }

    package func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer, maxDepth: maxDepth)
            do throws(JSONParseError) {
                return .success(try reader.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    package func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// The cursor over the input bytes.
private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        if index == bytes.count { throw JSONParseError(reason: .empty, offset: 0) }
        let value = try parseValue()
        skipWhitespace()
        if index != bytes.count { throw syntax("unexpected data after the JSON value") }
        return value
    }

    func syntax(_ what: String) -> JSONParseError {
        JSONParseError(reason: .syntax(what), offset: index)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw syntax("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default:
            if bytes[index] >= 0x80, !isValidUTF8Sequence(at: index) {
                throw JSONParseError(reason: .invalidUTF8, offset: index)
            }
            throw syntax("unexpected character '\(printable(bytes[index]))'")
        }
    }

    func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw syntax("unexpected end of input") }
        let start = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw syntax("invalid literal")
        }
        index += count
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth { throw JSONParseError(reason: .tooDeep(limit: maxDepth), offset: index) }
    }

    /// Whether `key` is already in `object`: a scan up to 16 keys, then a set built once.
    static func isDuplicate(_ key: String, in object: JSONObject, seen: inout Set<String>?) -> Bool {
        if seen == nil {
            guard object.count >= 16 else { return object.members.contains { $0.key == key } }
            seen = Set(object.keys)
        }
        return seen?.insert(key).inserted == false
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var object = JSONObject()
        // Small objects are checked for duplicate keys by scanning; hashing every key of
        // every object was about a third of the time spent parsing a typical Loonflow answer.
        var seen: Set<String>?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw syntax("expected a string key")
            }
            let keyOffset = index
            let key = try parseString()
            if Self.isDuplicate(key, in: object, seen: &seen) {
                throw JSONParseError(reason: .duplicateKey(key), offset: keyOffset)
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw syntax("expected ':'") }
            index += 1
            skipWhitespace()
            object.appendUnchecked(key, try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw syntax("unexpected end of input in object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(object)
            }
            throw syntax("expected ',' or '}'")
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw syntax("unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            }
            throw syntax("expected ',' or ']'")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw syntax("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw syntax("leading zero in number") }
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw syntax("invalid number fraction") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw syntax("invalid number exponent") }
            skipDigits()
        }
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return JSONNumber(uncheckedLiteral: literal)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    /// Parses a string starting at the opening quote. The fast path copies a run with no
    /// escapes straight from the input after validating its UTF-8.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        var sawHighByte = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return try makeString(run, checkUTF8: sawHighByte, offset: start)
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw syntax("unescaped control character in string") }
            if byte >= 0x80 { sawHighByte = true }
            index += 1
        }
        throw syntax("unterminated string")
    }

    func makeString(_ run: UnsafeBufferPointer<UInt8>, checkUTF8: Bool, offset: Int) throws(JSONParseError) -> String {
        guard checkUTF8 else { return String(decoding: run, as: UTF8.self) }
        guard let string = String(validating: run, as: UTF8.self) else {
            throw JSONParseError(reason: .invalidUTF8, offset: offset + firstInvalidUTF8Offset(run))
        }
        return string
    }

    func firstInvalidUTF8Offset(_ run: UnsafeBufferPointer<UInt8>) -> Int {
        var decoder = UTF8()
        var iterator = run.makeIterator()
        var consumed = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): consumed += UTF8.width(scalar)
            case .emptyInput, .error: return consumed
            }
        }
    }

    func isValidUTF8Sequence(at position: Int) -> Bool {
        let end = min(bytes.count, position + 4)
        var decoder = UTF8()
        var iterator = UnsafeBufferPointer(rebasing: bytes[position..<end]).makeIterator()
        if case .scalarValue = decoder.decode(&iterator) { return true }
        return false
    }

    /// The slow path: a string with escapes, decoded into a byte buffer.
    mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var buffer = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        var sawHighByte = buffer.contains { $0 >= 0x80 }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try buffer.withUnsafeBufferPointer { run throws(JSONParseError) in
                    try makeString(run, checkUTF8: sawHighByte, offset: start)
                }
            case UInt8(ascii: "\\"):
                index += 1
                try appendEscape(to: &buffer)
            case 0..<0x20:
                throw syntax("unescaped control character in string")
            default:
                if byte >= 0x80 { sawHighByte = true }
                buffer.append(byte)
                index += 1
            }
        }
        throw syntax("unterminated string")
    }

    mutating func appendEscape(to buffer: inout [UInt8]) throws(JSONParseError) {
        guard index < bytes.count else { throw syntax("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"): try appendUnicodeEscape(to: &buffer)
        default: throw syntax("invalid escape '\\\(printable(byte))'")
        }
    }

    mutating func appendUnicodeEscape(to buffer: inout [UInt8]) throws(JSONParseError) {
        let escapeOffset = index - 2
        let first = try readHex4()
        var scalarValue = UInt32(first)
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw JSONParseError(reason: .loneSurrogate, offset: escapeOffset) }
            index += 2
            let second = try readHex4()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw JSONParseError(reason: .loneSurrogate, offset: escapeOffset)
            }
            scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(first) {
            throw JSONParseError(reason: .loneSurrogate, offset: escapeOffset)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else {
            throw JSONParseError(reason: .loneSurrogate, offset: escapeOffset)
        }
        buffer.append(contentsOf: UTF8.encode(scalar)!)
    }

    mutating func readHex4() throws(JSONParseError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw syntax("truncated \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntax("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
