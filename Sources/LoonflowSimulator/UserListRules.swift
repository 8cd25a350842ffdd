import FixtureReplay
import JSON

/// `GET /accounts/simple_users` (anyone) and `GET /accounts/users` (admins, full rows).
enum UserListRules {
    static let zeroUUID = "00000000-0000-0000-0000-000000000000"

    static func simpleUsers(_ pairs: [QueryPair], deployment: Deployment) -> ReplayAnswer {
        list(pairs, deployment: deployment, honoursUserIDs: true, row: \.simpleRow, failure: { SimulatorAnswer.internalError() })
    }

    /// Admin only; ignores `user_ids`; its caught errors swap `data` and `msg`.
    static func users(_ pairs: [QueryPair], caller: SimulatedUser, deployment: Deployment) -> ReplayAnswer {
        guard caller.isAdmin else { return SimulatorAnswer.failure("has no permission: permission check fail, need admin") }
        return list(
            pairs, deployment: deployment, honoursUserIDs: false, row: \.row,
            failure: { ReplayAnswer(status: 200, contentType: "application/json", body: (["code": -1, "data": "Internal Server Error", "msg": [:]] as JSONValue).serialized) })
    }

    private static func list(
        _ pairs: [QueryPair], deployment: Deployment, honoursUserIDs: Bool, row: (SimulatedUser) -> JSONObject,
        failure: () -> ReplayAnswer
    ) -> ReplayAnswer {
        let value = { (key: String) in pairs.last { $0.name == key }?.value ?? "" }
        // Outside the view's try block: a non-integer page is Django's 500 page.
        guard let page = value("page").isEmpty ? 1 : PythonRepr.int(value("page")),
            let perPage = value("per_page").isEmpty ? 10 : PythonRepr.int(value("per_page"))
        else { return SimulatorAnswer.serverError }
        guard perPage > 0 else { return failure() }
        var users = deployment.users
        let search = value("search_value")
        if !search.isEmpty {
            users = users.filter { $0.name.contains(search) || $0.alias.contains(search) || $0.email.contains(search) }
        }
        if honoursUserIDs, !value("user_ids").isEmpty {
            let ids = value("user_ids").split(separator: ",", omittingEmptySubsequences: false).map { UUIDText.canonical(String($0)) }
            guard !ids.contains(nil) else { return failure() }
            users = users.filter { ids.contains($0.id) }
        }
        let department = value("dept_id")
        if !department.isEmpty, department != "0", department != zeroUUID {
            guard let id = UUIDText.canonical(department) else { return failure() }
            if id != zeroUUID { users = users.filter { $0.departmentIDs.contains(id) } }
        }
        let served = Page(users, page: page, perPage: perPage)
        return SimulatorAnswer.ok([
            "user_info_list": .array(served.rows.map { .object(row($0)) }), "per_page": .number(perPage), "page": .number(page),
            "total": .number(served.total),
        ])
    }
}
