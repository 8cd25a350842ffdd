package import JSON

/// The protocol headers a transport carries beside a message's body: Streamable HTTP's
/// `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`. Stdio carries none, and then the
/// body alone selects the era.
package struct TransportHeaders: Sendable {
    package var protocolVersion: String?
    package var method: String?
    /// `Mcp-Name`, decoded; `.some(nil)` when it was sent but could not be decoded.
    package var name: String??
    /// Whether the transport has such headers at all. Where it does, a modern request must
    /// repeat its version, method and tool name in them.
    package var present: Bool

    package init(protocolVersion: String? = nil, method: String? = nil, name: String?? = nil, present: Bool = true) {
        self.protocolVersion = protocolVersion
        self.method = method
        self.name = name
        self.present = present
    }

    /// A transport without protocol headers (stdio).
    package static let none = TransportHeaders(present: false)
}

/// A message the dispatcher could not take as a request: the error, and the id worth echoing.
package struct Rejection: Error, Sendable {
    package var id: JSONRPCID?
    package var error: JSONRPCError

    package var message: JSONValue { JSONRPCResponse.error(id: id, error) }
}

/// The answer to one request.
package struct Answer: Sendable {
    package var id: JSONRPCID
    package var era: ProtocolEra
    package var method: String
    /// The tool a `tools/call` named.
    package var tool: String?
    package var outcome: Result<JSONValue, JSONRPCError>
    /// The call was cancelled (`notifications/cancelled`, or the caller went away) while it ran.
    package var cancelled: Bool

    /// The JSON-RPC response message.
    package var message: JSONValue {
        switch outcome {
        case .success(let result): JSONRPCResponse.result(id: id, result)
        case .failure(let error): JSONRPCResponse.error(id: id, error)
        }
    }

    /// The request ran a tool that reported an error (`isError`).
    package var isToolError: Bool {
        if case .success(let result) = outcome { return result["isError"] == .bool(true) }
        return false
    }
}

/// How one message ended, for every transport alike.
package enum DispatchOutcome: Sendable {
    /// A request, answered.
    case answered(Answer)
    /// Not a request this server can take; answered with the error.
    case rejected(Rejection)
    /// A notification or a client's response: nothing to answer. `detail` says what it did.
    case noAnswer(detail: String?)

    /// What the transport writes back, if anything.
    package var message: JSONValue? {
        switch self {
        case .answered(let answer): answer.message
        case .rejected(let rejection): rejection.message
        case .noAnswer: nil
        }
    }
}

/// The transport-neutral half of serving MCP: bytes to a classified message, the era it
/// belongs to, the call run with its cancellation registered, notifications applied. The
/// HTTP and stdio transports frame bytes and map these outcomes to their medium; they share
/// these rules, so one message gets the same JSON-RPC answer over each of them.
package final class MCPDispatcher: Sendable {
    package let server: MCPServer
    package let maxJSONDepth: Int
    /// Calls in progress, keyed by caller and request id, for `notifications/cancelled`.
    package let inFlight = InFlightCalls()

    package init(server: MCPServer, maxJSONDepth: Int = 64) {
        self.server = server
        self.maxJSONDepth = maxJSONDepth
    }

    /// Everything for a transport with no steps of its own between the message and the call
    /// (stdio): `caller` keys cancellations, `context` carries the caller's token.
    package func dispatch(_ body: [UInt8], headers: TransportHeaders, caller: String, context: ToolCallContext) async
        -> DispatchOutcome
    {
        switch decode(body) {
        case .failure(let rejection):
            return .rejected(rejection)
        case .success(.response):
            return .noAnswer(detail: nil)
        case .success(.notification(let method, let params)):
            return .noAnswer(detail: receive(notification: method, params: params, caller: caller))
        case .success(.request(let id, let method, let params)):
            switch era(method: method, params: params, headers: headers) {
            case .failure(let error): return .rejected(Rejection(id: id, error: error))
            case .success(let era):
                return .answered(await run(id: id, method: method, params: params, era: era, caller: caller, context: context))
            }
        }
    }

    /// Parses and classifies one message.
    package func decode(_ body: [UInt8]) -> Result<IncomingMessage, Rejection> {
        let value: JSONValue
        do {
            value = try JSONParser(maxDepth: maxJSONDepth).parse(body)
        } catch {
            return .failure(Rejection(id: nil, error: .parseError(error.description)))
        }
        return IncomingMessage.classify(value).mapError { error in
            Rejection(id: value["id"].flatMap(JSONRPCID.init), error: error)
        }
    }

    /// The era a request belongs to: modern when the headers name a modern version or the
    /// body's `_meta` names any version, legacy otherwise. A modern request's envelope is
    /// checked first, then (where the transport has headers) that the headers repeat it,
    /// then that its version is served, so a client whose headers disagree with its body is
    /// told so before anything else. `server/discover` without `_meta` is thus a legacy
    /// request for an unknown method on every transport.
    package func era(method: String, params: JSONObject?, headers: TransportHeaders) -> Result<ProtocolEra, JSONRPCError> {
        let header = headers.protocolVersion
        let headerIsModern = header.map { ProtocolVersion.modern.contains($0) } ?? false
        guard headerIsModern || params?["_meta"]?[ProtocolVersion.metaVersionKey] != nil else {
            // `initialize` negotiates the version in its body, whatever the header says.
            if method != MCPMethod.initialize.rawValue, let header, !ProtocolVersion.legacy.contains(header) {
                return .failure(.unsupportedVersion(header))
            }
            return .success(.legacy)
        }
        let version: String
        switch MCPServer.modernEnvelopeVersion(of: params) {
        case .failure(let error): return .failure(error)
        case .success(let named): version = named
        }
        if headers.present, let mismatch = Self.headerMismatch(method: method, params: params, version: version, headers) {
            return .failure(mismatch)
        }
        guard ProtocolVersion.modern.contains(version) else { return .failure(.unsupportedVersion(version)) }
        return .success(.modern)
    }

    /// Where a modern request's headers fail to repeat its body, the error saying so.
    private static func headerMismatch(
        method: String, params: JSONObject?, version: String, _ headers: TransportHeaders
    ) -> JSONRPCError? {
        guard let header = headers.protocolVersion else {
            return .headerMismatch(
                "Header mismatch: MCP-Protocol-Version header is required and must equal params._meta's protocol version")
        }
        guard header == version else {
            return .headerMismatch(
                "Header mismatch: MCP-Protocol-Version \"\(header.prefix(32))\" differs from params._meta's \"\(version)\"")
        }
        guard headers.method == method else {
            return .headerMismatch("Header mismatch: Mcp-Method header must equal the body's method \"\(method.prefix(64))\"")
        }
        if method == MCPMethod.toolsCall.rawValue {
            guard case .some(let name?) = headers.name, name == params?["name"]?.stringValue else {
                return .headerMismatch("Header mismatch: Mcp-Name header must equal params.name")
            }
        }
        return nil
    }

    /// Runs one request so that `notifications/cancelled` from the same caller (through the
    /// context's cancellation) or the caller going away (through task cancellation) can
    /// cancel it.
    package func run(
        id: JSONRPCID, method: String, params: JSONObject?, era: ProtocolEra, caller: String, context: ToolCallContext
    ) async -> Answer {
        let key = InFlightCalls.Key(caller: caller, requestID: id)
        let cancellation = CallCancellation()
        var context = context
        context.cancellation = cancellation
        let registered = inFlight.register(key) { cancellation.cancel() }
        defer { if registered { inFlight.finish(key) } }
        let outcome = await server.handle(method: method, params: params, era: era, context: context)
        return Answer(
            id: id, era: era, method: method,
            tool: method == MCPMethod.toolsCall.rawValue ? params?["name"]?.stringValue : nil,
            outcome: outcome, cancelled: cancellation.isCancelled || Task.isCancelled)
    }

    /// Starts `body` in a task of its own where tool calls run (the server's call executor),
    /// for answers that travel apart from their request (an SSE stream). The task retains the
    /// executor, as a task's preference does not.
    @discardableResult
    package func startTask(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let executor = server.callExecutor
        return Task(executorPreference: executor) {
            _ = executor
            await body()
        }
    }

    /// Applies a notification; returns what it did, for the log.
    @discardableResult
    package func receive(notification method: String, params: JSONObject?, caller: String) -> String? {
        guard method == MCPMethod.cancelled.rawValue, let raw = params?["requestId"], let requestID = JSONRPCID(raw) else {
            return nil
        }
        let found = inFlight.cancel(InFlightCalls.Key(caller: caller, requestID: requestID))
        return found ? "cancelled \(requestID)" : "no such call \(requestID)"
    }
}
