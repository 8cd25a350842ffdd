import MCPCore
import MCPHTTP
import Testing

/// How Streamable HTTP frames the protocol core's errors, era by era.
@Suite struct ErrorStatusTests {
    @Test(arguments: [
        (JSONRPCError.methodNotFound("x"), 200, 404),
        (JSONRPCError.invalidParams("x"), 200, 400),
        (JSONRPCError(code: -32002, message: "Resource not found"), 200, 400),
        (JSONRPCError.internalError("x"), 500, 500),
        (JSONRPCError.parseError("x"), 400, 400),
        (JSONRPCError.invalidRequest("x"), 400, 400),
    ])
    func statusByEra(error: JSONRPCError, legacy: Int, modern: Int) {
        #expect(ErrorStatus.of(error, era: .legacy) == legacy)
        #expect(ErrorStatus.of(error, era: .modern) == modern)
    }
}
