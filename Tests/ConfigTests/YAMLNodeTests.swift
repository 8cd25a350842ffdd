import Testing
import YAML

@Suite struct YAMLNodeTests {
    @Test func parsesNestedMappingsWithMarks() throws {
        let root = try YAMLNode.parse("server:\n  port: 8002\n  hosts: [a, \"b\"]\n")
        guard case .mapping(let top, let topMark) = root else {
            Issue.record("not a mapping")
            return
        }
        #expect(topMark == Mark(line: 1, column: 1))
        #expect(top.map(\.key) == ["server"])
        guard case .mapping(let server, _) = top[0].value else {
            Issue.record("server not a mapping")
            return
        }
        #expect(server.map(\.key) == ["port", "hosts"])
        #expect(server[0].keyMark == Mark(line: 2, column: 3))
        #expect(server[0].value == .scalar("8002", Mark(line: 2, column: 9), style: .plain, tag: nil))
        guard case .sequence(let hosts, _) = server[1].value else {
            Issue.record("hosts not a list")
            return
        }
        #expect(hosts[1] == .scalar("b", Mark(line: 3, column: 14), style: .doubleQuoted, tag: nil))
    }

    @Test(arguments: ["a: null", "a: ~", "a: NULL", "a:", "a: !!null whatever"])
    func recognisesNull(_ text: String) throws {
        #expect(try value(of: "a", in: YAMLNode.parse(text))?.isNull == true)
    }

    @Test(arguments: ["a: \"null\"", "a: 'null'", "a: !!str null", "a: nothing"])
    func quotedOrTaggedNullIsText(_ text: String) throws {
        #expect(try value(of: "a", in: YAMLNode.parse(text))?.isNull == false)
    }

    @Test func keepsBlockScalarStyles() throws {
        let root = try YAMLNode.parse("a: |\n  one\n  two\nb: >\n  folded\n  text\n")
        guard case .scalar(let literal, _, let literalStyle, _)? = value(of: "a", in: root),
            case .scalar(let folded, _, let foldedStyle, _)? = value(of: "b", in: root)
        else {
            Issue.record("not scalars")
            return
        }
        #expect(literal == "one\ntwo\n" && literalStyle == .literal)
        #expect(folded == "folded text\n" && foldedStyle == .folded)
    }

    @Test(arguments: ["", "# only a comment\n", "---\n", "--- ~\n"])
    func emptyDocumentIsAnEmptyMapping(_ text: String) throws {
        guard case .mapping(let entries, _) = try YAMLNode.parse(text) else {
            Issue.record("not a mapping")
            return
        }
        #expect(entries.isEmpty)
    }

    @Test func refusesDuplicateKeys() {
        #expect(throws: YAMLError(line: 3, column: 1, problem: "duplicate key \"a\"")) {
            try YAMLNode.parse("a: 1\nb: 2\na: 3\n")
        }
    }

    @Test func refusesAnchorsAndAliases() {
        #expect(throws: YAMLError(line: 1, column: 4, problem: "anchors (&x) are not supported")) {
            try YAMLNode.parse("a: &x 1\nb: *x\n")
        }
        #expect(throws: YAMLError(line: 1, column: 4, problem: "aliases (*x) are not supported")) {
            try YAMLNode.parse("a: *x\n")
        }
    }

    @Test func refusesNonScalarKeys() throws {
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse("? [a, b]\n: 1\n") }
        #expect(error.line == 1)
        #expect(error.problem.contains("mapping key must be a single value"))
    }

    @Test func refusesSeveralDocuments() throws {
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse("a: 1\n---\nb: 2\n") }
        #expect(error.line == 2)
        #expect(error.problem.contains("single document"))
    }

    @Test func reportsSyntaxErrorsWithLibyamlsPosition() throws {
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse("a: 1\nb: [1, 2\nc: 3\n") }
        #expect(error.line >= 2)
        #expect(error.problem.contains("flow sequence"))
        #expect(error.description.hasPrefix("line \(error.line), column \(error.column): "))
    }

    @Test func reportsBadEncodingAtItsLine() throws {
        let bytes = Array("a: 1\nb: ".utf8) + [0xff, 0xfe, 0x41] + Array("\n".utf8)
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse(bytes) }
        #expect(error.line == 2)
        #expect(error.column == 4)
    }

    @Test func refusesExcessiveNesting() throws {
        let text = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        let error = try #require(throws: YAMLError.self) { try YAMLNode.parse(text) }
        #expect(error.problem.contains("nesting deeper than"))
    }

    private func value(of key: String, in node: YAMLNode) -> YAMLNode? {
        guard case .mapping(let entries, _) = node else { return nil }
        return entries.first { $0.key == key }?.value
    }
}
