internal import Glibc

/// The closure a helper thread runs, kept alive until the thread starts it.
private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Starts a joinable thread running `body` (the server's helper threads).
/// - Throws: `HTTPServerError` of kind `.startFailed` when the thread cannot be created.
func startServerThread(_ body: @escaping @Sendable () -> Void) throws(HTTPServerError) -> pthread_t {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
        &thread, nil,
        { context in
            Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
    guard result == 0 else {
        Unmanaged<ThreadBody>.fromOpaque(context).release()
        throw HTTPServerError(.startFailed, detail: "pthread_create: \(BindAddress.describe(result))")
    }
    return thread
}
