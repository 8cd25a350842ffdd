package import Auth
package import HTTPMessage
package import JSON
import PlainText

/// Typed access to Loonflow's REST API (`/api/v1.0/...`) with the caller's token.
///
/// The token goes only to the configured base URL and only as `Authorization: Bearer`;
/// no client header is passed through.
package struct LoonflowClient: Sendable {
    /// The Loonflow origin plus any path prefix, without a trailing slash.
    package let baseURL: String
    package let http: any HTTPClient
    /// App names a caller may act as (`appname` header); `loonflow` is the default one.
    package let allowedAppNames: Set<String>
    package let observer: (any UpstreamObserver)?

    package init(
        baseURL: String, http: any HTTPClient, allowedAppNames: Set<String> = ["loonflow"],
        observer: (any UpstreamObserver)? = nil
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = http
        self.allowedAppNames = allowedAppNames
        self.observer = observer
    }

    /// `GET /api/v1.0/<path>?<query>`; returns the envelope's `data`.
    package func get(
        _ path: String, query: [(String, String)] = [], token: AccessToken, appName: String
    ) async -> Result<JSONValue, LoonflowError> {
        await send(method: "GET", path: path, query: query, body: nil, token: token, appName: appName)
    }

    /// `POST /api/v1.0/<path>` with a JSON body, sent once on a fresh connection and never
    /// retried: it changes tickets.
    package func post(_ path: String, body: JSONValue, token: AccessToken, appName: String) async -> Result<
        JSONValue, LoonflowError
    > {
        await send(method: "POST", path: path, query: [], body: body, token: token, appName: appName)
    }

    /// One exchange; a failure's upstream text never carries the request's token.
    private func send(
        method: String, path: String, query: [(String, String)], body: JSONValue?, token: AccessToken, appName: String
    ) async -> Result<JSONValue, LoonflowError> {
        await exchange(method: method, path: path, query: query, body: body, token: token, appName: appName)
            .mapError { $0.redacting(SecretRedactor(tokens: [token])) }
    }

    private func exchange(
        method: String, path: String, query: [(String, String)], body: JSONValue?, token: AccessToken, appName: String
    ) async -> Result<JSONValue, LoonflowError> {
        let headers: HTTPHeaders
        switch requestHeaders(token: token, appName: appName, hasBody: body != nil) {
        case .success(let h): headers = h
        case .failure(let error): return .failure(error)
        }
        var url = "\(baseURL)/api/v1.0/\(path)"
        if !query.isEmpty { url += "?" + QueryString.encode(query) }
        let request = UpstreamRequest(
            method: method, url: url, headers: headers, body: body?.serialized, isIdempotent: method == "GET")
        let started = ContinuousClock.now
        do {
            let response = try await http.send(request)
            observer?.upstreamFinished(method: method, path: path, status: response.status, duration: .now - started)
            return Self.interpret(response)
        } catch {
            observer?.upstreamFinished(method: method, path: path, status: nil, duration: .now - started)
            return .failure(.transport(error, method: method))
        }
    }

    private func requestHeaders(token: AccessToken, appName: String, hasBody: Bool) -> Result<HTTPHeaders, LoonflowError> {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token.value)", "Accept": "application/json"]
        if hasBody { headers.add("Content-Type", "application/json") }
        if let refusal = Self.appNameRefusal(appName, allowed: allowedAppNames) { return .failure(.refusedLocally(refusal)) }
        let app = appName.trimmingWhitespace()
        if !app.isEmpty, app != "loonflow" { headers.add("appname", app) }
        return .success(headers)
    }

    /// Why `appName` may not be used, or nil: the default application always may, another one
    /// only when `upstream.allowed_app_names` lists it (the `appname` header widens Loonflow's
    /// authorization).
    package static func appNameRefusal(_ appName: String, allowed: Set<String>) -> String? {
        let app = appName.trimmingWhitespace()
        guard !app.isEmpty, app != "loonflow", !allowed.contains(app) else { return nil }
        return "app_name \"\(app.prefix(64))\" is not allowed by this gateway (upstream.allowed_app_names); "
            + "omit app_name to act as the default \"loonflow\" application"
    }

    /// Reads Loonflow's `{code, data, msg}` envelope.
    package static func interpret(_ response: UpstreamResponse) -> Result<JSONValue, LoonflowError> {
        switch response.status {
        case 200: break
        case 401: return .failure(.unauthenticated)
        case 500: return .failure(.tokenProbablyRejected)
        default: return .failure(.unexpectedStatus(response.status, statusHint(response.status)))
        }
        guard case .object(let envelope)? = try? JSONParser(maxDepth: 512).parse(response.body) else {
            return .failure(.invalidResponse("HTTP 200 with a body that is not a JSON object"))
        }
        guard let code = envelope["code"]?.intValue else {
            return .failure(.invalidResponse("the JSON has no numeric \"code\" (not Loonflow's envelope)"))
        }
        if code == 0 { return .success(envelope["data"] ?? .null) }
        // `/accounts/users` swaps the two fields on its caught errors.
        let text = envelope["msg"]?.stringValue ?? envelope["data"]?.stringValue ?? "error code \(code)"
        // The demo's own notes (a replay miss, something the simulator cannot know) did not come
        // from a Loonflow: shown as they are, not as "Loonflow refused the request".
        if response.headers[localNoteHeader] != nil { return .failure(.refusedLocally(text)) }
        return .failure(.refused(text))
    }

    /// Set by fixture replay and the simulator on answers they wrote themselves.
    package static let localNoteHeader = "X-Loonflow-Simulator"

    private static func statusHint(_ status: Int) -> String {
        switch status {
        case 404: "not found: check upstream.base_url, which must not include /api/v1.0"
        case 502, 503, 504: "a proxy in front of Loonflow could not reach it"
        default: ""
        }
    }
}

/// Sees every upstream exchange (for metrics); called on the calling task.
package protocol UpstreamObserver: Sendable {
    func upstreamFinished(method: String, path: String, status: Int?, duration: Duration)
}
