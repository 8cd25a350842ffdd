import Crypto
package import HTTPMessage
import Synchronization

/// Protects Loonflow from one caller: at most `maxConcurrent` upstream requests per token
/// at once (others wait up to `maxWait`, then fail with a message to retry), and optionally
/// at most `ratePerSecond` requests per token (a token bucket with one second of burst).
package final class TokenLimiter: HTTPClient {
    package let base: any HTTPClient
    package let maxConcurrent: Int
    package let maxWait: Duration
    package let ratePerSecond: Int

    private struct Bucket {
        var active = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var tokens: Double = 0
        var refilled = ContinuousClock.now
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        var nextWaiter: UInt64 = 0
        /// Waiters whose time ran out (or that were cancelled) before they were queued.
        var expired: Set<UInt64> = []
    }

    private let state = Mutex(State())

    package init(base: any HTTPClient, maxConcurrent: Int = 256, maxWait: Duration = .seconds(10), ratePerSecond: Int = 0) {
        self.base = base
        self.maxConcurrent = max(1, maxConcurrent)
        self.maxWait = maxWait
        self.ratePerSecond = ratePerSecond
    }

    package func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        let key = SHA256.hash(Array((request.headers["Authorization"] ?? "").utf8)).hexString
        if ratePerSecond > 0, !takeRateToken(key) {
            throw UpstreamError(
                .throttled, requestMayHaveBeenSent: false,
                detail: "this token exceeded the gateway's rate limit of \(ratePerSecond) Loonflow requests per second (upstream.rate_limit_per_token)")
        }
        guard await acquire(key) else {
            throw UpstreamError(
                .throttled, requestMayHaveBeenSent: false,
                detail: "this token already has \(maxConcurrent) Loonflow requests in flight (upstream.max_concurrent_per_token) and none finished in time")
        }
        defer { release(key) }
        return try await base.send(request)
    }

    private func takeRateToken(_ key: String) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            var bucket = state.buckets[key] ?? Bucket(tokens: Double(ratePerSecond), refilled: now)
            let elapsed = now - bucket.refilled
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(ratePerSecond), bucket.tokens + seconds * Double(ratePerSecond))
            bucket.refilled = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            state.buckets[key] = bucket
            return allowed
        }
    }

    /// Takes a slot, waiting up to `maxWait`; false when none came free.
    private func acquire(_ key: String) async -> Bool {
        let immediate = state.withLock { state -> Bool in
            var bucket = state.buckets[key] ?? Bucket(tokens: Double(ratePerSecond))
            defer { state.buckets[key] = bucket }
            guard bucket.active < maxConcurrent else { return false }
            bucket.active += 1
            return true
        }
        if immediate { return true }
        if maxWait <= .zero || Task.isCancelled { return false }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let timer = Task { [maxWait] in
            guard (try? await Task.sleep(for: maxWait)) != nil else { return }
            self.abandon(key, id: id)
        }
        defer {
            timer.cancel()
            _ = state.withLock { $0.expired.remove(id) }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answerNow = state.withLock { state -> Bool? in
                    if state.expired.remove(id) != nil { return false }
                    var bucket = state.buckets[key] ?? Bucket()
                    defer { state.buckets[key] = bucket }
                    if bucket.active < maxConcurrent {
                        bucket.active += 1
                        return true
                    }
                    bucket.waiters.append((id, continuation))
                    return nil
                }
                if let answerNow { continuation.resume(returning: answerNow) }
            }
        } onCancel: {
            self.abandon(key, id: id)
        }
    }

    /// Removes a waiter that timed out or was cancelled and tells it no. One not queued yet is
    /// remembered, so it is refused when it arrives.
    private func abandon(_ key: String, id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard var bucket = state.buckets[key], let index = bucket.waiters.firstIndex(where: { $0.id == id }) else {
                state.expired.insert(id)
                return nil
            }
            let waiter = bucket.waiters.remove(at: index).continuation
            state.buckets[key] = bucket
            return waiter
        }
        waiter?.resume(returning: false)
    }

    /// Frees a slot: hands it straight to the oldest waiter, if any.
    private func release(_ key: String) {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard var bucket = state.buckets[key] else { return nil }
            defer {
                if bucket.active == 0, bucket.waiters.isEmpty, ratePerSecond == 0 {
                    state.buckets[key] = nil
                } else {
                    state.buckets[key] = bucket
                }
            }
            if !bucket.waiters.isEmpty { return bucket.waiters.removeFirst().continuation }
            bucket.active -= 1
            return nil
        }
        next?.resume(returning: true)
    }
}
