import Crypto
import Curl
import HTTPMessage
import JSON
import MCPCore
import Synchronization
import Testing
import TestSupport
import Tools

/// The one real request: sent once, never re-sent, not aborted, and reported honestly.
@Suite struct TicketHandleWriteTests {
    static let handlePath = "/api/v1.0/tickets/\(Seed.l1)/handle"

    static let agree: JSONObject = [
        "ticket_id": .string(Seed.l1), "action_type": "agree", "action_id": .string(Seed.l1Approve),
        "action_props": ["node_id": .string(Seed.l1Node), "comment": "ok"], "fields": ["lead_opinion": "fine"],
    ]

    static let comment: JSONObject = [
        "ticket_id": .string(Seed.l1), "action_type": "add_comment", "action_id": "add_comment",
        "action_props": ["comment": "looking at it"], "fields": ["lead_opinion": "-"], "dry_run": false,
    ]

    static let success = TestUpstream.recordingReply(named: "handle.agree.success.alice")

    @Test func sendsExactlyOneRequestAndAnswersHandled() async throws {
        let rig = try TicketToolRig()
        rig.upstream.route("POST", Self.handlePath, reply: Self.success)
        let result = await rig.handle(Self.agree, as: "alice")
        #expect(
            result.structured == [
                "dry_run": false, "ticket_id": .string(Seed.l1), "status": "handled", "action_type": "agree",
                "action_id": .string(Seed.l1Approve),
            ])
        let posts = rig.upstream.requests("POST", Self.handlePath)
        #expect(rig.postCount == 1)
        #expect(posts.first?.headers["Content-Type"] == "application/json")
        #expect(posts.first?.headers["Authorization"] == "Bearer \(TicketToolRig.token("alice"))")
        let body = try JSONParser().parse(posts.first?.body ?? [])
        #expect(
            body == [
                "action_type": "agree", "action_id": .string(Seed.l1Approve),
                "action_props": ["node_id": .string(Seed.l1Node), "comment": "ok"], "fields": ["lead_opinion": "fine"],
            ])
        // The detail calls came first; the write is the last request.
        #expect(rig.upstream.requests.last?.method == "POST")
    }

    @Test func addCommentSendsTheFallbackNode() async throws {
        let rig = try TicketToolRig()
        rig.upstream.route("POST", Self.handlePath, reply: Self.success)
        let result = await rig.handle(Self.comment, as: "alice")
        #expect(result.structuredContent?["status"] == "handled")
        let body = try JSONParser().parse(rig.upstream.requests("POST", Self.handlePath).first?.body ?? [])
        #expect(body["action_props"] == ["comment": "looking at it", "node_id": .string(Seed.l1Node)])
    }

    @Test func dryRunsSendNothing() async throws {
        let rig = try TicketToolRig()
        rig.upstream.route("POST", Self.handlePath, reply: Self.success)
        var arguments = Self.agree
        arguments["dry_run"] = true
        let result = await rig.handle(arguments, as: "alice")
        #expect(result.structuredContent?["status"] == "validated")
        #expect(rig.postCount == 0)
        #expect(rig.upstream.requests.count == 3)
    }

    @Test func loonflowsRefusalIsPassedOnWithAHint() async throws {
        let rig = try TicketToolRig()
        rig.upstream.route("POST", Self.handlePath, reply: TestUpstream.recordingReply(named: "handle.fail.missing_node_id.alice"))
        var arguments = Self.agree
        arguments["action_props"] = nil
        let result = await rig.handle(arguments, as: "alice")
        #expect(
            result.text == "Loonflow refused the request: current node has no permission to run this transition. "
                + "Send action_props.node_id equal to the action_base_node_id from ticket_detail.")
        #expect(rig.postCount == 1)
        #expect(rig.logs.events("audit.ticket_handle").first?["outcome"] == "failed")
    }

    @Test(arguments: [
        (TestReply.json(#"{"code":-1,"data":"","msg":"Internal Server Error"}"#), "Loonflow refused the request: Internal Server Error. Loonflow hit an unexpected error"),
        (TestReply.text("<h1>Server Error (500)</h1>", status: 500), "outcome unknown: Loonflow did not confirm the action. Loonflow answered HTTP 500"),
        (TestReply.text("bad gateway", status: 502), "outcome unknown: Loonflow did not confirm the action. Loonflow answered HTTP 502"),
        (TestReply.json("not json"), "outcome unknown: Loonflow did not confirm the action. Loonflow's answer could not be read"),
        (TestReply.closeWithoutReply, "outcome unknown: the request reached Loonflow but no complete answer came back"),
        (TestReply.partialBodyThenClose(status: 200, headers: ["Content-Type": "application/json"], body: Array(#"{"code":0,"data":{},"msg":""}"#.utf8), sentBytes: 5), "outcome unknown: the request reached Loonflow"),
    ])
    func failuresAfterSendingSayWhetherItMayHaveHappened(_ reply: TestReply, _ message: String) async throws {
        let rig = try TicketToolRig()
        rig.upstream.route("POST", Self.handlePath, reply: reply)
        let result = await rig.handle(Self.agree, as: "alice")
        #expect(result.isError)
        #expect(result.text.hasPrefix(message), "got: \(result.text)")
        #expect(result.text.contains("check the ticket with ticket_detail before retrying"))
        #expect(rig.postCount == 1)
    }

    @Test func aTimeoutAfterSendingIsAnUnknownOutcome() async throws {
        let rig = try TicketToolRig(options: CurlClientOptions(totalTimeoutMs: 3_000))
        rig.upstream.route("POST", Self.handlePath, reply: .hang)
        let result = await rig.handle(Self.agree, as: "alice")
        #expect(result.text.hasPrefix("outcome unknown: the request reached Loonflow but no complete answer came back (timedOut)"))
        #expect(result.text.hasSuffix("check the ticket with ticket_detail before retrying."))
        #expect(rig.postCount == 1)
    }

    @Test func theWriteIsNotResentWhenTheIdleConnectionsWereClosed() async throws {
        let rig = try TicketToolRig()
        rig.upstream.route("POST", Self.handlePath, reply: Self.success)
        let upstream = rig.upstream
        let closed = Mutex(0)
        // Logged after all detail answers were read, just before the write: kill the pool.
        rig.logs.onLine { line in
            guard line.contains("ticket_handle.add_comment.auto_node_id") else { return }
            let count = upstream.closeIdleConnections()
            closed.withLock { $0 += count }
        }
        let result = await rig.handle(Self.comment, as: "alice")
        #expect(result.structuredContent?["status"] == "handled", "\(result.text)")
        let getConnections = Set(rig.upstream.requests.filter { $0.method == "GET" }.map(\.connectionID))
        #expect(!getConnections.isEmpty)
        #expect(closed.withLock { $0 } == getConnections.count)
        let posts = rig.upstream.requests("POST", Self.handlePath)
        #expect(posts.count == 1)
        #expect(posts.first.map { !getConnections.contains($0.connectionID) } == true)
    }

    @Test func cancellingAfterTheWriteStartedDoesNotAbortIt() async throws {
        let rig = try TicketToolRig()
        let arrived = TestGate()
        let release = TestGate()
        defer { release.open() }
        rig.upstream.route("POST", Self.handlePath, TestUpstream.gated(release, arrived: arrived, Self.success))
        let call = Task { await rig.handle(Self.agree, as: "alice") }
        #expect(await arrived.wait(timeout: .seconds(20)))
        call.cancel()
        release.open()
        let result = await call.value
        #expect(result.structuredContent?["status"] == "handled", "\(result.text)")
        #expect(rig.postCount == 1)
        #expect(rig.logs.events("audit.ticket_handle").first?["outcome"] == "handled")
    }

    @Test func cancellingBeforeTheWriteSendsNothing() async throws {
        let rig = try TicketToolRig()
        let arrived = TestGate()
        let release = TestGate()
        defer { release.open() }
        rig.upstream.route("POST", Self.handlePath, reply: Self.success)
        rig.upstream.route(
            "GET", "/api/v1.0/tickets/\(Seed.l1)/ticket_detail_form",
            TestUpstream.gated(release, arrived: arrived, TestUpstream.recordingReply(named: "ticket.ticket_detail_form.L1_at_lead.alice")))
        let call = Task { await rig.handle(Self.agree, as: "alice") }
        #expect(await arrived.wait(timeout: .seconds(20)))
        call.cancel()
        release.open()
        let result = await call.value
        #expect(result.isError)
        #expect(result.text.contains("cancelled"))
        #expect(rig.postCount == 0)
    }

    @Test func theDetailRequestsOfAHandleRunConcurrently() async throws {
        let rig = try TicketToolRig(servesRecordings: false)
        let barrier = TestBarrier(parties: 3)
        for endpoint in ["ticket_detail_form", "ticket_detail_actions", "ticket_detail_admin_actions"] {
            rig.upstream.route(
                "GET", "/api/v1.0/tickets/\(Seed.l1)/\(endpoint)",
                TestUpstream.together(barrier, TestUpstream.recordingReply(named: "ticket.\(endpoint).L1_at_lead.bob")))
        }
        let result = await rig.handle(TicketHandleCheckTests.dryRun(Seed.l1, "add_comment", "add_comment"), as: "bob")
        #expect(barrier.arrived == 3)
        #expect(result.structuredContent?["status"] == "validated", "\(result.text)")
    }

    // MARK: Audit

    @Test func everyCallLogsOneAuditLineWithoutTheToken() async throws {
        let rig = try TicketToolRig()
        rig.upstream.route("POST", Self.handlePath, reply: Self.success)
        var dry = Self.agree
        dry["dry_run"] = true
        _ = await rig.handle(Self.agree, as: "alice")
        _ = await rig.handle(dry, as: "alice")
        _ = await rig.handle(["ticket_id": .string(Seed.l1), "handle_request": 1], as: "alice")
        _ = await TicketHandle(environment: rig.environment).call(arguments: Self.agree, context: ToolCallContext())
        _ = await rig.handle(TicketHandleCheckTests.dryRun(Seed.l1, "agree", Seed.l1Approve), as: "alice")
        let lines = rig.logs.events("audit.ticket_handle")
        let redacted = "lfpat.0000…"
        #expect(
            lines.map { $0["outcome"] } == [
                "handled", "validated", "refused: invalid arguments", "refused: no usable access token",
                "refused: missing required fields",
            ])
        #expect(lines.map { $0["user"] } == [.string(redacted), .string(redacted), "-", "-", .string(redacted)])
        #expect(lines.first?["ticket"] == .string(Seed.l1))
        #expect(lines.first?["action_type"] == "agree")
        #expect(lines.first?["action_id"] == .string(Seed.l1Approve))
        #expect(lines.map { $0["dry_run"] } == [false, true, false, false, true])
        #expect(lines.first?["level"] == "info")
        #expect(!rig.logs.lines.contains { $0.contains("Secret_x") })
    }

    @Test func theAuditLineNamesAJWTsUser() async throws {
        let rig = try TicketToolRig()
        let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = Base64URL.encode(Array(#"{"exp":4102444800,"data":{"id":"4f1c2d3e-0000-4000-8000-000000000001","email":"e@x.test"}}"#.utf8))
        let jwt = "\(header).\(payload).c2lnbmF0dXJl"
        var arguments = Self.agree
        arguments["access_token"] = .string(jwt)
        arguments["handle_request"] = ["action_type": "reject"]
        let result = await rig.handle(arguments, as: "alice")
        #expect(result.isError)
        let line = rig.logs.events("audit.ticket_handle").first
        #expect(line?["user"] == "4f1c2d3e-0000-4000-8000-000000000001")
        #expect(line?["action_type"] == "reject")
        #expect(line?["outcome"] == "refused: ticket detail unavailable")
        #expect(!rig.logs.lines.contains { $0.contains(payload) })
    }
}
