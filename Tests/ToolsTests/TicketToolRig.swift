import Testing
import Auth
import Curl
import Foundation
import HTTPMessage
import JSON
import Logging
import LoonflowClient
import MCPCore
import Synchronization
import TestSupport
import Tools

/// The ticket tools wired to a loopback upstream through the real libcurl client. By default
/// the upstream serves every recorded detail call for the user whose token arrives.
final class TicketToolRig: Sendable {
    let upstream: TestUpstream
    let http: CurlHTTPClient
    let logs: LogCapture
    let environment: ToolEnvironment

    static let users = ["admin", "alice", "bob", "carol", "dave"]

    init(options: CurlClientOptions = CurlClientOptions(), servesRecordings: Bool = true) throws {
        let fallback: TestUpstream.Route
        if servesRecordings {
            fallback = { request in await TicketToolRig.recordedDetail(request) }
        } else {
            fallback = { _ in TestReply.notFound }
        }
        upstream = try TestUpstream(fallback: fallback)
        http = try CurlHTTPClient(options: options)
        let logs = LogCapture()
        self.logs = logs
        environment = ToolEnvironment(
            client: LoonflowClient(baseURL: upstream.baseURL, http: http),
            tokens: TokenResolver(validator: AccessTokenValidator()),
            logger: logs.logger(format: .json))
    }

    deinit {
        upstream.stop()
        http.shutdown()
    }

    /// A personal access token per seeded user; the upstream tells users apart by it.
    static func token(_ user: String) -> String {
        let index = users.firstIndex(of: user) ?? 9
        return "lfpat.00000000-0000-4000-8000-00000000000\(index).\(user)Secret_x"
    }

    static func user(of request: RecordedRequest) -> String? {
        let header = request.headers["Authorization"] ?? ""
        return users.first { header == "Bearer \(token($0))" }
    }

    func detail(_ arguments: JSONObject, as user: String, tool: String = "ticket_detail") async -> ToolResult {
        await TicketDetail(environment: environment, name: tool).call(arguments: arguments, context: context(user))
    }

    func handle(_ arguments: JSONObject, as user: String) async -> ToolResult {
        await TicketHandle(environment: environment).call(arguments: arguments, context: context(user))
    }

    func context(_ user: String) -> ToolCallContext {
        ToolCallContext(transportToken: try? AccessTokenValidator().validate(Self.token(user)).get(), transportTokenSource: "Authorization header")
    }

    /// Requests for `/api/v1.0/tickets/<ticket>/<endpoint>`.
    func count(_ method: String, ticket: String, _ endpoint: String) -> Int {
        upstream.requestCount(method, "/api/v1.0/tickets/\(ticket)/\(endpoint)")
    }

    var postCount: Int { upstream.requests.filter { $0.method == "POST" }.count }

    /// Serves a recorded detail answer for the path and the token's user; an unknown ticket
    /// gets Loonflow's answer for a missing one.
    static func recordedDetail(_ request: RecordedRequest) async -> TestReply {
        guard request.method == "GET", let user = user(of: request) else { return .notFound }
        if let name = Recordings.detailIndex["\(request.path) \(user)"] {
            return TestUpstream.recordingReply(named: name)
        }
        for endpoint in ["ticket_detail_form", "ticket_detail_actions", "ticket_detail_admin_actions"]
        where request.path.hasSuffix("/\(endpoint)") {
            return TestUpstream.recordingReply(named: "ticket.\(endpoint).nonexistent_uuid.admin")
        }
        return .notFound
    }

    /// Serves the three detail calls of `ticket` from the recordings of `seedCase` for `user`.
    func serveDetail(ticket: String, seedCase: String, user: String) {
        for endpoint in ["ticket_detail_form", "ticket_detail_actions", "ticket_detail_admin_actions"] {
            upstream.route(
                "GET", "/api/v1.0/tickets/\(ticket)/\(endpoint)",
                reply: TestUpstream.recordingReply(named: "ticket.\(endpoint).\(seedCase).\(user)"))
        }
    }
}

/// Seeded ticket ids from the recordings.
enum Seed {
    static let l1 = "b5c9349a-5926-4f09-bf48-10cc61bbdc63"
    static let l2 = "036f35b8-4d54-4c74-8c2f-6278151c7a6f"
    static let i1 = "ec26cf93-549c-4f92-9ab9-8907dfbef420"
    static let v1 = "2d230fa3-c8a5-419e-a586-42905bc5656c"
    static let l1Node = "69e9d6cc-5cd4-48e7-aa90-fb4f84926e65"
    static let l1Approve = "a91849c0-416b-463e-8670-28b0b76940fd"
    static let l1Reject = "ccaf9f1a-4da8-40ba-887d-f36a82ab9453"
    static let hrConfirm = "86c9545a-40b4-427d-8027-b09dc4e09747"
    static let bob = "67d98732-5a85-4f66-ba2f-26ee52b5e5be"

    /// The ticket id a seeded case's recordings were made on.
    static func ticket(of seedCase: String) -> String {
        let path = Recordings.load("rest", "ticket.ticket_detail_form.\(seedCase)")["request"]?["path"]?.stringValue ?? ""
        return String(path.split(separator: "/")[3])
    }

    /// The actions a seeded case's recording offers, as `type → id`.
    static func actionID(_ type: String, in seedCase: String) -> String {
        let actions = Recordings.restData("ticket.ticket_detail_actions.\(seedCase)")["actions"]?.arrayValue ?? []
        return actions.first { $0["type"]?.stringValue == type }?["id"]?.stringValue ?? ""
    }
}

extension ToolResult {
    /// The structured content as a JSON value (null on errors).
    var structured: JSONValue { structuredContent.map { .object($0) } ?? .null }
}
