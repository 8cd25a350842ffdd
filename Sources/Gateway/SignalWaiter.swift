import Glibc

/// Turns SIGINT and SIGTERM into an awaitable event. The signals are blocked in every
/// thread (call `blockTermination` before any thread starts) and received by `sigwait`
/// on a dedicated thread, so no async-signal-unsafe code runs in a handler.
package enum SignalWaiter {
    package static func blockTermination() {
        var set = terminationSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    private static func terminationSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }

    /// Returns the signal number once SIGINT or SIGTERM arrives.
    package static func next() async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let box = Unmanaged.passRetained(SignalContinuation(continuation))
            var thread = pthread_t()
            pthread_create(&thread, nil, { raw in
                let waiter = Unmanaged<SignalContinuation>.fromOpaque(raw!).takeRetainedValue()
                var set = SignalWaiter.terminationSetForThread()
                var signal: Int32 = 0
                sigwait(&set, &signal)
                waiter.continuation.resume(returning: signal)
                return nil
            }, box.toOpaque())
            pthread_detach(thread)
        }
    }

    fileprivate static func terminationSetForThread() -> sigset_t { terminationSet() }
}

/// Threading: handed to the waiting thread once and used only there.
private final class SignalContinuation: @unchecked Sendable {
    let continuation: CheckedContinuation<Int32, Never>
    init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }
}
