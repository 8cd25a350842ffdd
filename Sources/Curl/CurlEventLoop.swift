internal import CCurl
internal import Glibc
import Synchronization

/// One dedicated thread that drives a libcurl multi handle: it adds queued transfers, runs
/// `curl_multi_perform`, hands finished transfers back, and sleeps in `curl_multi_poll`.
///
/// The multi handle's connection cache keeps idle keep-alive connections for later transfers.
///
/// Thread rule: `multi` (apart from `curl_multi_wakeup`, which is safe from any thread) and
/// `active` are used only by the loop thread; `state` is guarded by its `Mutex`. The multi
/// handle is freed in `deinit`, after the thread has ended and nobody can wake it any more.
final class CurlEventLoop: @unchecked Sendable {
    private enum Command {
        case add(Transfer)
        case cancel(Transfer)
    }

    private struct State {
        var commands: [Command] = []
        var shutdownRequested = false
        var thread: pthread_t?
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
        let accepted = state.withLock { state in
            guard !state.shutdownRequested else { return false }
            state.commands.append(.add(transfer))
            return true
        }
        if accepted {
            curl_multi_wakeup(multi)
        } else {
            transfer.finish(.shutDown, detachingFrom: nil)
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
            let (commands, stopping) = state.withLock { state in
                defer { state.commands = [] }
                return (state.commands, state.shutdownRequested)
            }
            guard !stopping else {
                endAll(pending: commands)
                return
            }
            commands.forEach(apply)
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            _ = curl_multi_poll(multi, nil, 0, 1_000, nil)
        }
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
