import JSON

/// Who this server says it is.
package struct ServerIdentity: Sendable {
    package var name: String
    package var version: String
    package var instructions: String?

    package init(name: String, version: String, instructions: String? = nil) {
        self.name = name
        self.version = version
        self.instructions = instructions
    }

    package var json: JSONValue { ["name": .string(name), "version": .string(version)] }
}

/// The transport-free protocol core: a request value in, a result or error value out.
/// Transports (HTTP, stdio) do framing, headers and authentication around it.
package final class MCPServer: Sendable {
    package let identity: ServerIdentity
    package let tools: [any Tool]
    /// Tools learnt after start-up (an MCP upstream's own tools), listed after `tools`.
    package let laterTools: (@Sendable () -> [any Tool])?
    /// How long a client may cache `tools/list` (modern era).
    package let toolsListTTLMs: Int
    /// The longest a tool call may run before the caller gets a tool error naming the limit.
    package let callTimeout: Duration?

    package init(
        identity: ServerIdentity, tools: [any Tool], laterTools: (@Sendable () -> [any Tool])? = nil,
        toolsListTTLMs: Int = 300_000, callTimeout: Duration? = nil
    ) {
        self.identity = identity
        self.tools = tools
        self.laterTools = laterTools
        self.toolsListTTLMs = toolsListTTLMs
        self.callTimeout = callTimeout
    }

    /// Every tool offered now.
    package var offeredTools: [any Tool] { tools + (laterTools?() ?? []) }

    package func tool(named name: String) -> (any Tool)? {
        tools.first { $0.name == name } ?? laterTools?().first { $0.name == name }
    }

    package var capabilities: JSONValue { ["tools": ["listChanged": false]] }

    /// Answers one request. `context` carries the caller's token and progress sink.
    package func handle(
        method: String, params: JSONObject?, era: ProtocolEra, context: ToolCallContext
    ) async -> Result<JSONValue, JSONRPCError> {
        let outcome = await dispatch(method: method, params: params, era: era, context: context)
        // The modern era reports a refused request in the HTTP status too, as the official
        // SDK's server does; the legacy era answers JSON-RPC errors with 200.
        guard era == .modern else { return outcome }
        return outcome.mapError { error in
            var error = error
            if error.httpStatus == 200 { error.httpStatus = 400 }
            return error
        }
    }

    private func dispatch(
        method: String, params: JSONObject?, era: ProtocolEra, context: ToolCallContext
    ) async -> Result<JSONValue, JSONRPCError> {
        switch (era, method) {
        case (.legacy, "initialize"): return initialize(params: params)
        case (.legacy, "ping"): return .success(.object([:]))
        case (.modern, "server/discover"): return .success(finish(discover(), era: era))
        case (_, "tools/list"): return listTools(params: params).map { finish($0, era: era, cacheable: true) }
        case (_, "tools/call"): return await callTool(params: params, context: context).map { finish($0, era: era) }
        default: return .failure(.methodNotFound(method, era: era))
        }
    }

    /// Checks the `_meta` a modern request must carry and returns its protocol version, which
    /// must be one this server serves.
    package static func modernVersion(of params: JSONObject?) -> Result<String, JSONRPCError> {
        modernEnvelopeVersion(of: params).flatMap { version in
            ProtocolVersion.modern.contains(version) ? .success(version) : .failure(.unsupportedVersion(version))
        }
    }

    /// Checks the shape of the `_meta` a modern request must carry and returns the protocol
    /// version it names, served or not.
    package static func modernEnvelopeVersion(of params: JSONObject?) -> Result<String, JSONRPCError> {
        guard let meta = params?["_meta"]?.objectValue else {
            return .failure(.invalidParams("modern requests must carry params._meta", httpStatus: 400))
        }
        guard let version = meta[ProtocolVersion.metaVersionKey]?.stringValue else {
            return .failure(
                .invalidParams("params._meta[\"\(ProtocolVersion.metaVersionKey)\"] must be a string", httpStatus: 400))
        }
        guard meta[ProtocolVersion.metaCapabilitiesKey]?.objectValue != nil else {
            return .failure(
                .invalidParams(
                    "params._meta[\"\(ProtocolVersion.metaCapabilitiesKey)\"] must be an object", httpStatus: 400))
        }
        return .success(version)
    }

    private func initialize(params: JSONObject?) -> Result<JSONValue, JSONRPCError> {
        let requested = params?["protocolVersion"]?.stringValue
        if let raw = params?["protocolVersion"], requested == nil {
            return .failure(.invalidParams("\"protocolVersion\" must be a string, got \(raw.typeName)"))
        }
        var result: JSONObject = [
            "protocolVersion": .string(ProtocolVersion.negotiateLegacy(requested: requested)),
            "capabilities": capabilities,
            "serverInfo": identity.json,
        ]
        if let instructions = identity.instructions { result["instructions"] = .string(instructions) }
        return .success(.object(result))
    }

    private func discover() -> JSONValue {
        var result: JSONObject = [
            "supportedVersions": .array(ProtocolVersion.all.map { .string($0) }),
            "capabilities": capabilities,
        ]
        if let instructions = identity.instructions { result["instructions"] = .string(instructions) }
        result["ttlMs"] = .number(toolsListTTLMs)
        result["cacheScope"] = "private"
        return .object(result)
    }

    private func listTools(params: JSONObject?) -> Result<JSONValue, JSONRPCError> {
        if let cursor = params?["cursor"], !cursor.isNull {
            return .failure(.invalidParams("unknown cursor: tools/list has a single page"))
        }
        return .success(["tools": .array(offeredTools.map(\.listing))])
    }

    private func callTool(params: JSONObject?, context: ToolCallContext) async -> Result<JSONValue, JSONRPCError> {
        guard let name = params?["name"]?.stringValue else {
            return .failure(.invalidParams("tools/call needs params.name, the tool's name as a string"))
        }
        guard let tool = tool(named: name) else {
            let known = offeredTools.map(\.name).joined(separator: ", ")
            return .failure(.invalidParams("unknown tool \"\(name.prefix(100))\"; this server has: \(known)"))
        }
        var arguments = JSONObject()
        switch params?["arguments"] {
        case nil, .null?: break
        case .object(let object)?: arguments = object
        case let other?: return .failure(.invalidParams("params.arguments must be an object, got \(other.typeName)"))
        }
        let result = await Deadline.run(tool: tool, arguments: arguments, context: context, limit: callTimeout)
        return .success(result.json)
    }

    /// Adds what every modern result carries: `resultType`, the server's identity in `_meta`,
    /// and cache hints on cacheable results.
    private func finish(_ result: JSONValue, era: ProtocolEra, cacheable: Bool = false) -> JSONValue {
        guard era == .modern, case .object(var object) = result else { return result }
        object["resultType"] = "complete"
        if cacheable {
            object["ttlMs"] = .number(toolsListTTLMs)
            object["cacheScope"] = "private"
        }
        var meta = object["_meta"]?.objectValue ?? JSONObject()
        meta[ProtocolVersion.metaServerInfoKey] = identity.json
        object["_meta"] = .object(meta)
        return .object(object)
    }
}
