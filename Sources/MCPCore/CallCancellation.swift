import Synchronization

/// Lets a transport cancel one call (on `notifications/cancelled`) without running the call
/// in a task of its own: the call's runner registers how to stop it here.
package final class CallCancellation: Sendable {
    private let state = Mutex<(cancelled: Bool, handlers: [@Sendable () -> Void])>((false, []))

    package init() {}

    package var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Runs every registered handler once; later registrations run at once.
    package func cancel() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.cancelled else { return [] }
            state.cancelled = true
            defer { state.handlers = [] }
            return state.handlers
        }
        for handler in handlers { handler() }
    }

    package func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.cancelled { return true }
            state.handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }
}
