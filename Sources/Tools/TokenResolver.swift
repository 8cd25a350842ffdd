package import Auth
import JSON
package import MCPCore

/// Chooses the caller's Loonflow token: the `access_token` argument first, then the token
/// the transport supplied (header or server default).
package struct TokenResolver: Sendable {
    package let validator: AccessTokenValidator

    package init(validator: AccessTokenValidator) { self.validator = validator }

    package static let missingMessage =
        "access_token is required: pass the tool argument access_token, send Authorization: Bearer <token> "
        + "or X-Loonflow-Access-Token from the MCP HTTP client, or set LOONFLOW_MCP_ACCESS_TOKEN for the "
        + "server process"

    package func resolve(_ arguments: ToolArguments, context: ToolCallContext) throws(ToolFailure) -> AccessToken {
        let argument = try arguments.string("access_token")
        if let token = normalizedToken(argument) {
            switch validator.validate(token) {
            case .success(let valid): return valid
            case .failure(let error): throw ToolFailure("argument \"access_token\": \(error.description)")
            }
        }
        guard let transportToken = context.transportToken else { throw ToolFailure(Self.missingMessage) }
        return transportToken
    }
}
