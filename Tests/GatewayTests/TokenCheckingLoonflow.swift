import Auth
import Crypto
import HTTPMessage
import JSON
import Synchronization
import Testing
import TestSupport

/// A loopback Loonflow that checks bearer tokens the way Loonflow 3.2.1 does: a PAT by a
/// (counted) look-up of its own, a JWT by its HS256 signature under `key` and `exp`, then the
/// user by the `data.email` claim alone. Anything else gets Django's HTTP 500 page.
final class TokenCheckingLoonflow: Sendable {
    struct User: Sendable {
        var id: String
        var email: String
        var name: String
        var type: String
    }

    static let alice = User(id: "2c0e1f64-3d1b-4a57-9f2e-5b8c7d6a4e31", email: "alice@loonapp.com", name: "alice", type: "normal")
    static let admin = User(id: "b350e4f8-7734-453f-b88e-8895b4d776f5", email: "admin@loonapp.com", name: "admin", type: "admin")
    static let tenant = "00000000-0000-0000-0000-000000000001"

    /// Who a request was answered for, and with which kind of token.
    struct Caller: Sendable, Equatable {
        var path: String
        var email: String
        var byPAT: Bool
    }

    private struct State {
        var pats: [String: String] = [:]
        var patChecks = 0
        var callers: [Caller] = []
        /// Every JWT accepted, for the tests to take apart.
        var jwts: [String] = []
    }

    let upstream: TestUpstream
    let key: [UInt8]
    private let state = Mutex(State())
    private let validator: AccessTokenValidator

    /// - Parameters:
    ///   - now: the Unix time `exp` is checked against (the same clock as the gateway's).
    ///   - profileGate: when given, `my_profile` answers only once it is open.
    init(key: [UInt8] = TestJWT.defaultKey, profileGate: TestGate? = nil, now: @escaping @Sendable () -> Int64) throws {
        self.key = key
        validator = AccessTokenValidator(jwtKey: key, now: now)
        upstream = try TestUpstream()
        upstream.setFallback { [self] request in
            if let profileGate, request.path == "/api/v1.0/accounts/my_profile" { await profileGate.wait() }
            return answer(request)
        }
    }

    var baseURL: String { upstream.baseURL }

    func stop() { upstream.stop() }

    /// Makes `pat` a valid token of `user`.
    func issue(_ pat: String, to user: User) { state.withLock { $0.pats[pat] = user.email } }

    /// Revokes `pat`: Loonflow refuses it from now on.
    func revoke(_ pat: String) { _ = state.withLock { $0.pats.removeValue(forKey: pat) } }

    /// How many times a PAT was checked (each one PBKDF2 in the real Loonflow).
    var patChecks: Int { state.withLock { $0.patChecks } }

    var callers: [Caller] { state.withLock { $0.callers } }

    var acceptedJWTs: [String] { state.withLock { $0.jwts } }

    private func answer(_ request: RecordedRequest) -> TestReply {
        guard let header = request.headers["Authorization"], header.hasPrefix("Bearer ") else {
            return .json(#"{"code": -1, "msg": "permission check fail: signature is not provide in request header;", "data": {}}"#, status: 401)
        }
        let token = String(header.dropFirst(7))
        guard let user = authenticate(token) else {
            return .respond(status: 500, headers: ["Content-Type": "text/html"], body: Array("<h1>Server Error (500)</h1>".utf8))
        }
        state.withLock { $0.callers.append(Caller(path: request.path, email: user.email, byPAT: token.hasPrefix("lfpat."))) }
        return route(request, for: user)
    }

    private func authenticate(_ token: String) -> User? {
        if token.hasPrefix("lfpat.") {
            let email = state.withLock { state -> String? in
                state.patChecks += 1
                return state.pats[token]
            }
            return email.flatMap(Self.user(email:))
        }
        guard case .success(let accepted) = validator.validate(token), case .jwt(let claims) = accepted.kind,
            let email = claims.email, let user = Self.user(email: email)
        else { return nil }
        state.withLock { $0.jwts.append(token) }
        return user
    }

    /// Answers an error that quotes the `Authorization` header it was sent.
    static let quotingPath = "/api/v1.0/tickets/quoting-error"

    private static func user(email: String) -> User? {
        [alice, admin].first { $0.email == email }
    }

    private func route(_ request: RecordedRequest, for user: User) -> TestReply {
        let search = FakeLoonflow.queryValue(request, "search_value") ?? ""
        let matching = [Self.alice, Self.admin].filter { $0.email.contains(search) || search.isEmpty }
        switch request.path {
        case "/api/v1.0/accounts/my_profile":
            let profile: JSONValue = [
                "name": .string(user.name), "alias": "", "email": .string(user.email), "phone": "555-0100", "avatar": "",
                "lang": "en-US", "dept_info_list": [],
            ]
            return Self.ok(["my_profile": profile])
        case "/api/v1.0/accounts/users":
            guard user.type == "admin" else { return Self.refused("has no permission: permission check fail, need admin") }
            return Self.ok(["user_info_list": .array(matching.map(Self.fullRow)), "page": 1, "per_page": 100, "total": .number(matching.count)])
        case "/api/v1.0/accounts/simple_users":
            return Self.ok(["user_info_list": .array(matching.map(Self.simpleRow)), "page": 1, "per_page": 100, "total": .number(matching.count)])
        case "/api/v1.0/workflows":
            guard user.type != "normal" else { return Self.refused("has no permission: permission check fail, need admin or workflow_admin") }
            return Self.ok(["workflow_info_list": [], "page": 1, "per_page": 1, "total": 0])
        case "/api/v1.0/tickets":
            return .json(TestUpstream.recordingBody(named: "tickets.category.duty.alice"))
        case Self.quotingPath:
            return Self.refused("token rejected: \(request.headers["Authorization"] ?? "")")
        default:
            if request.method == "POST", request.path.hasSuffix("/handle") { return Self.ok([:]) }
            return .notFound
        }
    }

    /// `/accounts/users`' row: what `/login` puts in the JWT, plus a few keys it drops.
    static func fullRow(_ user: User) -> JSONValue {
        [
            "last_login": .null, "id": .string(user.id), "label": [:], "creator_info": ["id": "fba7e749-6da0-404c-8e8e-7c3d99a0ed48", "name": "", "alias": ""],
            "created_at": "2026-01-01 00:00:00", "updated_at": "2026-01-01 00:00:00", "tenant_id": .string(tenant),
            "name": .string(user.name), "alias": "", "external_user_id": "", "email": .string(user.email), "phone": "555-0100",
            "is_active": true, "type": .string(user.type), "avatar": "", "lang": "en-US", "dept_info_list": [],
        ]
    }

    static func simpleRow(_ user: User) -> JSONValue {
        [
            "id": .string(user.id), "tenant_id": .string(tenant), "name": .string(user.name), "alias": "", "external_user_id": .null,
            "email": .string(user.email), "is_active": true, "avatar": "", "dept_info_list": [],
        ]
    }

    private static func ok(_ data: JSONObject) -> TestReply {
        .json(JSONValue.object(["code": 0, "data": .object(data), "msg": ""]).serialized)
    }

    private static func refused(_ message: String) -> TestReply {
        .json(JSONValue.object(["code": -1, "data": [:], "msg": .string(message)]).serialized)
    }
}
