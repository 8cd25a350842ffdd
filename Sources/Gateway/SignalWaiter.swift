import Glibc
import Synchronization

/// Turns SIGINT and SIGTERM into an awaitable event.
///
/// The signals are blocked in every thread started after `blockTermination` (call it before
/// any thread starts), but the main thread cannot be relied on to keep them blocked: with
/// top-level `await`, libdispatch parks it in `sigsuspend` with an empty mask, so it is the
/// thread the kernel picks. A handler therefore only writes the signal number into a pipe
/// (async-signal-safe), and a dedicated thread, which unblocks both signals for itself,
/// reads the pipe and resumes the waiting task.
package enum SignalWaiter {
    /// Blocks both signals in the calling thread (and so in threads it starts later) and
    /// installs the handlers, so a signal during start-up is kept for `next()`.
    package static func blockTermination() {
        var set = terminationSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        _ = installHandlers()
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
        guard let readEnd = installHandlers() else { return SIGTERM }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let box = Unmanaged.passRetained(SignalContinuation(continuation, readEnd: readEnd))
            var thread = pthread_t()
            pthread_create(&thread, nil, { raw in
                let waiter = Unmanaged<SignalContinuation>.fromOpaque(raw!).takeRetainedValue()
                var set = SignalWaiter.terminationSetForThread()
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                waiter.continuation.resume(returning: SignalWaiter.readSignal(from: waiter.readEnd))
                return nil
            }, box.toOpaque())
            pthread_detach(thread)
        }
    }

    /// Creates the pipe and installs the handlers once; returns the pipe's read end.
    private static func installHandlers() -> Int32? {
        let current = signalPipe.load(ordering: .acquiring)
        if current >= 0 { return Int32(truncatingIfNeeded: current >> 32) }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let packed = Int64(ends[0]) << 32 | Int64(ends[1])
        let (exchanged, existing) = signalPipe.compareExchange(expected: -1, desired: packed, ordering: .acquiringAndReleasing)
        guard exchanged else {
            close(ends[0])
            close(ends[1])
            return Int32(truncatingIfNeeded: existing >> 32)
        }
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = terminationHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
        return ends[0]
    }

    /// Blocks until the handler writes a signal number.
    fileprivate static func readSignal(from fd: Int32) -> Int32 {
        var byte: UInt8 = 0
        while true {
            let count = read(fd, &byte, 1)
            if count == 1 { return Int32(byte) }
            if count < 0, errno == EINTR { continue }
            return SIGTERM
        }
    }

    fileprivate static func terminationSetForThread() -> sigset_t { terminationSet() }
}

/// The pipe between the handler and the waiting thread: read end in the high 32 bits, write
/// end in the low 32 bits, -1 until created. An atomic so the handler reads it lock-free.
private let signalPipe = Atomic<Int64>(-1)

/// Runs in signal context: only an atomic load and `write(2)`, both async-signal-safe.
private func terminationHandler(_ number: Int32) {
    let packed = signalPipe.load(ordering: .acquiring)
    guard packed >= 0 else { return }
    var byte = UInt8(truncatingIfNeeded: number)
    let savedErrno = errno
    _ = write(Int32(truncatingIfNeeded: packed & 0xFFFF_FFFF), &byte, 1)
    errno = savedErrno
}

/// Threading: handed to the waiting thread once and used only there.
private final class SignalContinuation: @unchecked Sendable {
    let continuation: CheckedContinuation<Int32, Never>
    let readEnd: Int32
    init(_ continuation: CheckedContinuation<Int32, Never>, readEnd: Int32) {
        self.continuation = continuation
        self.readEnd = readEnd
    }
}
