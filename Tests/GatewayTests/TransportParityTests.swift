import HTTPMessage
import JSON
import Testing
import TestSupport

/// The same JSON-RPC message gets the same JSON-RPC answer over stdio and over Streamable
/// HTTP (`LegacySSEParityTests` compares the HTTP+SSE transport). Only the framing differs:
/// HTTP statuses and headers are not compared, and a notification or a response has no
/// answer on either.
@Suite struct TransportParityTests {
    @Test(arguments: TransportParityCases.all)
    func stdioAndStreamableHTTPAnswerAlike(_ testCase: TransportParityCases.Case) async throws {
        try await withGateway { _, client, loonflow in
            let overHTTP = try await TransportParityCases.answerOverHTTP(testCase.message, client: client, token: Tokens.alice)
            let overStdio = try await Self.answerOverStdio(testCase.message, loonflow: loonflow)
            #expect(overHTTP == overStdio, "HTTP: \(overHTTP?.jsonText ?? "no answer")\nstdio: \(overStdio?.jsonText ?? "no answer")")
        }
    }

    @Test func theTableIsLargeEnough() {
        #expect(TransportParityCases.all.count >= 30)
    }

    /// The JSON-RPC answer of a gateway spawned with `--stdio` and the same token.
    static func answerOverStdio(_ message: JSONValue, loonflow: FakeLoonflow) async throws -> JSONValue? {
        let output = try await ExecutableTests.run(
            ["--stdio"], environment: ["LOONFLOW_BASE_URL": loonflow.baseURL, "LOONFLOW_MCP_ACCESS_TOKEN": Tokens.alice],
            stdin: message.serialized + [UInt8(ascii: "\n")])
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count <= 1, "one answer at most: \(output.stdout)")
        return try lines.first.map { try JSONParser().parse(String($0)) }
    }
}
