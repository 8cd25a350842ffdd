import Foundation
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

/// Runs child processes (the gateway executable, Python interop clients) with standard
/// output and error captured into temporary files, so a chatty child never blocks on a
/// full pipe. Every captured output is also kept in `TestProcess.allOutputs`.
package final class TestProcess: @unchecked Sendable {
    // Safety: `process` is configured before `run()` and afterwards only read through
    // Foundation's own thread-safe accessors; the file paths are immutable.
    private let process = Process()
    private let stdoutPath: String
    private let stderrPath: String
    private let folder: String
    private let exited = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let hasExited = Atomic<Bool>(false)

    private static let captured = Mutex<[String]>([])

    /// Every stdout and stderr captured so far by any `TestProcess` in this test run.
    package static var allOutputs: [String] { captured.withLock { $0 } }

    /// Starts `executable` with exactly `environment` (plus `PATH` and `HOME` from this process
    /// unless given) and `stdin` as its standard input (empty when nil). It runs in a fresh
    /// empty folder unless `workingDirectory` says otherwise, so no `gateway.yaml` is picked up
    /// by accident.
    package init(
        executable: String, arguments: [String], environment: [String: String], stdin: [UInt8]? = nil,
        workingDirectory: String? = nil
    ) throws {
        let folder = FileManager.default.temporaryDirectory.path + "/lmg-proc-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        stdoutPath = folder + "/stdout"
        stderrPath = folder + "/stderr"
        let stdinPath = folder + "/stdin"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stdinPath, contents: Data(stdin ?? []))
        self.folder = folder
        var env = environment
        let inherited = ProcessInfo.processInfo.environment
        for key in ["PATH", "HOME", "LANG"] where env[key] == nil { env[key] = inherited[key] }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory ?? folder)
        process.environment = env
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle(forReadingAtPath: stdinPath)
        process.terminationHandler = { [weak self] _ in self?.markExited() }
        try process.run()
    }

    private func markExited() {
        hasExited.store(true, ordering: .sequentiallyConsistent)
        exited.withLock { continuation -> CheckedContinuation<Void, Never>? in
            defer { continuation = nil }
            return continuation
        }?.resume()
    }

    package var processIdentifier: Int32 { process.processIdentifier }

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
            if hasExited.load(ordering: .sequentiallyConsistent) { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Asks the child to stop (SIGTERM) and collects its output.
    package func terminate(timeout: Duration = .seconds(20)) async -> ProcessOutput {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        return await finish(timeout: timeout)
    }

    /// Waits for the child to exit on its own (SIGKILL after `timeout`) and collects its output.
    package func finish(timeout: Duration = .seconds(60)) async -> ProcessOutput {
        let timedOut = await waitForExit(timeout: timeout)
        let output = ProcessOutput(
            exitCode: process.isRunning ? -1 : process.terminationStatus, stdout: Self.read(stdoutPath),
            stderr: Self.read(stderrPath), timedOut: timedOut)
        Self.captured.withLock { $0 += [output.stdout, output.stderr] }
        try? FileManager.default.removeItem(atPath: folder)
        return output
    }

    /// - Returns: true when the child had to be killed.
    private func waitForExit(timeout: Duration) async -> Bool {
        let pid = process.processIdentifier
        let watchdog = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled, process.isRunning { kill(pid, SIGKILL); return true }
            return false
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = exited.withLock { waiting -> Bool in
                if hasExited.load(ordering: .sequentiallyConsistent) { return true }
                waiting = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        process.waitUntilExit()
        watchdog.cancel()
        return await watchdog.value
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
