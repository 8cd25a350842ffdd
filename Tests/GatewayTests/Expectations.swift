import JSON
import Testing
import TestSupport

/// Checks a JSON-RPC error answer: HTTP status, error code, echoed id, JSON content type.
func expectRPCError(
    _ response: MCPTestResponse, status: Int, code: Int, id: JSONValue? = 1,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, "HTTP status; body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.errorCode == code, "JSON-RPC code; body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.json?["jsonrpc"] == "2.0", sourceLocation: sourceLocation)
    if let id { #expect(response.json?["id"] == id, "echoed id", sourceLocation: sourceLocation) }
    #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
}

/// Checks a successful JSON-RPC answer and returns its result.
@discardableResult
func expectResult(
    _ response: MCPTestResponse, id: JSONValue = 1, sourceLocation: SourceLocation = #_sourceLocation
) -> JSONValue? {
    #expect(response.status == 200, "HTTP status; body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.json?["id"] == id, sourceLocation: sourceLocation)
    #expect(response.error == nil, "unexpected error: \(response.text)", sourceLocation: sourceLocation)
    return response.result
}

/// Checks a tool result: success with structured content, or a tool error whose text contains
/// every fragment given.
@discardableResult
func expectToolSuccess(_ response: MCPTestResponse, sourceLocation: SourceLocation = #_sourceLocation) -> JSONValue? {
    expectResult(response, sourceLocation: sourceLocation)
    #expect(response.isToolError == false, "tool failed: \(response.toolText ?? response.text)", sourceLocation: sourceLocation)
    return response.structured
}

func expectToolError(
    _ response: MCPTestResponse, containing fragments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) {
    expectResult(response, sourceLocation: sourceLocation)
    #expect(response.isToolError == true, "expected a tool error: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.structured == nil, sourceLocation: sourceLocation)
    let text = response.toolText ?? ""
    for fragment in fragments {
        #expect(text.contains(fragment), "tool error text lacks \"\(fragment)\": \(text)", sourceLocation: sourceLocation)
    }
}

/// 202 with an empty body: the answer to notifications.
func expectAccepted(_ response: MCPTestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == 202, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.body.isEmpty, sourceLocation: sourceLocation)
}

/// The names in a `tools/list` result, in order.
func toolNames(_ result: JSONValue?) -> [String] {
    result?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
}

let allToolNames = [
    "ticket_list", "user_list", "ticket_detail", "ticket_prepare_handle", "ticket_handle", "workflow_list",
    "ticket_prepare_create", "ticket_create", "ticket_history",
]
