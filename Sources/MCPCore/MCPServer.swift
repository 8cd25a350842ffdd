package import JSON

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
    /// Named groups of tools a client may ask for in its scope.
    package let toolsets: [String: [String]]
    /// Resources, when the server offers them.
    package let resources: (any ResourceProvider)?
    /// Where a tool call runs: the transport's executor (libcurl's thread), so the call and
    /// its upstream transfers share a thread; nil runs it on the global executor.
    package let callExecutor: (any TaskExecutor)?

    package init(
        identity: ServerIdentity, tools: [any Tool], laterTools: (@Sendable () -> [any Tool])? = nil,
        toolsListTTLMs: Int = 300_000, callTimeout: Duration? = nil, toolsets: [String: [String]] = [:],
        resources: (any ResourceProvider)? = nil, callExecutor: (any TaskExecutor)? = nil
    ) {
        self.identity = identity
        self.tools = tools
        self.laterTools = laterTools
        self.toolsListTTLMs = toolsListTTLMs
        self.callTimeout = callTimeout
        self.toolsets = toolsets
        self.resources = resources
        self.callExecutor = callExecutor
    }

    /// Every tool offered now.
    package var offeredTools: [any Tool] { tools + (laterTools?() ?? []) }

    package func tool(named name: String) -> (any Tool)? {
        tools.first { $0.name == name } ?? laterTools?().first { $0.name == name }
    }

    package var capabilities: JSONValue {
        var capabilities: JSONObject = ["tools": ["listChanged": false]]
        if resources != nil { capabilities["resources"] = ["listChanged": false, "subscribe": false] }
        return .object(capabilities)
    }

    /// Answers one request. `context` carries the caller's token and progress sink.
    package func handle(
        method: String, params: JSONObject?, era: ProtocolEra, context: ToolCallContext
    ) async -> Result<JSONValue, JSONRPCError> {
        await dispatch(method: method, params: params, era: era, context: context)
    }

    private func dispatch(
        method: String, params: JSONObject?, era: ProtocolEra, context: ToolCallContext
    ) async -> Result<JSONValue, JSONRPCError> {
        let known = MCPMethod(rawValue: method)
        switch (era, known) {
        case (.legacy, .initialize): return initialize(params: params)
        case (.legacy, .ping): return .success(.object([:]))
        case (.modern, .serverDiscover): return .success(finish(discover(), era: era))
        case (_, .toolsList):
            return listTools(params: params, scope: context.scope).map { finish($0, era: era, cacheable: true) }
        case (_, .toolsCall): return await callTool(params: params, context: context).map { finish($0, era: era) }
        default:
            if let resources, let known, let answer = await resourceMethod(known, params: params, context: context, resources) {
                // Lists carry cache hints in the modern era, as tools/list does.
                return answer.map { finish(.object($0), era: era, cacheable: known != .resourcesRead) }
            }
            return .failure(.methodNotFound(method))
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
            return .failure(.invalidParams("modern requests must carry params._meta"))
        }
        guard let version = meta[ProtocolVersion.metaVersionKey]?.stringValue else {
            return .failure(
                .invalidParams("params._meta[\"\(ProtocolVersion.metaVersionKey)\"] must be a string"))
        }
        guard meta[ProtocolVersion.metaCapabilitiesKey]?.objectValue != nil else {
            return .failure(
                .invalidParams(
                    "params._meta[\"\(ProtocolVersion.metaCapabilitiesKey)\"] must be an object"))
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

    private func listTools(params: JSONObject?, scope: ToolScope) -> Result<JSONValue, JSONRPCError> {
        if let cursor = params?["cursor"], !cursor.isNull {
            return .failure(.invalidParams("unknown cursor: tools/list has a single page"))
        }
        let (visible, unknown) = scope.apply(to: offeredTools, toolsets: toolsets)
        var result: JSONObject = ["tools": .array(visible.map(\.listing))]
        if !unknown.isEmpty {
            result["_meta"] = .object(JSONObject([(ToolScope.unknownNamesMetaKey, .array(unknown.map { .string($0) }))]))
        }
        return .success(.object(result))
    }

    private func callTool(params: JSONObject?, context: ToolCallContext) async -> Result<JSONValue, JSONRPCError> {
        guard let name = params?["name"]?.stringValue else {
            return .failure(.invalidParams("tools/call needs params.name, the tool's name as a string"))
        }
        let (visible, unknown) = context.scope.apply(to: offeredTools, toolsets: toolsets)
        guard let tool = visible.first(where: { $0.name == name }) else {
            let known = visible.map(\.name).joined(separator: ", ")
            var message = "unknown tool \"\(name.prefix(100))\"; this server has: \(known)"
            if self.tool(named: name) != nil {
                message = "tool \"\(name)\" is not available on this request: the client narrowed the tools "
                    + "(X-MCP-Readonly, X-MCP-Tools or the read-only path); available: \(known)"
            }
            if !unknown.isEmpty { message += ". X-MCP-Tools names no tool or toolset: \(unknown.joined(separator: ", "))" }
            return .failure(.invalidParams(message))
        }
        var arguments = JSONObject()
        switch params?["arguments"] {
        case nil, .null?: break
        case .object(let object)?: arguments = object
        case let other?: return .failure(.invalidParams("params.arguments must be an object, got \(other.typeName)"))
        }
        let result = await Deadline.run(
            tool: tool, arguments: arguments, context: context, limit: callTimeout, executor: callExecutor)
        return .success(result.json)
    }

    /// The `resources/...` methods; nil for any other method.
    private func resourceMethod(
        _ method: MCPMethod, params: JSONObject?, context: ToolCallContext, _ resources: any ResourceProvider
    ) async -> Result<JSONObject, JSONRPCError>? {
        switch method {
        case .resourcesTemplatesList:
            return .success(["resourceTemplates": .array(resources.templates)])
        case .resourcesList:
            switch params?["cursor"] {
            case nil, .null?: return await resources.list(cursor: nil, context: context)
            case .string(let cursor)?: return await resources.list(cursor: cursor, context: context)
            case let other?: return .failure(.invalidParams("params.cursor must be a string, got \(other.typeName)"))
            }
        case .resourcesRead:
            guard let uri = params?["uri"]?.stringValue else {
                return .failure(.invalidParams("resources/read needs params.uri, the resource's URI as a string"))
            }
            return await resources.read(uri: uri, context: context)
        default:
            return nil
        }
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
