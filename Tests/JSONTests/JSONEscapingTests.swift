import JSON
import Testing

/// The serializer's string escaping, word-at-a-time fast path included, checked against the
/// parser and against the escapes RFC 8259 §7 names.
@Suite struct JSONEscapingTests {
    @Test(arguments: [
        ("", #""""#),
        ("plain ascii text, longer than eight bytes", #""plain ascii text, longer than eight bytes""#),
        ("a\"b\\c", #""a\"b\\c""#),
        ("\n\r\t\u{01}\u{1F}", #""\n\r\t\u0001\u001f""#),
        ("12345678\"", #""12345678\"""#),
        ("1234567\u{00}9", #""1234567\u00009""#),
        ("ünïcödé 申请 \u{7F} ✓", "\"ünïcödé 申请 \u{7F} ✓\""),
    ])
    func escapes(text: String, json: String) {
        #expect(JSONValue.string(text).jsonText == json)
    }

    /// Strings of every length up to 40 made of bytes that exercise each path (controls,
    /// quotes, backslashes, ASCII, multi-byte UTF-8, bytes next to the SWAR thresholds),
    /// at every offset within a word, survive a round trip through the parser unchanged.
    @Test func everyStringRoundTrips() throws {
        let alphabet: [String] = ["a", "\"", "\\", "\n", "\u{00}", "\u{1F}", " ", "\u{7F}", "é", "申", "\u{2028}", "!", "[", "]"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            // A fixed-seed xorshift: the same strings on every run.
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(alphabet.count))
        }
        for length in 0...40 {
            for _ in 0..<25 {
                let text = (0..<length).map { _ in alphabet[next()] }.joined()
                let serialized = JSONValue.string(text).serialized
                #expect(try JSONParser().parse(serialized) == .string(text), "\(text.debugDescription)")
                #expect(!serialized.dropFirst().dropLast().contains { $0 < 0x20 }, "no raw control byte")
            }
        }
    }
}
