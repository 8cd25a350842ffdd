internal import CCurl
internal import Glibc
import Synchronization

/// One dedicated thread that drives a libcurl multi handle: it adds queued transfers, runs
/// `curl_multi_perform`, hands finished transfers back, and sleeps in `curl_multi_poll`.
///
/// It is also a task executor: tasks that prefer it run their jobs on the loop thread between
/// curl rounds. A call handled there submits its transfer and is resumed with the answer on
/// the same thread, so the transfer costs no thread wake-up at either end.
///
/// The multi handle's connection cache keeps idle keep-alive connections for later transfers.
///
/// Thread rule: `multi` (apart from `curl_multi_wakeup`, which is safe from any thread) and
/// `active` are used only by the loop thread; `state` is guarded by its `Mutex`. The multi
/// handle is freed in `deinit`, after the thread has ended and nobody can wake it any more.
final class CurlEventLoop: TaskExecutor, @unchecked Sendable {
    private enum Command {
        case add(Transfer)
        case cancel(Transfer)
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
                stopRunningJobs()
                return
            }
            commands.forEach(apply)
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            // Jobs resumed by finished transfers (or queued meanwhile) run before any sleep.
            let idle = state.withLock { $0.jobs.isEmpty && $0.commands.isEmpty && !$0.shutdownRequested }
            if idle { _ = curl_multi_poll(multi, nil, 0, 1_000, nil) }
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

    /// Marks the loop stopped and hands jobs still queued to the global executor.
    private func stopRunningJobs() {
        let jobs = state.withLock { state in
            state.stopped = true
            defer { state.jobs = [] }
            return state.jobs
        }
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
        for command in commands {
            if case .add(let transfer) = command {
                transfer.finish(.shutDown, detachingFrom: nil)
            }
        }
        for transfer in active.values {
            transfer.finish(.shutDown, detachingFrom: multi)
        }
        active = [:]
    }
}
