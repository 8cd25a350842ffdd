import Testing
import JSON
import TestSupport

/// Ticket L1 from the recordings, waiting at its lead's node, which Alice may approve: the
/// three detail answers come from `Fixtures/recordings`, and the handle POST is held at a gate.
struct HandleScenario {
    static let ticket = "b5c9349a-5926-4f09-bf48-10cc61bbdc63"
    static let node = "69e9d6cc-5cd4-48e7-aa90-fb4f84926e65"
    static let approve = "a91849c0-416b-463e-8670-28b0b76940fd"
    static var handlePath: String { "/api/v1.0/tickets/\(ticket)/handle" }

    /// Opens when the POST has reached the upstream.
    let posted = TestGate()
    /// The upstream answers the POST once this opens.
    let release = TestGate()

    /// Serves the detail calls and the held POST on `upstream`.
    func install(on upstream: TestUpstream) {
        for endpoint in ["ticket_detail_form", "ticket_detail_actions", "ticket_detail_admin_actions"] {
            upstream.route(
                "GET", "/api/v1.0/tickets/\(Self.ticket)/\(endpoint)",
                reply: TestUpstream.recordingReply(named: "ticket.\(endpoint).L1_at_lead.alice"))
        }
        upstream.route(
            "POST", Self.handlePath,
            TestUpstream.gated(release, arrived: posted, TestUpstream.recordingReply(named: "handle.agree.success.alice")))
    }

    /// `tools/call` parameters approving the ticket.
    static var params: JSONObject {
        [
            "name": "ticket_handle",
            "arguments": [
                "ticket_id": .string(ticket), "action_type": "agree", "action_id": .string(approve),
                "action_props": ["node_id": .string(node), "comment": "approved"],
                "fields": ["lead_opinion": "fine by me"],
            ],
        ]
    }
}
