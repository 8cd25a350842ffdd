package import FixtureReplay
import FoundationEssentials
package import HTTPMessage
import JSON
import Synchronization

/// A simulated Loonflow 3.2.1: answers the REST endpoints the tools use by computing them from
/// a recorded model of a deployment (`deployment.json`), with Loonflow's own rules and quirks.
/// Handles change the model. State lives in memory only: a restart starts from the recording.
///
/// Serves both sides: the gateway's upstream client in process (`HTTPClient`) and
/// `serve-fixtures --simulate` over HTTP (`HTTPHandler`).
package final class LoonflowSimulator: HTTPClient, HTTPHandler {
    package let directory: String
    /// The demo tokens; callers are told apart by the SHA-256 of the token they present.
    package let tokens: FixtureTokens
    private let state: Mutex<Deployment>
    private let clock: @Sendable () -> Int64

    /// - Parameter clock: Unix seconds now; tests pin it so the default window does not depend on the date.
    package init(directory: String, clock: @escaping @Sendable () -> Int64 = LoonflowSimulator.systemClock) throws(FixtureError) {
        self.directory = directory
        self.tokens = try FixtureTokens.load(directory: directory)
        let deployment = try DeploymentLoader.load(directory: directory)
        for entry in tokens.entries where deployment.user(named: entry.user) == nil {
            throw FixtureError("\(directory)/tokens.json names \(entry.user), who is not in deployment.json")
        }
        self.state = Mutex(deployment)
        self.clock = clock
    }

    package static let systemClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    package var userCount: Int { state.withLock { $0.users.count } }
    package var ticketCount: Int { state.withLock { $0.tickets.count } }

    package func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        answer(ReplayRequest(request)).upstreamResponse
    }

    package func handle(_ request: HTTPRequest) async -> HTTPResponse {
        answer(ReplayRequest(request)).httpResponse
    }

    /// Loonflow's answer to one request.
    package func answer(_ request: ReplayRequest) -> ReplayAnswer {
        let path = FixturePath.relative(request.path)
        guard path.hasPrefix("/api/v1.0/") else { return SimulatorAnswer.notFound }
        let segments = path.dropFirst("/api/v1.0/".count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let authorization = request.authorization, !authorization.isEmpty else { return SimulatorAnswer.unauthenticated }
        guard let caller = caller(authorization) else { return SimulatorAnswer.serverError }
        let query = FixtureQuery.parse(request.query)
        let body = request.body.isEmpty ? nil : try? JSONParser().parse(request.body)
        let now = clock()
        return state.withLock { deployment in
            route(request.method, segments, query: query, body: body, caller: caller, deployment: &deployment, now: now)
        }
    }

    /// The demo user whose token this is; nil for any token the set does not list (Loonflow: HTTP 500).
    private func caller(_ authorization: String) -> SimulatedUser? {
        guard authorization.hasPrefix("Bearer ") else { return nil }
        let token = String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: " ")
        guard let entry = tokens.entry(sha256: FixtureTokens.fingerprint(token)) else { return nil }
        return state.withLock { $0.user(named: entry.user) }
    }

    private func route(
        _ method: String, _ segments: [String], query: [QueryPair], body: JSONValue?, caller: SimulatedUser,
        deployment: inout Deployment, now: Int64
    ) -> ReplayAnswer {
        switch (method, segments.count, segments.first ?? "") {
        case ("GET", 1, "tickets"):
            return TicketListRules.answer(query, caller: caller, deployment: deployment, now: now)
        case ("POST", 1, "tickets"):
            var rules = TicketHandleRules(deployment: deployment, now: now)
            let (outcome, id) = rules.create(body: body, caller: caller)
            deployment = rules.deployment
            return Self.reply(outcome, success: ["ticket_id": .string(id ?? "")], failureData: [:])
        case (_, 3, "tickets"):
            return ticketEndpoint(method, id: segments[1], segments[2], query: query, body: body, caller: caller, deployment: &deployment, now: now)
        case ("GET", 2, "accounts") where segments[1] == "simple_users":
            return UserListRules.simpleUsers(query, deployment: deployment)
        case ("GET", 2, "accounts") where segments[1] == "users":
            return UserListRules.users(query, caller: caller, deployment: deployment)
        case ("GET", 1, "simple_workflows"):
            return WorkflowRules.simpleWorkflows(query, deployment: deployment)
        case ("GET", 3, "workflows"):
            return WorkflowRules.creation(segments[2], workflowID: segments[1], deployment: deployment)
        default:
            return Self.notSimulated(method, segments)
        }
    }

    private func ticketEndpoint(
        _ method: String, id: String, _ endpoint: String, query: [QueryPair], body: JSONValue?, caller: SimulatedUser,
        deployment: inout Deployment, now: Int64
    ) -> ReplayAnswer {
        let ticket = deployment.ticketIndex(id).map { deployment.tickets[$0] }
        switch (method, endpoint) {
        case ("GET", "ticket_detail_form"):
            guard let ticket else { return SimulatorAnswer.internalError(data: "") }
            return TicketDetailRules.form(ticket, caller: caller, deployment: deployment)
        case ("GET", "ticket_detail_actions"):
            guard let ticket else { return SimulatorAnswer.internalError(data: "") }
            return TicketDetailRules.actionsAnswer(ticket, caller: caller, deployment: deployment)
        case ("GET", "ticket_detail_admin_actions"):
            guard let ticket else { return SimulatorAnswer.internalError(data: "") }
            return TicketDetailRules.adminActionsAnswer(ticket, caller: caller, deployment: deployment)
        case ("GET", "current_node_infos"):
            guard let ticket else { return SimulatorAnswer.internalError(data: "") }
            return TicketDetailRules.currentNodes(ticket)
        case ("GET", "ticket_flow_history"):
            guard let ticket else { return SimulatorAnswer.serverError }
            return TicketDetailRules.flowHistory(ticket, query)
        case ("POST", "handle"):
            var rules = TicketHandleRules(deployment: deployment, now: now)
            let outcome = rules.handle(ticketID: id, body: body, caller: caller)
            deployment = rules.deployment
            return Self.reply(outcome, success: [:], failureData: "")
        default:
            return Self.notSimulated(method, ["tickets", id, endpoint])
        }
    }

    private static func reply(_ outcome: TicketHandleRules.Outcome, success: JSONValue, failureData: JSONValue) -> ReplayAnswer {
        switch outcome {
        case .done: SimulatorAnswer.ok(success)
        case .refused(let message): SimulatorAnswer.failure(message, data: failureData)
        case .internalError: SimulatorAnswer.internalError(data: failureData)
        case .undetermined(let note): SimulatorAnswer.undetermined(note, data: failureData)
        }
    }

    /// An endpoint outside the simulated set: said plainly rather than faked.
    private static func notSimulated(_ method: String, _ segments: [String]) -> ReplayAnswer {
        SimulatorAnswer.undetermined(
            "\(method) /api/v1.0/\(segments.joined(separator: "/")) is not simulated. The simulator answers GET tickets, "
                + "POST tickets, the ticket detail form, actions, admin actions, current nodes and flow history, POST "
                + "tickets/{id}/handle, accounts/simple_users, accounts/users, simple_workflows and the workflow creation "
                + "form and actions.")
    }
}
