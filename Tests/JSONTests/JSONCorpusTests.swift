import JSON
import Testing

/// A corpus of JSON texts, each named after the rule of RFC 8259 it checks: the parser accepts
/// what the grammar allows (with the value it denotes) and rejects what it does not, with the
/// right kind of reason. Where the RFC leaves a choice to the implementation (duplicate names,
/// lone surrogates, nesting limits) the name says which choice this parser makes.
@Suite struct JSONCorpusTests {
    /// A text the grammar allows, and the value it must parse to.
    struct Accepted: CustomTestStringConvertible, Sendable {
        var rule: String
        var text: String
        var value: JSONValue
        var testDescription: String { rule }
    }

    /// A text the grammar (or this parser's stated choice) refuses, and the kind of reason.
    struct Rejected: CustomTestStringConvertible, Sendable {
        enum Kind: Sendable { case syntax, empty, invalidUTF8, loneSurrogate, duplicateKey, tooDeep }
        var rule: String
        var bytes: [UInt8]
        var kind: Kind
        init(_ rule: String, _ text: String, _ kind: Kind = .syntax) {
            self.init(rule, bytes: Array(text.utf8), kind)
        }
        init(_ rule: String, bytes: [UInt8], _ kind: Kind = .syntax) {
            self.rule = rule
            self.bytes = bytes
            self.kind = kind
        }
        var testDescription: String { rule }
    }

    static func number(_ literal: String) -> JSONValue { .number(JSONNumber(uncheckedLiteral: literal)) }

    static let accepted: [Accepted] = [
        // §2 JSON text: ws value ws; any value may stand at the top.
        Accepted(rule: "§2 a text may be a bare number", text: "1", value: 1),
        Accepted(rule: "§2 a text may be a bare string", text: #""a""#, value: "a"),
        Accepted(rule: "§2 a text may be a bare literal", text: "null", value: .null),
        Accepted(rule: "§2 insignificant whitespace is space, tab, LF and CR", text: " \t\n\r[ 1 ,\t2 ]\r\n ", value: [1, 2]),
        Accepted(rule: "§2 whitespace around name separators", text: "{ \"a\" : 1 }", value: ["a": 1]),
        // §3 values: false, null, true in lowercase.
        Accepted(rule: "§3 literal true", text: "true", value: true),
        Accepted(rule: "§3 literal false", text: "false", value: false),
        // §4 objects.
        Accepted(rule: "§4 empty object", text: "{}", value: .object([:])),
        Accepted(rule: "§4 the empty string is a valid name", text: #"{"":0}"#, value: ["": 0]),
        Accepted(rule: "§4 members in order", text: #"{"b":1,"a":[true]}"#, value: ["b": 1, "a": [true]]),
        // §5 arrays.
        Accepted(rule: "§5 empty array", text: "[]", value: []),
        Accepted(rule: "§5 nested arrays", text: "[[[]]]", value: [[[]]]),
        Accepted(rule: "§5 values of mixed kinds", text: #"[1,"a",null,{}]"#, value: [1, "a", .null, .object([:])]),
        // §6 numbers: -? int frac? exp?, int = 0 / digit1-9 *DIGIT.
        Accepted(rule: "§6 zero", text: "0", value: 0),
        Accepted(rule: "§6 minus zero", text: "-0", value: number("-0")),
        Accepted(rule: "§6 fraction", text: "0.5", value: number("0.5")),
        Accepted(rule: "§6 exponent with lowercase e", text: "1e5", value: number("1e5")),
        Accepted(rule: "§6 exponent with uppercase E and plus", text: "1E+5", value: number("1E+5")),
        Accepted(rule: "§6 negative exponent and fraction", text: "-1.5e-10", value: number("-1.5e-10")),
        Accepted(rule: "§6 more digits than a double holds", text: "12345678901234567890123", value: number("12345678901234567890123")),
        // §7 strings.
        Accepted(rule: "§7 empty string", text: #""""#, value: ""),
        Accepted(rule: "§7 the two-character escapes", text: #""\"\\\/\b\f\n\r\t""#, value: "\"\\/\u{8}\u{C}\n\r\t"),
        Accepted(rule: "§7 a \\u escape, either case of hex digits", text: #""\u0041\u00e9\u00E9""#, value: "Aéé"),
        Accepted(rule: "§7 a surrogate pair escapes a character beyond the BMP", text: #""\ud83d\ude00""#, value: "😀"),
        Accepted(rule: "§7 DEL and other non-control characters may stand unescaped", text: "\"\u{7F}é😀\"", value: "\u{7F}é😀"),
        Accepted(rule: "§7 an escaped NUL", text: #""\u0000""#, value: "\u{0}"),
        // §9 a parser may limit nesting: 64 levels are accepted here.
        Accepted(rule: "§9 nesting up to the 64-level limit", text: String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
            value: (1..<64).reduce(JSONValue.array([])) { inner, _ in .array([inner]) }),
    ]

    static let rejected: [Rejected] = [
        // §2 JSON text.
        Rejected("§2 an empty text has no value", "", .empty),
        Rejected("§2 whitespace alone has no value", " \n", .empty),
        Rejected("§2 a text holds exactly one value", "1 2"),
        Rejected("§2 form feed is not whitespace", "\u{C}1"),
        Rejected("§2 no-break space is not whitespace", "\u{A0}1"),
        Rejected("§2 no comments", "[1] // one"),
        // §3 values.
        Rejected("§3 literals are lowercase", "True"),
        Rejected("§3 NULL is not null", "NULL"),
        Rejected("§3 undefined is not a value", "undefined"),
        Rejected("§3 a truncated literal", "tru"),
        // §4 objects.
        Rejected("§4 names are strings, not bare words", "{a:1}"),
        Rejected("§4 names are strings, not numbers", "{1:1}"),
        Rejected("§4 strings use double quotes", "{'a':1}"),
        Rejected("§4 a name needs a name separator", #"{"a" 1}"#),
        Rejected("§4 a name needs a value", #"{"a":}"#),
        Rejected("§4 no trailing value separator", #"{"a":1,}"#),
        Rejected("§4 members are separated by commas", #"{"a":1 "b":2}"#),
        Rejected("§4 an unclosed object", #"{"a":1"#),
        Rejected("§4 names SHOULD be unique: duplicates are rejected here", #"{"id":1,"id":2}"#, .duplicateKey),
        Rejected("§4 names SHOULD be unique, in nested objects too", #"{"a":{"k":1,"k":1}}"#, .duplicateKey),
        // §5 arrays.
        Rejected("§5 no trailing value separator", "[1,]"),
        Rejected("§5 no leading value separator", "[,1]"),
        Rejected("§5 values are separated by commas", "[1 2]"),
        Rejected("§5 an unclosed array", "[1"),
        Rejected("§5 a lone closing bracket", "]"),
        // §6 numbers.
        Rejected("§6 no plus sign before a number", "+1"),
        Rejected("§6 no leading zeros", "01"),
        Rejected("§6 no leading zeros after a minus", "-01"),
        Rejected("§6 a fraction needs an integer part", ".5"),
        Rejected("§6 a fraction needs digits", "1."),
        Rejected("§6 a fraction needs digits before an exponent", "1.e5"),
        Rejected("§6 an exponent needs digits", "1e"),
        Rejected("§6 an exponent needs digits after its sign", "1e+"),
        Rejected("§6 no hexadecimal", "0x10"),
        Rejected("§6 NaN is not permitted", "NaN"),
        Rejected("§6 Infinity is not permitted", "Infinity"),
        Rejected("§6 minus Infinity is not permitted", "-Infinity"),
        Rejected("§6 a minus needs digits", "-"),
        Rejected("§6 no space after the minus", "- 1"),
        // §7 strings.
        Rejected("§7 an unterminated string", #""abc"#),
        Rejected("§7 control characters must be escaped: tab", "\"\t\""),
        Rejected("§7 control characters must be escaped: line feed", "\"\n\""),
        Rejected("§7 control characters must be escaped: NUL", "\"\u{0}\""),
        Rejected("§7 only the listed escapes exist", #""\a""#),
        Rejected("§7 no \\x escapes", #""\x41""#),
        Rejected("§7 \\u takes four hex digits", #""\u12""#),
        Rejected("§7 \\u takes hex digits only", #""\u12G4""#),
        Rejected("§7 strings use double quotes", "'a'"),
        Rejected("§7/§8.2 a lone high surrogate is rejected here", #""\ud800""#, .loneSurrogate),
        Rejected("§7/§8.2 a lone low surrogate is rejected here", #""\udc00""#, .loneSurrogate),
        Rejected("§7/§8.2 a high surrogate followed by a non-surrogate is rejected here", #""\ud800\u0041""#, .loneSurrogate),
        // §8.1 character encoding: UTF-8.
        Rejected("§8.1 a stray continuation byte is not UTF-8", bytes: [0x22, 0x80, 0x22], .invalidUTF8),
        Rejected("§8.1 an overlong encoding is not UTF-8", bytes: [0x22, 0xC0, 0xAF, 0x22], .invalidUTF8),
        Rejected("§8.1 an encoded surrogate is not UTF-8", bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8),
        Rejected("§8.1 a truncated sequence is not UTF-8", bytes: [0x22, 0xE2, 0x82, 0x22], .invalidUTF8),
        Rejected("§8.1 0xFF never occurs in UTF-8", bytes: [0x22, 0xFF, 0x22], .invalidUTF8),
        // §9 a parser may limit nesting.
        Rejected("§9 nesting beyond the 64-level limit", String(repeating: "[", count: 65) + String(repeating: "]", count: 65), .tooDeep),
    ]

    @Test(arguments: accepted)
    func accepts(_ item: Accepted) throws {
        let value = try JSONParser().parse(item.text)
        #expect(value == item.value)
    }

    @Test(arguments: rejected)
    func rejects(_ item: Rejected) {
        do {
            let value = try JSONParser().parse(item.bytes)
            Issue.record("accepted as \(value)")
        } catch {
            #expect(Self.kind(of: error.reason) == item.kind, "\(error)")
        }
    }

    static func kind(of reason: JSONParseError.Reason) -> Rejected.Kind {
        switch reason {
        case .syntax: .syntax
        case .empty: .empty
        case .invalidUTF8: .invalidUTF8
        case .loneSurrogate: .loneSurrogate
        case .duplicateKey: .duplicateKey
        case .tooDeep: .tooDeep
        }
    }
}
