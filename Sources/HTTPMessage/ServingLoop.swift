/// An event loop on one thread that runs tasks (it is their executor) and also serves
/// another component's descriptor, so that a request, its handler and the handler's
/// upstream transfers all stay on that thread. libcurl's transfer loop is one; the HTTP
/// front end is its guest.
package protocol ServingLoop: TaskExecutor {
    /// Adds `guest`: from now on the loop calls `guest.service()` on its thread every round
    /// (after polling, with the guest's descriptor among those it waits on).
    func host(_ guest: any LoopGuest)

    /// Runs `work` on the loop thread between rounds and returns once it ran (at once when
    /// called on the loop thread). Work that must not overlap `service()`, such as stopping
    /// the guest, goes through here.
    func runBetweenRounds(_ work: @escaping @Sendable () -> Void)

    /// Removes `guest`; once this returns the loop never calls it again.
    func evict(_ guest: any LoopGuest)
}

/// A component served by a `ServingLoop`.
package protocol LoopGuest: AnyObject, Sendable {
    /// The descriptor whose readability means `service()` has work.
    var descriptor: Int32 { get }
    /// Milliseconds until `service()` is due whatever the descriptor does; nil for never.
    var timeoutMilliseconds: Int? { get }
    /// Does what is ready, without blocking.
    func service()
}
