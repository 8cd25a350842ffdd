import Synchronization

/// Holds arriving tasks until `parties` of them are waiting at once, then releases them all.
/// A test uses it in an upstream route to prove that requests really run concurrently; the
/// timeout makes such a test fail instead of hanging.
package final class TestBarrier: Sendable {
    private struct State {
        var arrived = 0
        var isReleased = false
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    }

    private let parties: Int
    private let timeout: Duration
    private let state = Mutex(State())

    package init(parties: Int, timeout: Duration = .seconds(10)) {
        self.parties = parties
        self.timeout = timeout
    }

    /// How many tasks have arrived so far.
    package var arrived: Int { state.withLock { $0.arrived } }

    /// Waits for the others.
    /// - Returns: true when all parties met, false when this one gave up after the timeout.
    package func arrive() async -> Bool {
        await withCheckedContinuation { continuation in
            let (id, released) = state.withLock { state -> (Int, [CheckedContinuation<Bool, Never>]) in
                state.arrived += 1
                let id = state.arrived
                if state.isReleased || state.arrived >= parties {
                    state.isReleased = true
                    defer { state.waiters = [:] }
                    return (id, Array(state.waiters.values) + [continuation])
                }
                state.waiters[id] = continuation
                return (id, [])
            }
            guard released.isEmpty else {
                for waiter in released { waiter.resume(returning: true) }
                return
            }
            let timeout = self.timeout
            Task {
                try? await Task.sleep(for: timeout)
                self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
            }
        }
    }
}
