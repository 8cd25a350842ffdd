import JSON
import Testing

@Suite struct JSONParserTests {
    let parser = JSONParser()

    @Test func parsesEveryValueKindAndKeepsKeyOrder() throws {
        let value = try parser.parse(#"{"b": [1, -2.5e3, true, false, null], "a": "x\u00e9\ud83d\ude00", "c": {}}"#)
        #expect(value.objectValue?.keys == ["b", "a", "c"])
        #expect(value["b"] == [1, .number(JSONNumber(uncheckedLiteral: "-2.5e3")), true, false, nil])
        #expect(value["a"]?.stringValue == "xé😀")
        #expect(value["c"] == .object([:]))
    }

    @Test func numbersKeepTheirLiteral() throws {
        let value = try parser.parse("12345678901234567890123")
        #expect(value.serialized == Array("12345678901234567890123".utf8))
        #expect(value.intValue == nil)
        #expect(try parser.parse("2.0").intValue == 2)
    }

    @Test(arguments: [
        ("", "empty body"),
        ("{", "expected a string key"),
        ("[1,", "unexpected end"),
        ("{\"a\":1,}", "expected a string key"),
        ("[1 2]", "expected ',' or ']'"),
        ("01", "leading zero"),
        ("\"\\x\"", "invalid escape"),
        ("\"a\u{1}\"", "control character"),
        ("nul", "unexpected end"),
        ("nulx", "invalid literal"),
        ("{} {}", "unexpected data after"),
        ("1.", "fraction"),
    ])
    func rejectsSyntaxErrorsWithAReason(text: String, reason: String) {
        #expect {
            _ = try parser.parse(text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func rejectsDuplicateKeys() {
        #expect(throws: JSONParseError.self) { try parser.parse(#"{"id": 1, "id": 2}"#) }
        let nested = #expect(throws: JSONParseError.self) { try parser.parse(#"{"a": {"k": 1, "k": 1}}"#) }
        #expect(nested?.reason == .duplicateKey("k"))
    }

    @Test func rejectsLoneSurrogates() {
        for text in [#""\ud800""#, #""\udc00x""#, #""\ud800\u0041""#] {
            do {
                _ = try parser.parse(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.reason == .loneSurrogate)
            }
        }
    }

    @Test func rejectsInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x28, 0x22], [0xFE], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            do {
                _ = try parser.parse(bytes)
                Issue.record("accepted \(bytes)")
            } catch {
                #expect(error.reason == .invalidUTF8)
            }
        }
    }

    @Test func limitsNesting() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try parser.parse(ok)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        do {
            _ = try parser.parse(deep)
            Issue.record("accepted depth 65")
        } catch {
            #expect(error.reason == .tooDeep(limit: 64))
        }
        // A depth bomb far beyond the limit fails fast instead of exhausting the stack.
        let bomb = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParseError.self) { try parser.parse(bomb) }
    }

    @Test func nulEscapesAreFineButRawNulIsNot() throws {
        #expect(try parser.parse(#""a\u0000b""#).stringValue == "a\u{0}b")
        #expect(throws: JSONParseError.self) { try parser.parse([0x22, 0x00, 0x22]) }
    }
}

@Suite struct JSONSerializerTests {
    @Test func roundTripsEscapes() throws {
        let value: JSONValue = ["s": "quote \" backslash \\ newline \n tab \t nul \u{0} é", "n": 1, "a": [true, nil]]
        let text = value.jsonText
        #expect(text == #"{"s":"quote \" backslash \\ newline \n tab \t nul \u0000 é","n":1,"a":[true,null]}"#)
        #expect(try JSONParser().parse(text) == value)
    }

    @Test func prettyUsesTwoSpaces() {
        let value: JSONValue = ["a": [1, 2], "b": [:]]
        #expect(JSONSerializer(pretty: true).string(value) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }

    @Test func sortedKeys() {
        let value: JSONValue = ["b": 1, "a": 2]
        #expect(JSONSerializer(sortKeys: true).string(value) == #"{"a":2,"b":1}"#)
    }

    @Test func objectEqualityIgnoresOrder() {
        let one: JSONValue = ["a": 1, "b": 2]
        let two: JSONValue = ["b": 2, "a": 1]
        #expect(one == two)
        #expect(one.hashValue == two.hashValue)
        #expect(JSONValue.number(JSONNumber(uncheckedLiteral: "1.0")) == .number(1))
    }
}
