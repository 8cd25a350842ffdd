import Auth
import Crypto
import HTTPMessage
import JSON
import MCPCore

extension StreamableHTTPHandler {
    /// Who is calling, as far as the transport can tell.
    struct Caller {
        var token: AccessToken?
        var tokenSource: String?
        /// Key for matching cancellations: the session id, or a hash of the token.
        var key: String
    }

    func call(id: JSONRPCID, method: String, params: JSONObject?, request: HTTPRequest, record: inout RequestRecord) async
        -> HTTPResponse
    {
        let era: ProtocolEra
        switch selectEra(method: method, params: params, headers: request.headers) {
        case .failure(let error):
            record.outcome = "rpc_error"
            record.rpcCode = error.code
            return ResponseBuilder.error(id: id, error, status: ErrorStatus.envelope)
        case .success(let selected): era = selected
        }
        record.era = era
        var sessionID: String?
        if era == .legacy, let sessions {
            switch sessions.check(method: method, headers: request.headers) {
            case .failure(let refusal):
                record.outcome = "http_error"
                record.detail = "session"
                return refusal.response(id: id)
            case .success(let id): sessionID = id
            }
        }
        let caller: Caller
        switch authenticate(method: method, params: params, isNotification: false, headers: request.headers) {
        case .failure(let refusal):
            record.outcome = "http_error"
            record.detail = "authentication"
            return refusal.response(id: id)
        case .success(let found): caller = found
        }
        let key = InFlightCalls.Key(caller: sessionID ?? caller.key, requestID: id)
        let wantsStream =
            method == "tools/call" && params?["_meta"]?["progressToken"] != nil
            && HTTPPolicy.acceptable(request.headers["Accept"]).eventStream
        let scope = policy.toolScope(request)
        if wantsStream {
            record.outcome = "stream"
            return streamedCall(id: id, method: method, params: params, era: era, caller: caller, key: key, scope: scope)
        }
        var context = ToolCallContext(transportToken: caller.token, transportTokenSource: caller.tokenSource, requestID: id)
        context.scope = scope
        let (outcome, cancelled) = await runRegistered(key: key, context: context) { context in
            await self.server.handle(method: method, params: params, era: era, context: context)
        }
        var response = respond(id: id, outcome: outcome, era: era, record: &record)
        if cancelled, case .success = outcome { record.outcome = "cancelled" }
        if method == "initialize", let sessions, case .success(let result) = outcome {
            let version = result["protocolVersion"]?.stringValue ?? ProtocolVersion.newestLegacy
            response.headers.add("Mcp-Session-Id", sessions.issue(version: version))
        }
        return response
    }

    private func respond(
        id: JSONRPCID, outcome: Result<JSONValue, JSONRPCError>, era: ProtocolEra, record: inout RequestRecord
    ) -> HTTPResponse {
        switch outcome {
        case .success(let result):
            if result["isError"] == .bool(true) { record.outcome = "tool_error" }
            return ResponseBuilder.json(JSONRPCResponse.result(id: id, result))
        case .failure(let error):
            record.outcome = "rpc_error"
            record.rpcCode = error.code
            return ResponseBuilder.error(id: id, error, status: ErrorStatus.of(error, era: era))
        }
    }

    /// Runs `body` so that `notifications/cancelled` (through the context's cancellation) or
    /// the client going away (through task cancellation) can cancel it; also says whether it
    /// was cancelled, for the request's outcome. The tool itself runs in a task of its own
    /// (see `MCPServer`), so no second task is needed here.
    private func runRegistered(
        key: InFlightCalls.Key, context: ToolCallContext,
        _ body: @Sendable (ToolCallContext) async -> Result<JSONValue, JSONRPCError>
    ) async -> (Result<JSONValue, JSONRPCError>, cancelled: Bool) {
        let cancellation = CallCancellation()
        var context = context
        context.cancellation = cancellation
        let registered = inFlight.register(key) { cancellation.cancel() }
        defer { if registered { inFlight.finish(key) } }
        let outcome = await body(context)
        return (outcome, cancellation.isCancelled || Task.isCancelled)
    }

    /// Answers over SSE: progress notifications while the tool works, then the result.
    private func streamedCall(
        id: JSONRPCID, method: String, params: JSONObject?, era: ProtocolEra, caller: Caller, key: InFlightCalls.Key,
        scope: ToolScope
    ) -> HTTPResponse {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        let progressToken = params?["_meta"]?["progressToken"] ?? .null
        let progress: ProgressReporter = { done, total, message in
            var notification: JSONObject = ["progressToken": progressToken, "progress": .number(JSONNumber(done))]
            if let total { notification["total"] = .number(JSONNumber(total)) }
            if let message { notification["message"] = .string(message) }
            continuation.yield(ResponseBuilder.sseEvent(["jsonrpc": "2.0", "method": "notifications/progress", "params": .object(notification)]))
        }
        var context = ToolCallContext(transportToken: caller.token, transportTokenSource: caller.tokenSource, requestID: id, progress: progress)
        context.scope = scope
        let server = self.server
        let task = Task {
            let (outcome, _) = await self.runRegistered(key: key, context: context) { context in
                await server.handle(method: method, params: params, era: era, context: context)
            }
            let message: JSONValue = switch outcome {
            case .success(let result): JSONRPCResponse.result(id: id, result)
            case .failure(let error): JSONRPCResponse.error(id: id, error)
            }
            continuation.yield(ResponseBuilder.sseEvent(message))
            continuation.finish()
        }
        continuation.onTermination = { reason in
            if case .cancelled = reason { task.cancel() }
        }
        return HTTPResponse(
            status: 200,
            headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"],
            stream: stream)
    }

    func notification(method: String, params: JSONObject?, request: HTTPRequest, record: inout RequestRecord) async -> HTTPResponse {
        if let header = request.headers["MCP-Protocol-Version"], ProtocolVersion.era(of: header) == nil {
            record.outcome = "rpc_error"
            record.rpcCode = -32022
            return ResponseBuilder.error(id: nil, .unsupportedVersion(header), status: ErrorStatus.envelope)
        }
        let sessionID = sessions.flatMap { try? $0.check(method: method, headers: request.headers).get() }
        switch authenticate(method: method, params: params, isNotification: true, headers: request.headers) {
        case .failure(let refusal):
            record.outcome = "http_error"
            return refusal.response(id: nil)
        case .success(let caller):
            if method == "notifications/cancelled", let raw = params?["requestId"], let requestID = JSONRPCID(raw) {
                let found = inFlight.cancel(InFlightCalls.Key(caller: sessionID ?? caller.key, requestID: requestID))
                record.detail = found ? "cancelled \(requestID)" : "no such call \(requestID)"
            }
            return ResponseBuilder.accepted()
        }
    }

    /// Picks the era from the `MCP-Protocol-Version` header and the request's `_meta`, and
    /// runs the modern era's header checks.
    func selectEra(method: String, params: JSONObject?, headers: HTTPHeaders) -> Result<ProtocolEra, JSONRPCError> {
        let header = headers["MCP-Protocol-Version"]
        let metaVersion = params?["_meta"]?[ProtocolVersion.metaVersionKey]
        let headerIsModern = header.map { ProtocolVersion.modern.contains($0) } ?? false
        guard headerIsModern || metaVersion != nil else {
            // `initialize` negotiates the version in its body, whatever the header says.
            if method != "initialize", let header, !ProtocolVersion.legacy.contains(header) {
                return .failure(.unsupportedVersion(header))
            }
            return .success(.legacy)
        }
        // The envelope's shape first, then the headers against it, then whether the version is
        // served: a client whose headers disagree with its body is told so before anything else.
        let version: String
        switch MCPServer.modernEnvelopeVersion(of: params) {
        case .failure(let error): return .failure(error)
        case .success(let v): version = v
        }
        guard let header else { return .failure(.headerMismatch("Header mismatch: MCP-Protocol-Version header is required and must equal params._meta's protocol version")) }
        guard header == version else { return .failure(.headerMismatch("Header mismatch: MCP-Protocol-Version \"\(header.prefix(32))\" differs from params._meta's \"\(version)\"")) }
        guard headers["Mcp-Method"] == method else {
            return .failure(.headerMismatch("Header mismatch: Mcp-Method header must equal the body's method \"\(method.prefix(64))\""))
        }
        if method == "tools/call" {
            let name = params?["name"]?.stringValue
            guard let raw = headers["Mcp-Name"], Self.decodeHeaderValue(raw) == name else {
                return .failure(.headerMismatch("Header mismatch: Mcp-Name header must equal params.name"))
            }
        }
        guard ProtocolVersion.modern.contains(version) else { return .failure(.unsupportedVersion(version)) }
        return .success(.modern)
    }

    /// Reads `=?base64?…?=` header values (non-ASCII names); other values are verbatim.
    static func decodeHeaderValue(_ value: String) -> String? {
        guard value.hasPrefix("=?base64?"), value.hasSuffix("?="), value.count >= 11 else { return value }
        let payload = value.dropFirst(9).dropLast(2)
        guard let bytes = Base64Standard.decode(payload) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// A refusal at the HTTP edge, rendered once the request id is known.
    struct Refusal: Error {
        var render: @Sendable (JSONRPCID?) -> HTTPResponse
        func response(id: JSONRPCID?) -> HTTPResponse { render(id) }
    }

    func authenticate(method: String, params: JSONObject?, isNotification: Bool, headers: HTTPHeaders) -> Result<Caller, Refusal> {
        if TransportAuthentication.argumentCarriesToken(method: method, params: params) {
            let argument = params?["arguments"]?["access_token"]?.stringValue.flatMap(normalizedToken) ?? ""
            return .success(Caller(token: nil, tokenSource: nil, key: "token:" + SHA256.hash(Array(argument.utf8)).hexString))
        }
        switch authentication.headerToken(headers) {
        case .token(let token, let source):
            return .success(Caller(token: token, tokenSource: source, key: "token:" + token.fingerprint))
        case .invalid(let error, let source):
            return .failure(Refusal { TransportAuthentication.invalidTokenResponse(id: $0, error: error, source: source) })
        case .none:
            if authentication.isAnonymousAllowed(method: method, isNotification: isNotification) {
                return .success(Caller(token: nil, tokenSource: nil, key: "anonymous"))
            }
            return .failure(Refusal { TransportAuthentication.missingTokenResponse(id: $0) })
        }
    }
}
