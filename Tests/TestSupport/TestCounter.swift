import Synchronization

/// A counter shared between tasks and threads.
package final class TestCounter: Sendable {
    private let count = Mutex(0)

    package init() {}

    package var value: Int { count.withLock { $0 } }

    package func increment() { _ = next() }

    /// Counts one more and returns the new value: hands out 1, 2, 3, … across tasks.
    package func next() -> Int { count.withLock { $0 += 1; return $0 } }
}
