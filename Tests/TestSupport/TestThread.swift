import Glibc

/// Runs `body` on a new detached POSIX thread. Test servers and raw clients block in `poll`
/// and `recv`, which must stay off the cooperative pool (two threads on a two-core machine)
/// so an in-process gateway can still run its handler tasks.
package func detachThread(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
        &thread, nil,
        { context in
            guard let context else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
            return nil
        }, context)
    precondition(result == 0, "pthread_create failed: \(result)")
    pthread_detach(thread)
}

/// Runs blocking work on its own thread and awaits its result.
package func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        detachThread { continuation.resume(returning: body()) }
    }
}

/// Runs blocking work that may throw on its own thread and awaits its result.
package func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        detachThread { continuation.resume(with: Result { try body() }) }
    }
}

/// The closure a detached thread runs once.
private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
