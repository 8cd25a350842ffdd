internal import CCurl
internal import Glibc
import HTTPMessage
import Synchronization

/// One dedicated thread that drives a libcurl multi handle: it adds queued transfers, runs
/// `curl_multi_perform`, hands finished transfers back, and sleeps in `curl_multi_poll`.
///
/// It is also a task executor and a `ServingLoop`: tasks that prefer it run their jobs on the
/// loop thread between curl rounds, and guests (the HTTP front end) are polled and served in
/// the same rounds. A request is read, handled, sent upstream, answered and written back on
/// this one thread, with no thread wake-up anywhere on the way.
///
/// The multi handle's connection cache keeps idle keep-alive connections for later transfers.
///
/// Thread rule: `multi` (apart from `curl_multi_wakeup`, which is safe from any thread) and
/// `active` are used only by the loop thread; `state` is guarded by its `Mutex`. The multi
/// handle is freed in `deinit`, after the thread has ended and nobody can wake it any more.
final class CurlEventLoop: ServingLoop, @unchecked Sendable {
    private enum Command {
        case add(Transfer)
        case cancel(Transfer)
        case host(any LoopGuest)
        /// Work for the loop thread, and what to call once it ran.
        case run(@Sendable () -> Void, done: @Sendable () -> Void)
    }

    private struct State {
        var commands: [Command] = []
        /// Task jobs waiting for the loop thread.
        var jobs: [UnownedJob] = []
        var shutdownRequested = false
        /// The loop has ended: jobs go to the global executor from now on.
        var stopped = false
        var thread: pthread_t?

        var isOnLoopThread: Bool { thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    private let multi: UnsafeMutableRawPointer
    private let state = Mutex(State())
    /// Transfers inside the multi handle, by easy handle. Loop thread only.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    /// Components served on the loop thread (the HTTP front end), and the descriptors the
    /// loop waits on for them. Loop thread only.
    private var guests: [any LoopGuest] = [] {
        didSet { guestDescriptors = guests.map { curl_waitfd(fd: $0.descriptor, events: 0x0001 /* CURL_WAIT_POLLIN */, revents: 0) } }
    }
    private var guestDescriptors: [curl_waitfd] = []

    /// Creates the multi handle and starts the loop thread.
    /// - Parameter maxConnectionsPerHost: a cap on parallel connections to one host, or nil.
    /// - Throws: `CurlError` when libcurl or the thread cannot be set up.
    init(maxConnectionsPerHost: Int?) throws(CurlError) {
        try ensureCurlGlobalInit()
        guard let multi = curl_multi_init() else {
            throw CurlError(code: -1, operation: "curl_multi_init")
        }
        self.multi = multi
        try check(
            ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, ccurl_pipe_multiplex()),
            operation: "multi setopt PIPELINING")
        if let maxConnectionsPerHost {
            try check(
                ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost),
                operation: "multi setopt MAX_HOST_CONNECTIONS")
        }
        try startThread()
    }

    deinit {
        curl_multi_cleanup(multi)
    }

    /// Queues a transfer; after shutdown it ends at once as `.shutDown`.
    func submit(_ transfer: Transfer) {
        let (accepted, wake) = state.withLock { state in
            guard !state.shutdownRequested else { return (false, false) }
            state.commands.append(.add(transfer))
            return (true, !state.isOnLoopThread)
        }
        if !accepted {
            transfer.finish(.shutDown, detachingFrom: nil)
        } else if wake {
            curl_multi_wakeup(multi)
        }
    }

    // MARK: Guests

    func host(_ guest: any LoopGuest) {
        queue(.host(guest))
    }

    func evict(_ guest: any LoopGuest) {
        let id = ObjectIdentifier(guest)
        runBetweenRounds { [self] in guests.removeAll { ObjectIdentifier($0) == id } }
    }

    func runBetweenRounds(_ work: @escaping @Sendable () -> Void) {
        if isCurrent {
            work()
            return
        }
        let signal = CompletionSignal()
        // Until the loop has stopped it runs every queued command, on its way out too.
        let queued = state.withLock { state in
            guard !state.stopped else { return false }
            state.commands.append(.run(work, done: { signal.fire() }))
            return true
        }
        guard queued else {
            work()
            return
        }
        curl_multi_wakeup(multi)
        signal.wait()
    }

    /// Queues a command from any thread; the loop thread itself needs no wake-up.
    private func queue(_ command: Command) {
        let wake = state.withLock { state in
            state.commands.append(command)
            return !state.isOnLoopThread
        }
        if wake { curl_multi_wakeup(multi) }
    }

    /// Whether the caller runs on the loop thread.
    var isCurrent: Bool { state.withLock { $0.isOnLoopThread } }

    /// Runs `job` on the loop thread; a job queued from the loop thread itself needs no
    /// wake-up, since the loop runs queued jobs before it sleeps. Once the loop has ended,
    /// jobs run on the global concurrent executor, so no task is ever stranded.
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let (queued, wake) = state.withLock { state in
            guard !state.stopped else { return (false, false) }
            state.jobs.append(unowned)
            return (true, !state.isOnLoopThread)
        }
        if !queued {
            globalConcurrentExecutor.enqueue(ExecutorJob(unowned))
        } else if wake {
            curl_multi_wakeup(multi)
        }
    }

    /// Asks the loop to drop a transfer whose task was cancelled (see `honoursCancellation`).
    func cancel(_ transfer: Transfer) {
        transfer.cancelRequested.store(true, ordering: .sequentiallyConsistent)
        let queued = state.withLock { state in
            guard !state.shutdownRequested else { return false }
            state.commands.append(.cancel(transfer))
            return true
        }
        if queued { curl_multi_wakeup(multi) }
    }

    /// Ends every pending transfer as `.shutDown` and waits for the thread to stop (unless
    /// called on the loop thread itself, which then stops after the current round).
    func shutdown() {
        let thread: pthread_t? = state.withLock { state in
            guard !state.shutdownRequested else { return nil }
            state.shutdownRequested = true
            return state.thread
        }
        guard let thread else { return }
        curl_multi_wakeup(multi)
        if pthread_equal(thread, pthread_self()) == 0 {
            pthread_join(thread, nil)
        }
    }

    private func startThread() throws(CurlError) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                Unmanaged<CurlEventLoop>.fromOpaque(context).takeRetainedValue().run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<CurlEventLoop>.fromOpaque(context).release()
            throw CurlError(code: Int(result), operation: "pthread_create")
        }
        state.withLock { $0.thread = thread }
    }

    // MARK: - Loop thread

    private func run() {
        while true {
            runQueuedJobs()
            let (commands, stopping) = state.withLock { state in
                defer { state.commands = [] }
                return (state.commands, state.shutdownRequested)
            }
            guard !stopping else {
                endAll(pending: commands)
                finishStopping()
                return
            }
            commands.forEach(apply)
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            for guest in guests { guest.service() }
            // Jobs resumed by finished transfers (or queued meanwhile) run before any sleep.
            let idle = state.withLock { $0.jobs.isEmpty && $0.commands.isEmpty && !$0.shutdownRequested }
            if idle { poll() }
        }
    }

    /// Sleeps until a transfer, a guest's descriptor or a wake-up needs the loop, or the
    /// earliest guest deadline (at most a second).
    private func poll() {
        var timeout = 1_000
        for guest in guests { if let due = guest.timeoutMilliseconds { timeout = min(timeout, due) } }
        _ = guestDescriptors.withUnsafeMutableBufferPointer { buffer in
            curl_multi_poll(multi, buffer.baseAddress, UInt32(buffer.count), Int32(timeout), nil)
        }
    }

    /// Runs the task jobs queued so far, and those they queue in turn.
    private func runQueuedJobs() {
        while true {
            let jobs = state.withLock { state in
                defer { state.jobs = [] }
                return state.jobs
            }
            if jobs.isEmpty { return }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }

    /// Marks the loop stopped, ends the commands that came in since its last look, and hands
    /// jobs still queued to the global executor.
    private func finishStopping() {
        let (jobs, commands) = state.withLock { state in
            state.stopped = true
            defer {
                state.jobs = []
                state.commands = []
            }
            return (state.jobs, state.commands)
        }
        endAll(pending: commands)
        for job in jobs { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    private func apply(_ command: Command) {
        switch command {
        case .add(let transfer):
            if transfer.cancelRequested.load(ordering: .sequentiallyConsistent) {
                transfer.finish(.cancelled, detachingFrom: nil)
                return
            }
            let code = curl_multi_add_handle(multi, transfer.easy.raw)
            guard code == CURLM_OK else {
                transfer.finish(.completed(CURLE_OUT_OF_MEMORY), detachingFrom: nil)
                return
            }
            active[transfer.easy.raw] = transfer
        case .cancel(let transfer):
            guard active[transfer.easy.raw] === transfer, transfer.honoursCancellation else { return }
            active[transfer.easy.raw] = nil
            transfer.finish(.cancelled, detachingFrom: multi)
        case .host(let guest):
            guests.append(guest)
        case .run(let work, let done):
            work()
            done()
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard ccurl_msg_is_done(message) != 0, let easy = ccurl_msg_easy_handle(message),
                let transfer = active.removeValue(forKey: easy)
            else { continue }
            // The message dies with curl_multi_remove_handle: read the result first.
            let code = ccurl_msg_result(message)
            transfer.finish(.completed(code), detachingFrom: multi)
        }
    }

    private func endAll(pending commands: [Command]) {
        guests = []
        for command in commands {
            switch command {
            case .add(let transfer): transfer.finish(.shutDown, detachingFrom: nil)
            case .run(let work, let done):
                work()
                done()
            case .cancel, .host: break
            }
        }
        for transfer in active.values {
            transfer.finish(.shutDown, detachingFrom: multi)
        }
        active = [:]
    }
}

/// Lets one thread wait until another says a piece of work is done. Blocking on purpose:
/// the waiter (stopping a guest) needs the loop to have finished its round.
///
/// Threading: `fired` is read and written only under `mutex`.
private final class CompletionSignal: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var fired = false

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func fire() {
        pthread_mutex_lock(mutex)
        fired = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    func wait() {
        pthread_mutex_lock(mutex)
        while !fired { pthread_cond_wait(condition, mutex) }
        pthread_mutex_unlock(mutex)
    }
}
