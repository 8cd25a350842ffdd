import JSON
import Synchronization

/// Runs a tool call in its own task, bounded in time. When the limit passes first the caller
/// gets a tool error at once and the call is cancelled (a write already sent is not aborted by
/// its tool, which is why the message then says the outcome is unknown). Cancelling the
/// caller's task (a client that went away) or the context's `cancellation`
/// (`notifications/cancelled`) cancels the call too.
enum Deadline {
    /// The call's task runs on `executor` when given (it is retained for the task's life, as
    /// task preferences are not).
    static func run(
        tool: any Tool, arguments: JSONObject, context: ToolCallContext, limit: Duration?,
        executor: (any TaskExecutor)? = nil
    ) async -> ToolResult {
        let work = WorkHandle()
        context.cancellation?.onCancel { work.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ToolResult, Never>) in
                let once = OnceResume(continuation)
                let timer = limit.map { limit in
                    DeadlineScheduler.shared.schedule(after: limit) {
                        if once.resume(timeoutResult(tool: tool, limit: limit)) { work.cancel() }
                    }
                }
                work.start(
                    Task(executorPreference: executor) {
                        _ = executor
                        let result = await tool.call(arguments: arguments, context: context)
                        if let timer { DeadlineScheduler.shared.cancel(timer) }
                        once.resume(result)
                    })
            }
        } onCancel: {
            work.cancel()
        }
    }

    static func timeoutResult(tool: any Tool, limit: Duration) -> ToolResult {
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

/// The task running a call, cancellable before it exists (the cancel then applies on start).
private final class WorkHandle: Sendable {
    private let state = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))

    func start(_ task: Task<Void, Never>) {
        let cancelNow = state.withLock { state -> Bool in
            state.task = task
            return state.cancelled
        }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
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

/// One timer for every call deadline: a single task that wakes every `tick` while deadlines
/// are pending. A sleeping task per call would keep its timer allocated until the full limit
/// passed even after the call ended, which grew memory with the call rate.
package final class DeadlineScheduler: Sendable {
    package static let shared = DeadlineScheduler()

    private struct State {
        var entries: [UInt64: (deadline: ContinuousClock.Instant, action: @Sendable () -> Void)] = [:]
        var nextID: UInt64 = 0
        var sweeping = false
    }

    private let state = Mutex(State())
    private let tick: Duration

    package init(tick: Duration = .milliseconds(50)) {
        self.tick = tick
    }

    /// Runs `action` once `delay` has passed, unless cancelled first; returns its id.
    package func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        let (id, startSweeper) = state.withLock { state -> (UInt64, Bool) in
            state.nextID += 1
            state.entries[state.nextID] = (.now + delay, action)
            defer { state.sweeping = true }
            return (state.nextID, !state.sweeping)
        }
        if startSweeper { Task { await sweep() } }
        return id
    }

    package func cancel(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    package var pendingCount: Int { state.withLock { $0.entries.count } }

    private func sweep() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let (due, done) = state.withLock { state -> ([@Sendable () -> Void], Bool) in
                let expired = state.entries.filter { $0.value.deadline <= now }
                for id in expired.keys { state.entries.removeValue(forKey: id) }
                if state.entries.isEmpty { state.sweeping = false }
                return (expired.values.map(\.action), state.entries.isEmpty)
            }
            for action in due { action() }
            if done { return }
        }
    }
}
