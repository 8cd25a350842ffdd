import Auth
import HTTPMessage
import JSON

/// One check of a personal access token against Loonflow, and the `/login`-shaped user
/// record a JWT for its owner carries.
///
/// Only the first request carries the PAT (Loonflow runs PBKDF2 for it once). The look-ups
/// that fill in the user's id, tenant and type go with a short bootstrap JWT naming the
/// e-mail alone, which Loonflow checks in microseconds.
struct PATVerification: Sendable {
    enum Outcome: Sendable {
        /// Loonflow accepted the PAT; `user` is the `data` claim for the owner.
        case verified(user: JSONObject)
        /// Loonflow refused the PAT; this answer goes to the caller in place of its own.
        case rejected(UpstreamResponse)
        /// The PAT worked but the owner could not be identified: send the PAT itself.
        case unidentified
    }

    let http: any HTTPClient
    /// Loonflow's origin plus any prefix, without a trailing slash.
    let baseURL: String
    let signer: HS256Signer

    /// The claim keys of `/login`'s `data`, in its order.
    static let userKeys = [
        "id", "label", "creator_info", "tenant_id", "name", "alias", "external_user_id", "email", "phone", "is_active",
        "type", "avatar", "lang",
    ]

    func run(_ pat: String, now: Int64) async throws(UpstreamError) -> Outcome {
        let (response, answer) = try await get("accounts/my_profile", [], bearer: pat)
        guard case .success(let data) = answer else {
            return response.status == 200 ? .unidentified : .rejected(response)
        }
        guard let profile = data["my_profile"]?.objectValue, let email = profile["email"]?.stringValue, !email.isEmpty else {
            return .unidentified
        }
        let bootstrap = signer.sign(["exp": .number(Int(now + 60)), "iat": .number(Int(now)), "data": ["email": .string(email)]])
        if let row = try await exactRow("accounts/users", email: email, bearer: bootstrap) {
            return .verified(user: Self.user(fullRow: row))
        }
        guard let row = try await exactRow("accounts/simple_users", email: email, bearer: bootstrap) else { return .unidentified }
        let type = try await isWorkflowAdmin(bearer: bootstrap) ? "workflow_admin" : "normal"
        return .verified(user: Self.user(simpleRow: row, profile: profile, type: type))
    }

    /// The row of a user list whose e-mail is exactly `email` (the search is a substring match),
    /// or nil when the list refuses the caller or holds no such row.
    private func exactRow(_ path: String, email: String, bearer: String) async throws(UpstreamError) -> JSONObject? {
        let (_, answer) = try await get(path, [("search_value", email), ("page", "1"), ("per_page", "100")], bearer: bearer)
        guard case .success(let data) = answer, let rows = data["user_info_list"]?.arrayValue else { return nil }
        return rows.lazy.compactMap(\.objectValue).first { $0["email"]?.stringValue == email }
    }

    /// Workflow administrators may list workflows; normal users are refused with an envelope.
    private func isWorkflowAdmin(bearer: String) async throws(UpstreamError) -> Bool {
        let (_, answer) = try await get("workflows", [("page", "1"), ("per_page", "1")], bearer: bearer)
        if case .success = answer { return true }
        return false
    }

    private func get(_ path: String, _ query: [(String, String)], bearer: String) async throws(UpstreamError) -> (
        UpstreamResponse, Result<JSONValue, LoonflowError>
    ) {
        var url = "\(baseURL)/api/v1.0/\(path)"
        if !query.isEmpty { url += "?" + QueryString.encode(query) }
        let request = UpstreamRequest(method: "GET", url: url, headers: ["Authorization": "Bearer \(bearer)", "Accept": "application/json"])
        let response = try await http.send(request)
        return (response, LoonflowClient.interpret(response))
    }

    /// An administrator's full row holds every key `/login` puts in `data`.
    static func user(fullRow row: JSONObject) -> JSONObject {
        JSONObject(userKeys.map { ($0, row[$0] ?? placeholder(for: $0)) })
    }

    /// Others see the simple row and their profile; Loonflow shows them no label or creator.
    static func user(simpleRow row: JSONObject, profile: JSONObject, type: String) -> JSONObject {
        JSONObject(
            userKeys.map { key -> (String, JSONValue) in
                switch key {
                case "type": (key, .string(type))
                case "phone", "lang": (key, profile[key] ?? "")
                default: (key, row[key].map { $0.isNull ? placeholder(for: key) : $0 } ?? placeholder(for: key))
                }
            })
    }

    private static func placeholder(for key: String) -> JSONValue {
        switch key {
        case "label": .object([:])
        case "creator_info": ["id": "", "name": "", "alias": ""]
        case "is_active": true
        default: ""
        }
    }
}
