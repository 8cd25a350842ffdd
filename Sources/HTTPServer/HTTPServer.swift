internal import CMicroHTTPD
internal import Glibc
package import HTTPMessage
import Synchronization

/// The HTTP/1.1 front end: a libmicrohttpd daemon that hands each complete request to an
/// `HTTPHandler` and writes back its response.
///
/// libmicrohttpd runs one epoll thread: its own, or, given a `ServingLoop`, the loop's
/// (libcurl's transfer thread), which then also runs the handler tasks, so a call and its
/// upstream transfers never change threads. "libmicrohttpd's thread" below means whichever
/// it is. When a request is complete its connection is suspended and the handler runs in a
/// task; the answer is queued when the connection is resumed, so a slow handler holds no
/// thread. Streamed bodies are written chunk by chunk,
/// and a client that leaves early gets its handler task cancelled.
///
/// Threading: every method may be called from any thread or task; the lifecycle is kept
/// behind a Mutex.
package final class HTTPServer: Sendable {
    private enum Lifecycle {
        case idle
        case running(daemon: MHDHandle, port: UInt16, core: Unmanaged<ServerCore>, listener: Int32?)
        case stopped
    }

    private let options: HTTPServerOptions
    private let address: BindAddress
    private let core: ServerCore
    private let lifecycle = Mutex(Lifecycle.idle)
    /// The loop that drives libmicrohttpd in place of its own thread, when given.
    private let servingLoop: (any ServingLoop)?
    /// The daemon as the serving loop's guest, while it runs.
    private let guest = Mutex<DaemonGuest?>(nil)

    /// Checks the options; nothing is bound until `start()`.
    /// - Parameter servingLoop: a loop (libcurl's transfer thread) that runs libmicrohttpd and
    ///   the handler tasks on its own thread, so that a request, its handler and the handler's
    ///   upstream transfers never change threads; nil gives libmicrohttpd a thread of its own
    ///   and handlers the global executor.
    /// - Throws: `HTTPServerError` for a host that is not a numeric address or a
    ///   negative or zero limit.
    package init(
        options: HTTPServerOptions = HTTPServerOptions(), handler: any HTTPHandler,
        servingLoop: (any ServingLoop)? = nil
    ) throws(HTTPServerError) {
        try Self.validate(options)
        self.options = options
        self.servingLoop = servingLoop
        address = try BindAddress(host: options.host, port: options.port)
        core = ServerCore(
            handler: handler, handlerExecutor: servingLoop, options: options, watcher: try DisconnectWatcher(),
            headDeadline: try HeadDeadline(seconds: options.headerTimeoutSeconds))
    }

    deinit {
        if case .running = lifecycle.withLock({ $0 }) { shutDown() }
    }

    /// The port the server listens on (the OS's choice when the options said 0); nil
    /// before `start()` and after `stop`.
    package var boundPort: UInt16? {
        lifecycle.withLock { lifecycle in
            if case .running(_, let port, _, _) = lifecycle { return port }
            return nil
        }
    }

    /// Binds the address and starts serving.
    /// - Throws: `HTTPServerError`: `.addressInUse`, `.addressNotAvailable`,
    ///   `.permissionDenied`, `.invalidState` when called twice, `.startFailed` otherwise.
    package func start() throws(HTTPServerError) {
        try lifecycle.withLock { (lifecycle: inout Lifecycle) throws(HTTPServerError) in
            guard case .idle = lifecycle else {
                throw HTTPServerError(.invalidState, detail: "start() called on a server that already ran")
            }
            try address.checkBindable()
            try core.watcher.start()
            do throws(HTTPServerError) {
                try core.headDeadline.start()
            } catch {
                core.watcher.stop()
                throw error
            }
            let retained = Unmanaged.passRetained(core)
            guard let daemon = startDaemon(core: retained.toOpaque()) else {
                let reason = BindAddress.describe(errno)
                retained.release()
                core.watcher.stop()
                core.headDeadline.stop()
                throw HTTPServerError(
                    .startFailed, detail: "libmicrohttpd could not start on \(address.displayName): \(reason)")
            }
            lifecycle = .running(
                daemon: MHDHandle(pointer: daemon), port: cmhd_daemon_bound_port(daemon), core: retained,
                listener: nil)
            if let servingLoop {
                let guest = DaemonGuest(daemon: MHDHandle(pointer: daemon), core: core)
                self.guest.withLock { $0 = guest }
                servingLoop.host(guest)
            }
        }
    }

    /// Stops accepting connections: new ones are refused at once, requests in flight carry
    /// on, and their responses close their connections. `stop` calls this first.
    package func stopAccepting() {
        lifecycle.withLock { lifecycle in
            guard case .running(let daemon, let port, let core, nil) = lifecycle else { return }
            let listener = onDaemonThread { MHD_quiesce_daemon(daemon.pointer) }
            // libmicrohttpd no longer polls the socket but keeps it open until we close it
            // after MHD_stop_daemon; shutting it down makes the kernel refuse new clients.
            if listener >= 0 { _ = shutdown(listener, Int32(SHUT_RDWR)) }
            lifecycle = .running(daemon: daemon, port: port, core: core, listener: listener)
        }
        core.beginDraining()
    }

    /// Runs `work` where it cannot overlap libmicrohttpd's own processing: between the serving
    /// loop's rounds when there is one (the library's thread handles this itself otherwise).
    private func onDaemonThread(_ work: @escaping @Sendable () -> Int32) -> Int32 {
        guard let servingLoop, guest.withLock({ $0 }) != nil else { return work() }
        let result = Mutex<Int32>(-1)
        servingLoop.runBetweenRounds { result.withLock { $0 = work() } }
        return result.withLock { $0 }
    }

    /// Stops gracefully: refuses new connections, waits up to `gracePeriod` for requests
    /// in flight to finish, then cancels the rest and shuts libmicrohttpd down.
    /// Returns at once when the server is not running.
    package func stop(gracePeriod: Duration = .seconds(10)) async {
        guard case .running = lifecycle.withLock({ $0 }) else { return }
        stopAccepting()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [core] in await core.waitUntilIdle() }
            group.addTask { try? await Task.sleep(for: gracePeriod) }
            await group.next()
            group.cancelAll()
        }
        shutDown()
    }

    /// Aborts what is left and stops the daemon; joins libmicrohttpd's thread.
    private func shutDown() {
        let running = lifecycle.withLock { lifecycle -> (MHDHandle, Unmanaged<ServerCore>, Int32?)? in
            guard case .running(let daemon, _, let core, let listener) = lifecycle else { return nil }
            lifecycle = .stopped
            return (daemon, core, listener)
        }
        guard let (daemon, retainedCore, listener) = running else { return }
        core.abortAll()
        // Out of the serving loop first: from here on only this thread uses the daemon.
        if let servingLoop, let guest = guest.withLock({ state in defer { state = nil }; return state }) {
            servingLoop.evict(guest)
        }
        MHD_stop_daemon(daemon.pointer)
        if let listener, listener >= 0 { close(listener) }
        retainedCore.release()
        core.watcher.stop()
        core.headDeadline.stop()
    }

    private func startDaemon(core: UnsafeMutableRawPointer) -> OpaquePointer? {
        address.withSocketAddress { socketAddress, _ in
            var items = [
                cmhd_option_external_logger(libraryLogged, core),
                cmhd_option_sock_addr(socketAddress),
                cmhd_option_connection_limit(UInt32(options.maxConnections)),
                cmhd_option_connection_timeout(UInt32(options.connectionTimeoutSeconds)),
                cmhd_option_connection_memory_limit(options.connectionMemoryBytes),
                cmhd_option_uri_log(uriLogged, core),
                cmhd_option_notify_completed(requestCompleted, core),
                cmhd_option_notify_connection(connectionNotified, core),
                cmhd_option_end(),
            ]
            return items.withUnsafeMutableBufferPointer {
                cmhd_start_daemon(
                    servingLoop == nil ? cmhd_daemon_flags(address.isIPv6) : cmhd_hosted_daemon_flags(address.isIPv6),
                    address.port, accessHandler, core, $0.baseAddress)
            }
        }
    }

    private static func validate(_ options: HTTPServerOptions) throws(HTTPServerError) {
        let limits: [(String, Int, ClosedRange<Int>)] = [
            ("maxBodyBytes", options.maxBodyBytes, 0...Int(Int32.max)),
            ("maxConnections", options.maxConnections, 1...1_000_000),
            ("connectionTimeoutSeconds", options.connectionTimeoutSeconds, 0...86_400),
            ("headerTimeoutSeconds", options.headerTimeoutSeconds, 0...86_400),
            ("connectionMemoryBytes", options.connectionMemoryBytes, 4096...(16 * 1024 * 1024)),
        ]
        for (name, value, range) in limits where !range.contains(value) {
            throw HTTPServerError(
                .invalidOption,
                detail: "\(name) is \(value); it must be in \(range.lowerBound)...\(range.upperBound)")
        }
    }
}

/// A daemon without its own thread, served by a `ServingLoop`: the loop waits on the daemon's
/// epoll descriptor and calls `MHD_run`, which then runs every libmicrohttpd callback on
/// the loop thread.
///
/// Threading: `service` runs only on the loop thread; the daemon is stopped only after the
/// guest has been evicted.
final class DaemonGuest: LoopGuest, @unchecked Sendable {
    private let daemon: MHDHandle
    private let core: ServerCore
    let descriptor: Int32

    init(daemon: MHDHandle, core: ServerCore) {
        self.daemon = daemon
        self.core = core
        descriptor = cmhd_daemon_epoll_fd(daemon.pointer)
    }

    var timeoutMilliseconds: Int? {
        let timeout = cmhd_daemon_timeout_ms(daemon.pointer)
        return timeout < 0 ? nil : Int(timeout)
    }

    /// Runs the daemon; once more when a connection closed meanwhile: libmicrohttpd frees a
    /// closed connection at the end of a run but takes its listening socket back into the
    /// epoll set (when it was at `maxConnections`) only at the start of the next, and a client
    /// waiting in the backlog raises no event until then.
    func service() {
        core.connectionClosedDuringRun.store(false, ordering: .relaxed)
        _ = MHD_run(daemon.pointer)
        if core.connectionClosedDuringRun.exchange(false, ordering: .relaxed) { _ = MHD_run(daemon.pointer) }
    }
}
