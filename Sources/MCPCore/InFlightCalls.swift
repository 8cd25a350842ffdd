import Synchronization

/// Calls in progress, keyed by who sent them and their JSON-RPC id, so that
/// `notifications/cancelled` from one caller can never cancel another caller's call.
package final class InFlightCalls: Sendable {
    package struct Key: Hashable, Sendable {
        /// A session id, or the hash of the caller's token in stateless mode.
        package var caller: String
        package var requestID: JSONRPCID

        package init(caller: String, requestID: JSONRPCID) {
            self.caller = caller
            self.requestID = requestID
        }
    }

    private let calls = Mutex<[Key: @Sendable () -> Void]>([:])

    package init() {}

    /// Registers `cancel` for the call; returns false when the same key is already running.
    @discardableResult
    package func register(_ key: Key, cancel: @escaping @Sendable () -> Void) -> Bool {
        calls.withLock { calls in
            guard calls[key] == nil else { return false }
            calls[key] = cancel
            return true
        }
    }

    package func finish(_ key: Key) {
        _ = calls.withLock { $0.removeValue(forKey: key) }
    }

    /// Cancels the call if it is still running; returns whether one was found.
    @discardableResult
    package func cancel(_ key: Key) -> Bool {
        let cancel = calls.withLock { $0.removeValue(forKey: key) }
        cancel?()
        return cancel != nil
    }

    package var count: Int { calls.withLock { $0.count } }
}
