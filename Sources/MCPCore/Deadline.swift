import JSON
import Synchronization

/// Bounds a tool call in time. The call runs in its own task; when the limit passes first
/// the caller gets a tool error at once and the call is cancelled (a write already sent
/// is not aborted by its tool, which is why the message then says the outcome is unknown).
/// Cancelling the caller (`notifications/cancelled`, a client that went away) cancels the
/// call too; the timer stops when the call ends.
enum Deadline {
    static func run(tool: any Tool, arguments: JSONObject, context: ToolCallContext, limit: Duration) async -> ToolResult {
        let work = Task { await tool.call(arguments: arguments, context: context) }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ToolResult, Never>) in
                let once = OnceResume(continuation)
                let timer = Task {
                    guard (try? await Task.sleep(for: limit)) != nil else { return }
                    if once.resume(timeoutResult(tool: tool, limit: limit)) { work.cancel() }
                }
                Task {
                    let result = await work.value
                    timer.cancel()
                    once.resume(result)
                }
            }
        } onCancel: {
            work.cancel()
        }
    }

    private static func timeoutResult(tool: any Tool, limit: Duration) -> ToolResult {
        let ms = limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000
        if tool.annotations.readOnly {
            return .failure(
                "\(tool.name) exceeded the gateway's call timeout (limits.call_timeout_ms = \(ms) ms) and was stopped; "
                    + "try again, or narrow the query")
        }
        return .failure(
            "\(tool.name) exceeded the gateway's call timeout (limits.call_timeout_ms = \(ms) ms); outcome unknown: "
                + "check the ticket with ticket_detail before retrying")
    }
}

/// Resumes a continuation at most once, from whichever task gets there first.
private final class OnceResume: Sendable {
    private let continuation: Mutex<CheckedContinuation<ToolResult, Never>?>

    init(_ continuation: CheckedContinuation<ToolResult, Never>) {
        self.continuation = Mutex(continuation)
    }

    /// Returns true when this call resumed it.
    @discardableResult
    func resume(_ result: ToolResult) -> Bool {
        guard let continuation = continuation.withLock({ value -> CheckedContinuation<ToolResult, Never>? in
            defer { value = nil }
            return value
        }) else { return false }
        continuation.resume(returning: result)
        return true
    }
}
