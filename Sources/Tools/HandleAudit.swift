package import Auth
package import JSON
package import Logging

/// What one `ticket_handle` call did, for its single audit line. Holds no token: the user is
/// the token's stated user id or its redacted form.
package struct HandleAudit {
    /// How far the call got; a failure before `.sent` is a refusal with this reason.
    package enum Stage: String {
        case arguments = "invalid arguments"
        case token = "no usable access token"
        case ticketID = "invalid ticket_id"
        case detail = "ticket detail unavailable"
        case action = "action_type or action_id missing"
        case actions = "actions unavailable"
        case permission = "no permission for action"
        case requiredFields = "missing required fields"
        case availability = "action not offered"
        case fieldValues = "invalid field values"
        case cancelled = "cancelled before sending"
        /// The handle request has been started: the outcome is Loonflow's.
        case sent = "sent"
    }

    package var user = "-"
    package var ticket: String
    package var actionType = ""
    package var actionID = ""
    package var dryRun = false
    package var stage = Stage.arguments

    package init(arguments: JSONObject) {
        ticket = String((arguments["ticket_id"]?.stringValue ?? "").prefix(64))
        actionType = String((arguments["action_type"]?.stringValue ?? "").prefix(64))
        actionID = String((arguments["action_id"]?.stringValue ?? "").prefix(64))
        dryRun = arguments["dry_run"]?.boolValue ?? false
    }

    package mutating func record(_ request: HandleRequest) {
        actionType = String(request.actionType.prefix(64))
        actionID = String(request.actionID.prefix(64))
    }

    package mutating func record(_ token: AccessToken) {
        user = token.userID ?? token.redacted
    }

    /// `validated`, `handled`, `refused: <reason>` or `failed`.
    package func outcome(succeeded: Bool) -> String {
        if succeeded { return dryRun ? "validated" : "handled" }
        return stage == .sent ? "failed" : "refused: \(stage.rawValue)"
    }

    package func write(to logger: Logger, succeeded: Bool) {
        logger.info(
            "audit.ticket_handle",
            [
                "user": .string(user), "ticket": .string(ticket), "action_type": .string(actionType),
                "action_id": .string(actionID), "dry_run": .bool(dryRun), "outcome": .string(outcome(succeeded: succeeded)),
            ])
    }
}
