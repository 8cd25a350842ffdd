/// Keeps secrets out of fixtures: replaces every token the recorder has seen with its
/// placeholder, and every `token=<value>` (the temporary tokens Loonflow puts in file and
/// rich-text URLs, and any `access_token=`) with `token=<redacted>`.
struct TokenScrubber: Sendable {
    static let redacted = "<redacted>"

    /// Raw token → placeholder. Held in memory only, for the life of the recorder.
    private(set) var placeholders: [String: String] = [:]

    mutating func remember(_ token: String, as placeholder: String) {
        placeholders[token] = placeholder
    }

    func scrub(_ text: String) -> String {
        var result = text
        for (token, placeholder) in placeholders where result.contains(token) {
            result = result.replacing(token, with: placeholder)
        }
        return Self.redactTokenParameters(result)
    }

    /// `…?token=abc&timestamp=1` → `…?token=<redacted>&timestamp=1`. A value that already is
    /// a placeholder (`<PAT_alice>`) is left alone.
    static func redactTokenParameters(_ text: String) -> String {
        let marker = Array("token=".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count >= marker.count else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard matches(marker, in: bytes, at: index) else {
                out.append(bytes[index])
                index += 1
                continue
            }
            out += bytes[index..<index + marker.count]
            index += marker.count
            var end = index
            while end < bytes.count, !endsValue(bytes[end]) { end += 1 }
            let isPlaceholder = index < bytes.count && bytes[index] == UInt8(ascii: "<")
            if end > index, !isPlaceholder {
                out += Array(redacted.utf8)
                index = end
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func matches(_ marker: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
        guard index + marker.count <= bytes.count else { return false }
        for offset in 0..<marker.count {
            var byte = bytes[index + offset]
            if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 32 }
            if byte != marker[offset] { return false }
        }
        return true
    }

    /// Characters that end a query value inside a URL embedded in text, JSON or HTML.
    private static func endsValue(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"),
            UInt8(ascii: "#"), UInt8(ascii: ")"), UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: " "), 0x09, 0x0A, 0x0D:
            true
        default: false
        }
    }
}
