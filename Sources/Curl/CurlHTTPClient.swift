package import HTTPMessage

/// Sends upstream requests with libcurl's multi interface on one dedicated thread.
///
/// Idle keep-alive connections are reused between requests, HTTP/2 is used over TLS when the
/// server offers it, and TLS peers are verified unless `insecure` is set. Bodies are decoded
/// from gzip and capped at `maxResponseBytes`, for one answer and for all answers in flight
/// together (`ResponseBudget`).
///
/// Idempotent requests are dropped promptly when the calling task is cancelled and are retried
/// once when a reused connection broke before any answer. Non-idempotent requests use a fresh
/// connection that is never reused, are never retried, and once they may have been sent they
/// run to their real end even when the calling task is cancelled.
package final class CurlHTTPClient: HTTPClient {
    private let options: CurlClientOptions
    private let loop: CurlEventLoop
    /// What all answers in flight may hold together: one answer's cap.
    private let budget: ResponseBudget

    /// Starts the transfer thread.
    /// - Throws: `CurlError` when libcurl or the thread cannot be set up.
    package init(options: CurlClientOptions = CurlClientOptions()) throws(CurlError) {
        self.options = options
        budget = ResponseBudget(limit: options.maxResponseBytes)
        loop = try CurlEventLoop(maxConnectionsPerHost: options.maxConnectionsPerHost)
    }

    deinit {
        loop.shutdown()
    }

    /// The transfer thread as a task executor. A request handler that runs on it sends its
    /// transfers and receives their answers without waking another thread; keep a strong
    /// reference for as long as a task prefers it (task preferences do not retain).
    package var executor: any ServingLoop { loop }

    /// Whether the caller runs on the transfer thread.
    package var isOnTransferThread: Bool { loop.isCurrent }

    /// Response bytes the transfers in flight hold now (of `maxResponseBytes`, their shared budget).
    package var heldResponseBytes: Int { budget.heldBytes }

    /// Stops the transfer thread; requests still in flight fail with `.other`, later ones at once.
    package func shutdown() {
        loop.shutdown()
    }

    /// - Throws: `UpstreamError` describing what went wrong and whether the request may have
    ///   reached the upstream.
    package func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        try Self.validate(request)
        var outcome = try await attempt(request)
        if request.isIdempotent, outcome.deservesRetry, !Task.isCancelled {
            outcome = try await attempt(request)
        }
        return try outcome.response()
    }

    /// Runs one transfer; cancelling the calling task asks the loop to drop it.
    private func attempt(_ request: UpstreamRequest) async throws(UpstreamError) -> TransferOutcome {
        let transfer: Transfer
        do {
            transfer = try Transfer(request: request, options: options, budget: budget)
        } catch {
            throw UpstreamError(
                .other, requestMayHaveBeenSent: false, detail: "could not prepare the request: \(error)")
        }
        let loop = self.loop
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Rejects what libcurl would send blindly: line breaks or NUL in a header would let a
    /// value inject further headers.
    private static func validate(_ request: UpstreamRequest) throws(UpstreamError) {
        let forbidden: Set<Unicode.Scalar> = ["\r", "\n", "\0"]
        for field in request.headers {
            let name = field.name.unicodeScalars
            guard !name.isEmpty, !name.contains(":"),
                !name.contains(where: forbidden.contains),
                !field.value.unicodeScalars.contains(where: forbidden.contains)
            else {
                throw UpstreamError(
                    .invalidRequest, requestMayHaveBeenSent: false,
                    detail: "header \(field.name.debugDescription) holds a forbidden character")
            }
        }
        guard !request.method.isEmpty, request.method.unicodeScalars.allSatisfy(isTokenCharacter)
        else {
            throw UpstreamError(.invalidRequest, requestMayHaveBeenSent: false, detail: "bad method")
        }
    }

    /// A character allowed in an HTTP token such as a method name.
    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let separators = "()<>@,;:\\\"/[]?={}".unicodeScalars
        return scalar.value > 0x20 && scalar.value < 0x7F && !separators.contains(scalar)
    }
}
