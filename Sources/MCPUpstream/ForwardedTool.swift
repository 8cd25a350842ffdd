import Auth
package import JSON
package import Logging
import LoonflowClient
package import MCPCore
import PlainText
package import Tools

/// A tool whose work is done by the remote Loonflow MCP server. Everything the gateway adds
/// stays here: its own definition (for the five known tools), local argument and token
/// checks, the app-name allow-list, the once-only rule for writes and the audit line.
package struct ForwardedTool: Tool {
    package let name: String
    package let title: String
    package let description: String
    package let inputSchema: JSONValue
    package let outputSchema: JSONValue
    package let annotations: ToolAnnotations
    let setting: ForwardingSetting

    /// Shared by every forwarded tool.
    package struct ForwardingSetting: Sendable {
        package var upstream: MCPUpstreamClient
        package var tokens: TokenResolver
        package var allowedAppNames: Set<String>
        package var logger: Logger

        package init(upstream: MCPUpstreamClient, tokens: TokenResolver, allowedAppNames: Set<String>, logger: Logger) {
            self.upstream = upstream
            self.tokens = tokens
            self.allowedAppNames = allowedAppNames
            self.logger = logger
        }
    }

    /// One of the gateway's own tools, with its definition, forwarded.
    package init(mirroring local: any Tool, setting: ForwardingSetting) {
        name = local.name
        title = local.title
        description = local.description
        inputSchema = local.inputSchema
        outputSchema = local.outputSchema
        annotations = local.annotations
        self.setting = setting
    }

    /// A tool only the upstream has, with the definition from its `tools/list`; nil when the
    /// listing has no name.
    package init?(upstreamListing listing: JSONObject, setting: ForwardingSetting) {
        guard let name = listing["name"]?.stringValue, !name.isEmpty else { return nil }
        self.name = name
        title = listing["title"]?.stringValue ?? name
        description = listing["description"]?.stringValue ?? ""
        inputSchema = listing["inputSchema"] ?? ["type": "object"]
        outputSchema = listing["outputSchema"] ?? ["type": "object", "additionalProperties": true]
        let hints = listing["annotations"]
        // Unknown effects are assumed to be writes: never retried, never offered read-only.
        annotations = ToolAnnotations(
            readOnly: hints?["readOnlyHint"]?.boolValue ?? false, destructive: hints?["destructiveHint"]?.boolValue ?? true,
            idempotent: hints?["idempotentHint"]?.boolValue ?? false, openWorld: hints?["openWorldHint"]?.boolValue ?? true)
        self.setting = setting
    }

    /// Whether this call may change Loonflow: `ticket_handle` unless it is a dry run, and any
    /// tool not declared read-only.
    func isWrite(_ arguments: JSONObject) -> Bool {
        if name == "ticket_handle" { return arguments["dry_run"]?.boolValue != true }
        return !annotations.readOnly
    }

    package func call(arguments: JSONObject, context: ToolCallContext) async -> ToolResult {
        var audit = name == "ticket_handle" ? HandleAudit(arguments: arguments) : nil
        let result = await forward(arguments, context: context, audit: &audit)
        audit?.write(to: setting.logger, succeeded: !result.isError)
        return result
    }

    private func forward(_ arguments: JSONObject, context: ToolCallContext, audit: inout HandleAudit?) async -> ToolResult {
        let token: AccessToken
        do {
            try checkLocally(arguments, audit: &audit)
            audit?.stage = .token
            token = try setting.tokens.resolve(ToolArguments(arguments), context: context)
        } catch {
            return .failure(error.message)
        }
        audit?.record(token)
        audit?.stage = .sent
        var forwarded = arguments
        // The token travels in the Authorization header only, once checked here.
        forwarded = JSONObject(forwarded.filter { $0.key != "access_token" }.map { ($0.key, $0.value) })
        switch await setting.upstream.callTool(name: name, arguments: forwarded, token: token, isWrite: isWrite(arguments)) {
        case .failure(let failure):
            return .failure(failure.message)
        case .success(let result):
            return Self.toolResult(result, tool: name, token: token)
        }
    }

    private func checkLocally(_ arguments: JSONObject, audit: inout HandleAudit?) throws(ToolFailure) {
        try ArgumentSchemaCheck.check(arguments, against: inputSchema)
        audit?.stage = .ticketID
        if inputSchema["properties"]?["ticket_id"] != nil, let ticket = arguments["ticket_id"]?.stringValue,
            !isCanonicalUUID(ticket.lowercased())
        {
            throw ToolFailure("argument \"ticket_id\" must be a ticket UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
        }
        if let refusal = LoonflowClient.appNameRefusal(arguments["app_name"]?.stringValue ?? "", allowed: setting.allowedAppNames) {
            throw ToolFailure(refusal)
        }
    }

    /// The upstream's `CallToolResult` as the gateway words results: structured content with
    /// the gateway's text, or the error text without the upstream's "Error executing tool" prefix.
    static func toolResult(_ result: JSONObject, tool: String, token: AccessToken) -> ToolResult {
        let texts = result["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
        var text = SecretRedactor(tokens: [token]).redact(texts.joined(separator: "\n"))
        if result["isError"]?.boolValue == true {
            let prefix = "Error executing tool \(tool): "
            if text.hasPrefix(prefix) { text = String(text.dropFirst(prefix.count)) }
            return .failure(text.isEmpty ? "the Loonflow MCP server reported an error without a message" : text)
        }
        if let structured = result["structuredContent"]?.objectValue { return .success(structured) }
        return ToolResult(isError: false, text: text, structuredContent: nil)
    }
}
