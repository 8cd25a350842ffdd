package import Auth
package import JSON

/// Hints about a tool's effects, as the protocol defines them (untrusted by clients).
package struct ToolAnnotations: Sendable {
    package var readOnly: Bool
    package var destructive: Bool
    package var idempotent: Bool
    package var openWorld: Bool

    package init(readOnly: Bool, destructive: Bool, idempotent: Bool, openWorld: Bool) {
        self.readOnly = readOnly
        self.destructive = destructive
        self.idempotent = idempotent
        self.openWorld = openWorld
    }

    package var json: JSONValue {
        [
            "readOnlyHint": .bool(readOnly), "destructiveHint": .bool(destructive),
            "idempotentHint": .bool(idempotent), "openWorldHint": .bool(openWorld),
        ]
    }
}

/// The outcome of one tool call: success with structured content, or a tool error whose
/// text tells the model how to recover.
package struct ToolResult: Sendable, Equatable {
    package var isError: Bool
    package var text: String
    package var structuredContent: JSONObject?
    /// Result-level `_meta` (omitted when empty).
    package var meta: JSONObject = [:]
    /// Extra text blocks after the main one, for what the model should know about the answer.
    package var notes: [String] = []
    /// `resource_link` blocks after the text, one per resource the result names.
    package var links: [JSONValue] = []

    package init(isError: Bool, text: String, structuredContent: JSONObject?) {
        self.isError = isError
        self.text = text
        self.structuredContent = structuredContent
    }

    /// The text block is the structured content as compact JSON: the same information, fewer
    /// tokens of the model's context than indented JSON.
    package static func success(_ structured: JSONObject) -> ToolResult {
        ToolResult(isError: false, text: JSONSerializer().string(.object(structured)), structuredContent: structured)
    }

    package static func failure(_ message: String) -> ToolResult {
        ToolResult(isError: true, text: message, structuredContent: nil)
    }

    package var json: JSONValue {
        let blocks = ([text] + notes).map { JSONValue.object(["type": "text", "text": .string($0)]) } + links
        var object: JSONObject = ["content": .array(blocks)]
        if let structuredContent { object["structuredContent"] = .object(structuredContent) }
        object["isError"] = .bool(isError)
        if !meta.isEmpty { object["_meta"] = .object(meta) }
        return .object(object)
    }
}

/// Reports progress of a long call to the client (`notifications/progress`).
package typealias ProgressReporter = @Sendable (_ progress: Double, _ total: Double?, _ message: String?) async -> Void

/// What a tool knows about the call beyond its arguments.
package struct ToolCallContext: Sendable {
    /// The caller the transport identified (an HTTP header, or the server default), already
    /// validated: its kind, fingerprint and JWT claims travel with it, so nothing checks or
    /// hashes it again. The tool argument `access_token`, when given, takes precedence.
    package var transportToken: AccessToken?
    /// Where the transport token came from, for messages (`Authorization header`).
    package var transportTokenSource: String?
    package var requestID: JSONRPCID?
    package var progress: ProgressReporter?
    /// Where the transport cancels this call (`notifications/cancelled`).
    package var cancellation: CallCancellation?
    /// How the client narrowed the tools for this request.
    package var scope: ToolScope = .unrestricted

    package init(
        transportToken: AccessToken? = nil, transportTokenSource: String? = nil, requestID: JSONRPCID? = nil,
        progress: ProgressReporter? = nil, cancellation: CallCancellation? = nil
    ) {
        self.transportToken = transportToken
        self.transportTokenSource = transportTokenSource
        self.requestID = requestID
        self.progress = progress
        self.cancellation = cancellation
    }
}

/// One MCP tool.
package protocol Tool: Sendable {
    var name: String { get }
    var title: String { get }
    var description: String { get }
    var inputSchema: JSONValue { get }
    var outputSchema: JSONValue { get }
    var annotations: ToolAnnotations { get }
    func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult
}

extension Tool {
    /// The entry `tools/list` shows for this tool.
    package var listing: JSONValue {
        [
            "name": .string(name), "title": .string(title), "description": .string(description),
            "inputSchema": inputSchema, "outputSchema": outputSchema, "annotations": annotations.json,
        ]
    }
}
