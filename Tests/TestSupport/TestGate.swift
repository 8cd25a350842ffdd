import Synchronization

/// A one-way gate: tasks wait until the test opens it. Lets a test decide when an upstream
/// answers, or learn that a request has arrived, without sleeping. A waiting task that is
/// cancelled stops waiting, so a server that cancels its handlers can always stop.
package final class TestGate: Sendable {
    private struct State {
        var isOpen = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    package var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Lets every current and future waiter through.
    package func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [:] }
            return state.waiters
        }
        for waiter in waiters.values { waiter.resume(returning: true) }
    }

    /// Waits until the gate opens (or the waiting task is cancelled).
    package func wait() async {
        _ = await wait(timeout: nil)
    }

    /// Waits until the gate opens, `timeout` passes or the waiting task is cancelled. The
    /// timeout only bounds a failing test; no assertion depends on how long anything took.
    /// - Returns: true when the gate opened.
    package func wait(timeout: Duration?) async -> Bool {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answerNow: Bool? = state.withLock { state in
                    if state.isOpen { return true }
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let answerNow { return continuation.resume(returning: answerNow) }
                guard let timeout else { return }
                Task {
                    try? await Task.sleep(for: timeout)
                    self.resumeWaiter(id)
                }
            }
        } onCancel: {
            resumeWaiter(id)
        }
    }

    /// Lets one waiter go without the gate opening.
    private func resumeWaiter(_ id: Int) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
    }
}
