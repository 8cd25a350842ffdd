package import JSON

/// Serves MCP resources: templates, a paged listing and reads, each for the caller in
/// `context` (its token decides what it may see).
package protocol ResourceProvider: Sendable {
    /// The `resourceTemplates` entries.
    var templates: [JSONValue] { get }
    /// One page of `resources/list`: `{resources, nextCursor?}`.
    func list(cursor: String?, context: ToolCallContext) async -> Result<JSONObject, JSONRPCError>
    /// `resources/read`: `{contents}`.
    func read(uri: String, context: ToolCallContext) async -> Result<JSONObject, JSONRPCError>
}

extension JSONRPCError {
    /// The protocol's "resource not found", with the reason.
    package static func resourceNotFound(_ uri: String, _ reason: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCError.resourceNotFoundCode, message: "Resource not found: \(uri.prefix(200)): \(reason)")
    }
}
