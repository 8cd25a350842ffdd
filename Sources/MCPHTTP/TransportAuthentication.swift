package import Auth
package import HTTPMessage
package import JSON
import MCPCore

/// Finds and checks the caller's token in the HTTP request: `Authorization: Bearer`, then
/// `X-Loonflow-Access-Token`, then the server's default token.
package struct TransportAuthentication: Sendable {
    package var validator: AccessTokenValidator
    /// `LOONFLOW_MCP_ACCESS_TOKEN`, checked for shape at start-up.
    package var defaultToken: String?
    /// Lets discovery and notifications through without a token.
    package var anonymousDiscovery: Bool

    package init(validator: AccessTokenValidator, defaultToken: String? = nil, anonymousDiscovery: Bool = false) {
        self.validator = validator
        self.defaultToken = defaultToken
        self.anonymousDiscovery = anonymousDiscovery
    }

    package enum Outcome: Sendable {
        case token(AccessToken, source: String)
        case none
        case invalid(AccessTokenError, source: String)
    }

    /// The token the headers (or the default) supply.
    package func headerToken(_ headers: HTTPHeaders) -> Outcome {
        if let authorization = headers["Authorization"], authorization.count > 7,
            authorization.prefix(7).lowercased() == "bearer ",
            let token = normalizedToken(String(authorization.dropFirst(7)))
        {
            return check(token, source: "the Authorization header")
        }
        if let custom = headers["X-Loonflow-Access-Token"], let token = normalizedToken(custom) {
            return check(token, source: "the X-Loonflow-Access-Token header")
        }
        if let defaultToken, let token = normalizedToken(defaultToken) {
            return check(token, source: "LOONFLOW_MCP_ACCESS_TOKEN")
        }
        return .none
    }

    private func check(_ token: String, source: String) -> Outcome {
        switch validator.validate(token) {
        case .success(let valid): .token(valid, source: source)
        case .failure(let error): .invalid(error, source: source)
        }
    }

    /// Whether this message may pass without any token.
    package func isAnonymousAllowed(method: String, isNotification: Bool) -> Bool {
        guard anonymousDiscovery else { return false }
        return isNotification || MCPMethod(rawValue: method)?.isDiscovery == true
    }

    /// True when a `tools/call` carries a non-blank `access_token` argument, which wins over
    /// the headers (they are then not examined).
    package static func argumentCarriesToken(method: String, params: JSONObject?) -> Bool {
        guard method == MCPMethod.toolsCall.rawValue, let value = params?["arguments"]?["access_token"] else { return false }
        guard case .string(let text) = value else { return true }  // a wrong type is reported by the tool
        return normalizedToken(text) != nil
    }

    static let realm = "Bearer realm=\"\(gatewayServerName)\""

    /// 401 for a request without any token.
    static func missingTokenResponse(id: JSONRPCID?) -> HTTPResponse {
        let message =
            "Authentication required: send your Loonflow access token (a personal access token lfpat.<uuid>.<secret> "
            + "or a JWT) as 'Authorization: Bearer <token>' or 'X-Loonflow-Access-Token: <token>'"
        var response = ResponseBuilder.error(id: id, .unauthorized(message), status: 401)
        response.headers.add("WWW-Authenticate", realm)
        return response
    }

    /// 401 for a malformed or expired token in a header; the token itself is never echoed.
    static func invalidTokenResponse(id: JSONRPCID?, error: AccessTokenError, source: String) -> HTTPResponse {
        let description = "\(source): \(error.description)"
        var response = ResponseBuilder.error(id: id, .unauthorized(description), status: 401)
        let quoted = description.replacingQuotes()
        response.headers.add("WWW-Authenticate", "\(realm), error=\"invalid_token\", error_description=\"\(quoted)\"")
        return response
    }
}

extension String {
    /// Header-safe: double quotes become single quotes, control characters are dropped.
    func replacingQuotes() -> String {
        String(String.UnicodeScalarView(unicodeScalars.compactMap { scalar in
            if scalar == "\"" { return "'" }
            if scalar.value < 0x20 || scalar.value > 0x7E { return nil }
            return scalar
        }))
    }
}
