import Synchronization

/// Ready-made routes for common scripts: delays, gates, barriers and per-call sequences.
extension TestUpstream {
    /// Answers `reply` after sleeping `delay` (for client timeouts; never for timing asserts).
    package static func delayed(_ delay: Duration, _ reply: TestReply) -> Route {
        { _ in
            try? await Task.sleep(for: delay)
            return reply
        }
    }

    /// Answers `reply` once the test opens `gate`; opens `arrived` (if given) on arrival, so
    /// the test knows the request is being held.
    package static func gated(_ gate: TestGate, arrived: TestGate? = nil, _ reply: TestReply) -> Route {
        { _ in
            arrived?.open()
            await gate.wait()
            return reply
        }
    }

    /// Answers `reply` once `barrier` has gathered all its parties, or 503 when it timed out.
    package static func together(_ barrier: TestBarrier, _ reply: TestReply) -> Route {
        { _ in await barrier.arrive() ? reply : .text("barrier timed out", status: 503) }
    }

    /// Answers the n-th call with `replies[n]`, and every later call with `then`, so a test
    /// can make only the first attempt fail.
    package static func sequence(_ replies: [TestReply], then: TestReply) -> Route {
        let queue = ReplyQueue(replies)
        return { _ in queue.next() ?? then }
    }

    /// Waits until at least `count` requests have been recorded.
    /// - Returns: false when `timeout` passed first.
    package func waitForRequests(_ count: Int, timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while requests.count < count {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}

/// The replies a `sequence` route has not used yet.
private final class ReplyQueue: Sendable {
    private let remaining: Mutex<ArraySlice<TestReply>>

    init(_ replies: [TestReply]) { remaining = Mutex(replies[...]) }

    func next() -> TestReply? { remaining.withLock { $0.popFirst() } }
}
