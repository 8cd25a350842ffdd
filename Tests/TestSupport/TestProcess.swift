package import Foundation
import Glibc
import Synchronization

/// What a finished child process left behind.
package struct ProcessOutput: Sendable {
    package var exitCode: Int32
    package var stdout: String
    package var stderr: String
    /// True when the process had to be killed because it outlived its time limit.
    package var timedOut: Bool

    package var combined: String { stdout + "\n" + stderr }
}

/// Runs child processes (the gateway executable, Python interop clients, nginx) with standard
/// output and error captured into temporary files, so a chatty child never blocks on a full
/// pipe. Every captured output is also kept in `TestProcess.allOutputs`.
///
/// Children are started with `posix_spawn` directly: Foundation's `Process.run()` crashed
/// (memcpy in the child set-up) when many tests started children at once.
package final class TestProcess: Sendable {
    package let processIdentifier: pid_t
    private let stdoutPath: String
    private let stderrPath: String
    private let folder: String
    /// The wait status once the child has been reaped.
    private let status = Mutex<Int32?>(nil)

    private static let captured = Mutex<[String]>([])

    /// Every stdout and stderr captured so far by any `TestProcess` in this test run.
    package static var allOutputs: [String] { captured.withLock { $0 } }

    /// Starts `executable` with exactly `environment` (plus `PATH`, `HOME` and `LANG` from this
    /// process unless given) and `stdin` as its standard input (empty when nil). It runs in a
    /// fresh empty folder unless `workingDirectory` says otherwise, so no `gateway.yaml` is
    /// picked up by accident. Signals are unblocked and at their defaults in the child.
    package init(
        executable: String, arguments: [String], environment: [String: String], stdin: [UInt8]? = nil,
        workingDirectory: String? = nil
    ) throws {
        let folder = FileManager.default.temporaryDirectory.path + "/lmg-proc-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        stdoutPath = folder + "/stdout"
        stderrPath = folder + "/stderr"
        let stdinPath = folder + "/stdin"
        _ = FileManager.default.createFile(atPath: stdinPath, contents: Data(stdin ?? []))
        self.folder = folder
        var env = environment
        let inherited = ProcessInfo.processInfo.environment
        for key in ["PATH", "HOME", "LANG"] where env[key] == nil { env[key] = inherited[key] }
        processIdentifier = try Self.spawn(
            executable, arguments: arguments, environment: env, directory: workingDirectory ?? folder,
            stdin: stdinPath, stdout: stdoutPath, stderr: stderrPath)
    }

    private static func spawn(
        _ executable: String, arguments: [String], environment: [String: String], directory: String,
        stdin: String, stdout: String, stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        // `env -C DIR` changes directory and execs the program in the same process (Glibc's
        // Swift overlay does not offer posix_spawn_file_actions_addchdir_np).
        let launcher = "/usr/bin/env"
        let argv = ([launcher, "-C", directory, executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, launcher, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw NSError(domain: "TestProcess", code: Int(result), userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable): \(String(cString: strerror(result)))"])
        }
        return pid
    }

    /// Reaps the child if it has exited; true when it has.
    private func reap() -> Bool {
        status.withLock { status in
            if status != nil { return true }
            var wait: Int32 = 0
            let result = waitpid(processIdentifier, &wait, WNOHANG)
            if result == processIdentifier {
                status = wait
                return true
            }
            if result < 0 {
                status = -1
                return true
            }
            return false
        }
    }

    package var isRunning: Bool { !reap() }

    /// What the child has written to standard error so far.
    package var stderrSoFar: String { Self.read(stderrPath) }
    package var stdoutSoFar: String { Self.read(stdoutPath) }

    /// Waits until standard error contains `marker`; returns the text so far, or nil after
    /// `timeout` or when the child exited first.
    package func waitForStderr(containing marker: String, timeout: Duration = .seconds(20)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = stderrSoFar
            if text.contains(marker) { return text }
            if !isRunning { return stderrSoFar.contains(marker) ? stderrSoFar : nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Asks the child to stop (SIGTERM) and collects its output.
    package func terminate(timeout: Duration = .seconds(20)) async -> ProcessOutput {
        if isRunning { kill(processIdentifier, SIGTERM) }
        return await finish(timeout: timeout)
    }

    /// Waits for the child to exit on its own (SIGKILL after `timeout`) and collects its output.
    package func finish(timeout: Duration = .seconds(60)) async -> ProcessOutput {
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while isRunning {
            if ContinuousClock.now >= deadline {
                kill(processIdentifier, SIGKILL)
                timedOut = true
                while isRunning { try? await Task.sleep(for: .milliseconds(5)) }
                break
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let output = ProcessOutput(
            exitCode: exitCode, stdout: Self.read(stdoutPath), stderr: Self.read(stderrPath), timedOut: timedOut)
        Self.captured.withLock { $0 += [output.stdout, output.stderr] }
        try? FileManager.default.removeItem(atPath: folder)
        return output
    }

    /// The exit status, 128 + the signal for a killed child, -1 when unknown.
    private var exitCode: Int32 {
        guard let wait = status.withLock({ $0 }), wait >= 0 else { return -1 }
        let signal = wait & 0x7F
        if signal == 0 { return (wait >> 8) & 0xFF }
        return 128 + signal
    }

    private static func read(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    /// Runs `executable` to completion.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: [UInt8]? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> ProcessOutput {
        try await TestProcess(executable: executable, arguments: arguments, environment: environment, stdin: stdin)
            .finish(timeout: timeout)
    }
}
