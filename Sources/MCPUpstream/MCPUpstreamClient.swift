package import Auth
package import HTTPMessage
package import JSON
package import LoonflowClient
import Synchronization

/// A client of one remote Loonflow MCP server (the SaaS or a self-hosted one) that speaks the
/// 2025-era Streamable HTTP transport with sessions. Each caller token gets a session of its
/// own, opened on its first call and kept for the next ones; sessions are never shared between
/// tokens. A session the server has forgotten (HTTP 404) is opened anew; a read is then sent
/// again, a write never is.
package final class MCPUpstreamClient: Sendable {
    package let url: String
    private let http: any HTTPClient
    private let clientVersion: String
    private let maxSessions: Int
    private let observer: (any UpstreamObserver)?
    private let table = Mutex(SessionTable())
    private let nextID = Atomic<Int>(1)

    /// What a successful `initialize` gave: the session id (nil for a stateless server) and
    /// the protocol version the server chose.
    struct Session: Sendable, Equatable {
        var id: String?
        var version: String
    }

    private struct Entry {
        var opening: Task<Session, any Error>
        /// The opening's result, once it is known.
        var opened: Session?
        var lastUse: UInt64
    }

    private struct SessionTable {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    package init(
        url: String, http: any HTTPClient, clientVersion: String, maxSessions: Int = 1024,
        observer: (any UpstreamObserver)? = nil
    ) {
        self.url = url
        self.http = http
        self.observer = observer
        self.clientVersion = clientVersion
        self.maxSessions = max(1, maxSessions)
    }

    /// Sessions currently kept (for tests and metrics).
    package var sessionCount: Int { table.withLock { $0.entries.count } }

    /// Calls `name` with `arguments` as the caller `token`. `isWrite` calls are sent once,
    /// on a connection of their own, and never again.
    package func callTool(name: String, arguments: JSONObject, token: AccessToken, isWrite: Bool) async
        -> Result<JSONObject, ForwardFailure>
    {
        let params: JSONObject = ["name": .string(name), "arguments": .object(arguments)]
        let first = await request("tools/call", params: params, token: token, isWrite: isWrite)
        guard case .failure(let failure) = first, failure.sessionGone else { return first }
        if isWrite {
            return .failure(ForwardFailure(
                "the Loonflow MCP server had forgotten this caller's session and refused the call before running "
                    + "it, so nothing was applied; call the tool again."))
        }
        return await request("tools/call", params: params, token: token, isWrite: false)
    }

    /// The upstream's tool definitions, read in a session of `token` (nil: anonymous).
    package func listTools(token: AccessToken?) async -> Result<[JSONObject], ForwardFailure> {
        let answer = await request("tools/list", params: [:], token: token, isWrite: false)
        return answer.flatMap { result in
            guard let tools = result["tools"]?.arrayValue else {
                return .failure(ForwardFailure("the Loonflow MCP server's tools/list answer has no tools"))
            }
            return .success(tools.compactMap(\.objectValue))
        }
    }

    /// Whether the server answers HTTP at all: a bare `ping` outside any session, which any
    /// Streamable HTTP server answers (with a result or an HTTP error), opens no session.
    package func probe() async -> (ready: Bool, detail: String) {
        let message = UpstreamMessages.request(id: takeID(), method: "ping")
        do {
            let response = try await send(post(message, token: nil, session: nil, isWrite: false))
            return (true, "the Loonflow MCP server answered HTTP \(response.status)")
        } catch {
            return (false, "the Loonflow MCP server is unreachable: \(error.kind)")
        }
    }

    // MARK: - One request in the caller's session

    private func request(_ method: String, params: JSONObject, token: AccessToken?, isWrite: Bool) async
        -> Result<JSONObject, ForwardFailure>
    {
        let key = token.map { "token:" + $0.fingerprint } ?? "anonymous"
        let session: Session
        switch await openedSession(for: key, token: token) {
        case .failure(let failure): return .failure(failure)
        case .success(let opened): session = opened
        }
        let id = takeID()
        let message = UpstreamMessages.request(id: id, method: method, params: params)
        let response: UpstreamResponse
        do {
            response = try await send(post(message, token: token, session: session, isWrite: isWrite))
        } catch {
            return .failure(.transport(error, isWrite: isWrite))
        }
        if response.status == 404, session.id != nil {
            forget(key, session)
            return .failure(ForwardFailure("the Loonflow MCP server forgot the session", sessionGone: true))
        }
        return result(of: response, id: id, token: token)
    }

    private func result(of response: UpstreamResponse, id: Int, token: AccessToken?) -> Result<JSONObject, ForwardFailure> {
        guard (200..<300).contains(response.status) else {
            return .failure(httpFailure(response, token: token))
        }
        guard let answer = UpstreamMessages.answer(to: id, in: response) else {
            return .failure(ForwardFailure("the Loonflow MCP server's answer could not be read (no JSON-RPC response to the call)"))
        }
        if let error = answer["error"] {
            let text = clean(error["message"]?.stringValue ?? "no message", token: token)
            return .failure(ForwardFailure("the Loonflow MCP server refused the call: \(text) (\(error["code"]?.jsonText ?? "?"))"))
        }
        guard let result = answer["result"]?.objectValue else {
            return .failure(ForwardFailure("the Loonflow MCP server's answer has no result object"))
        }
        return .success(result)
    }

    private func httpFailure(_ response: UpstreamResponse, token: AccessToken?) -> ForwardFailure {
        let body = clean(String(decoding: response.body.prefix(300), as: UTF8.self), token: token)
        let detail = body.isEmpty ? "" : " (\(body))"
        switch response.status {
        case 401, 403:
            return ForwardFailure(
                "the Loonflow MCP server refused the token (HTTP \(response.status))\(detail); send a valid Loonflow "
                    + "token for that deployment.")
        case 404:
            return ForwardFailure("the Loonflow MCP server answered HTTP 404\(detail); check upstream.mcp_url.")
        default:
            return ForwardFailure("the Loonflow MCP server answered HTTP \(response.status)\(detail).")
        }
    }

    /// Upstream text as it may reach the model or a log: the caller's token redacted,
    /// control characters dropped.
    private func clean(_ text: String, token: AccessToken?) -> String {
        var text = text
        if let token { text = SecretRedactor(tokens: [token]).redact(text) }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }

    // MARK: - Sessions

    /// The caller's session, opened once however many calls arrive at the same time.
    private func openedSession(for key: String, token: AccessToken?) async -> Result<Session, ForwardFailure> {
        let opening = table.withLock { table -> Task<Session, any Error> in
            table.clock += 1
            if var entry = table.entries[key] {
                entry.lastUse = table.clock
                table.entries[key] = entry
                return entry.opening
            }
            if table.entries.count >= maxSessions, let oldest = table.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                table.entries[oldest.key] = nil
            }
            let task = Task { [self] () throws -> Session in try await open(token: token).get() }
            table.entries[key] = Entry(opening: task, lastUse: table.clock)
            return task
        }
        do {
            let session = try await opening.value
            table.withLock { table in
                if table.entries[key]?.opening == opening { table.entries[key]?.opened = session }
            }
            return .success(session)
        } catch {
            // A failed opening is not kept: the next call tries again.
            table.withLock { table in
                if let entry = table.entries[key], entry.opening == opening { table.entries[key] = nil }
            }
            return .failure(error as? ForwardFailure ?? ForwardFailure("the call was cancelled."))
        }
    }

    /// Drops the session that failed; a newer one another call opened meanwhile stays.
    private func forget(_ key: String, _ session: Session) {
        table.withLock { table in
            if table.entries[key]?.opened == session { table.entries[key] = nil }
        }
    }

    /// `initialize`, then `notifications/initialized`, as the caller.
    private func open(token: AccessToken?) async -> Result<Session, ForwardFailure> {
        let id = takeID()
        let response: UpstreamResponse
        do {
            response = try await send(
                post(UpstreamMessages.initialize(id: id, clientVersion: clientVersion), token: token, session: nil, isWrite: false))
        } catch {
            return .failure(.transport(error, isWrite: false))
        }
        let result: JSONObject
        switch self.result(of: response, id: id, token: token) {
        case .failure(let failure): return .failure(failure)
        case .success(let value): result = value
        }
        let session = Session(
            id: response.headers["Mcp-Session-Id"],
            version: result["protocolVersion"]?.stringValue ?? UpstreamMessages.protocolVersion)
        do {
            _ = try await send(post(UpstreamMessages.initialized, token: token, session: session, isWrite: false))
        } catch {
            return .failure(.transport(error, isWrite: false))
        }
        return .success(session)
    }

    private func post(_ message: JSONValue, token: AccessToken?, session: Session?, isWrite: Bool) -> UpstreamRequest {
        var headers: HTTPHeaders = [
            "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
        ]
        if let token { headers.add("Authorization", "Bearer \(token.value)") }
        if let session {
            headers.add("MCP-Protocol-Version", session.version)
            if let id = session.id { headers.add("Mcp-Session-Id", id) }
        }
        return UpstreamRequest(method: "POST", url: url, headers: headers, body: message.serialized, isIdempotent: !isWrite)
    }

    /// Sends one message, reporting it to the metrics as `/mcp/<JSON-RPC method>`.
    private func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        let method = (try? JSONParser().parse(request.body ?? []))?["method"]?.stringValue ?? "other"
        let started = ContinuousClock.now
        do {
            let response = try await http.send(request)
            observer?.upstreamFinished(method: "POST", path: "/mcp/" + method, status: response.status, duration: .now - started)
            return response
        } catch {
            observer?.upstreamFinished(method: "POST", path: "/mcp/" + method, status: nil, duration: .now - started)
            throw error
        }
    }

    private func takeID() -> Int { nextID.add(1, ordering: .relaxed).oldValue }
}
