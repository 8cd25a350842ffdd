package import MCPCore

/// The HTTP status a JSON-RPC error travels with over Streamable HTTP.
package enum ErrorStatus {
    /// A message the server could not take as a request of its era (not JSON, not JSON-RPC,
    /// `params` not an object, headers that disagree with the body, a version not served).
    package static let envelope = 400

    /// For an error the protocol core answered a request with: the legacy era puts JSON-RPC
    /// errors inside HTTP 200; the modern era reports a refused request in the status too, as
    /// the official SDK's server does (404 for a method the era lacks).
    package static func of(_ error: JSONRPCError, era: ProtocolEra) -> Int {
        switch error.code {
        case JSONRPCError.internalErrorCode: 500
        case JSONRPCError.parseErrorCode, JSONRPCError.invalidRequestCode: envelope
        case JSONRPCError.methodNotFoundCode where era == .modern: 404
        default: era == .modern ? 400 : 200
        }
    }
}
