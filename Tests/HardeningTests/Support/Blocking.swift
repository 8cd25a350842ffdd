import Glibc
import Synchronization

/// Runs blocking work (socket reads with `poll`, process waits) on its own POSIX thread and
/// awaits its result, so the cooperative pool (two threads on a two-core machine) never
/// stalls while an in-process gateway needs it.
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        detachThread { continuation.resume(returning: body()) }
    }
}

/// Runs `body` on a new detached POSIX thread (servers in tests block in `poll`).
func detachThread(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(ThreadWork(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
        &thread, nil,
        { context in
            guard let context else { return nil }
            Unmanaged<ThreadWork>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
    precondition(result == 0, "pthread_create failed: \(result)")
    pthread_detach(thread)
}

/// The closure a detached thread runs once.
private final class ThreadWork: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
