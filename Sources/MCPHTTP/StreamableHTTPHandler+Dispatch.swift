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
        switch dispatcher.era(method: method, params: params, headers: Self.transportHeaders(request.headers)) {
        case .failure(let error):
            record.outcome = .rpcError
            record.rpcCode = error.code
            return ResponseBuilder.error(id: id, error, status: ErrorStatus.envelope)
        case .success(let selected): era = selected
        }
        record.era = era
        var sessionID: String?
        if era == .legacy, let sessions {
            switch sessions.check(method: method, headers: request.headers) {
            case .failure(let refusal):
                record.outcome = .httpError
                record.detail = "session"
                return refusal.response(id: id)
            case .success(let id): sessionID = id
            }
        }
        let caller: Caller
        switch authenticate(method: method, params: params, isNotification: false, headers: request.headers) {
        case .failure(let refusal):
            record.outcome = .httpError
            record.detail = "authentication"
            return refusal.response(id: id)
        case .success(let found): caller = found
        }
        let wantsStream =
            method == MCPMethod.toolsCall.rawValue && params?["_meta"]?["progressToken"] != nil
            && HTTPPolicy.acceptable(request.headers["Accept"]).eventStream
        var context = ToolCallContext(transportToken: caller.token, transportTokenSource: caller.tokenSource, requestID: id)
        context.scope = policy.toolScope(request)
        let key = sessionID ?? caller.key
        if wantsStream {
            record.outcome = .stream
            return streamedCall(id: id, method: method, params: params, era: era, caller: key, context: context)
        }
        let answer = await dispatcher.run(id: id, method: method, params: params, era: era, caller: key, context: context)
        var response = respond(answer, record: &record)
        if method == MCPMethod.initialize.rawValue, let sessions, case .success(let result) = answer.outcome {
            let version = result["protocolVersion"]?.stringValue ?? ProtocolVersion.newestLegacy
            response.headers.add("Mcp-Session-Id", sessions.issue(version: version))
        }
        return response
    }

    /// The MCP headers of an HTTP request, as the dispatcher reads them.
    static func transportHeaders(_ headers: HTTPHeaders) -> TransportHeaders {
        TransportHeaders(
            protocolVersion: headers["MCP-Protocol-Version"], method: headers["Mcp-Method"],
            name: headers["Mcp-Name"].map(decodeHeaderValue))
    }

    /// The answer as an HTTP response, its outcome in the record.
    private func respond(_ answer: Answer, record: inout RequestRecord) -> HTTPResponse {
        switch answer.outcome {
        case .success:
            record.outcome = answer.cancelled ? .cancelled : answer.isToolError ? .toolError : .ok
            return ResponseBuilder.json(answer.message)
        case .failure(let error):
            record.outcome = .rpcError
            record.rpcCode = error.code
            return ResponseBuilder.json(answer.message, status: ErrorStatus.of(error, era: answer.era))
        }
    }

    /// Answers over SSE: progress notifications while the tool works, then the result.
    private func streamedCall(
        id: JSONRPCID, method: String, params: JSONObject?, era: ProtocolEra, caller: String, context: ToolCallContext
    ) -> HTTPResponse {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        let progressToken = params?["_meta"]?["progressToken"] ?? .null
        var context = context
        context.progress = { done, total, message in
            var notification: JSONObject = ["progressToken": progressToken, "progress": .number(JSONNumber(done))]
            if let total { notification["total"] = .number(JSONNumber(total)) }
            if let message { notification["message"] = .string(message) }
            continuation.yield(ResponseBuilder.sseEvent(["jsonrpc": "2.0", "method": "notifications/progress", "params": .object(notification)]))
        }
        let dispatcher = self.dispatcher
        let task = dispatcher.startTask { [context] in
            let answer = await dispatcher.run(id: id, method: method, params: params, era: era, caller: caller, context: context)
            continuation.yield(ResponseBuilder.sseEvent(answer.message))
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
            record.outcome = .rpcError
            record.rpcCode = JSONRPCError.unsupportedVersionCode
            return ResponseBuilder.error(id: nil, .unsupportedVersion(header), status: ErrorStatus.envelope)
        }
        let sessionID = sessions.flatMap { try? $0.check(method: method, headers: request.headers).get() }
        switch authenticate(method: method, params: params, isNotification: true, headers: request.headers) {
        case .failure(let refusal):
            record.outcome = .httpError
            return refusal.response(id: nil)
        case .success(let caller):
            record.detail = dispatcher.receive(notification: method, params: params, caller: sessionID ?? caller.key)
            return ResponseBuilder.accepted()
        }
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
