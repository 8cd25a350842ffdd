internal import CCurl
import HTTPMessage
import Synchronization

/// One request on its way through the event loop: the easy handle, what the callbacks collect,
/// and the continuation of the task waiting for it.
///
/// Thread rule: the creating task configures it and sets `continuation`, then hands it to the
/// loop under the loop's `Mutex`. From then on only the event-loop thread touches the handle and
/// the mutable state (libcurl runs the callbacks on that thread, inside `curl_multi_perform`).
/// Other threads touch only `cancelRequested`, an `Atomic`.
final class Transfer: @unchecked Sendable {
    let easy: EasyHandle
    let isIdempotent: Bool
    /// Set by the cancellation handler of the waiting task.
    let cancelRequested = Atomic<Bool>(false)
    var continuation: CheckedContinuation<TransferOutcome, Never>?

    private let maxResponseBytes: Int
    private let budget: ResponseBudget
    private var body: [UInt8] = []
    /// The body capacity taken from `budget`, given back when the transfer ends or fails.
    private var budgeted = 0
    /// The body length the answer declared (`Content-Length`), when it did.
    private var declaredLength: Int?
    private var headers = HTTPHeaders()
    private var headersReceived = false
    private var requestStarted = false
    private var exceededSizeCap = false

    /// - Throws: `CurlError` when the handle cannot be created or an option is refused.
    init(request: UpstreamRequest, options: CurlClientOptions, budget: ResponseBudget) throws(CurlError) {
        easy = try EasyHandle()
        isIdempotent = request.isIdempotent
        maxResponseBytes = options.maxResponseBytes
        self.budget = budget
        try configure(for: request, options: options)
        try installCallbacks()
    }

    /// A cancelled transfer may be dropped unless it is non-idempotent and may already be out:
    /// then it runs to its real end, so the caller learns whether the write happened.
    var honoursCancellation: Bool { isIdempotent || !requestStarted }

    /// Collects the outcome, detaches and frees the handle, and resumes the waiting task.
    /// Runs on the event-loop thread, or on the submitting thread when the loop had already
    /// stopped and the transfer was never handed over.
    /// - Parameters:
    ///   - multi: the multi handle to detach from, or nil when the handle was never added.
    func finish(_ ending: Ending, detachingFrom multi: UnsafeMutableRawPointer?) {
        // A failed transfer's bytes are of no use to anyone: free them before anything else.
        if case .completed(let code) = ending, code == CURLE_OK {} else { dropBody() }
        let outcome = TransferOutcome(
            ending: ending.outcomeEnding(errorMessage: easy.errorMessage),
            status: easy.longInfo(CURLINFO_RESPONSE_CODE),
            httpVersion: negotiatedVersion(),
            headers: headers, body: body, headersReceived: headersReceived,
            requestStarted: requestStarted, exceededSizeCap: exceededSizeCap,
            reusedConnection: requestStarted && easy.longInfo(CURLINFO_NUM_CONNECTS) == 0)
        if let multi { _ = curl_multi_remove_handle(multi, easy.raw) }
        easy.close()
        body = []
        budget.give(budgeted)
        budgeted = 0
        continuation?.resume(returning: outcome)
        continuation = nil
    }

    /// How the event loop saw a transfer end.
    enum Ending {
        case completed(CURLcode)
        case cancelled
        case shutDown

        func outcomeEnding(errorMessage: String) -> TransferOutcome.Ending {
            switch self {
            case .cancelled: return .cancelled
            case .shutDown: return .shutDown
            case .completed(let code):
                let summary = String(cString: curl_easy_strerror(code))
                let message = errorMessage.isEmpty ? summary : "\(summary) (\(errorMessage))"
                return .completed(code: code.rawValue, message: message)
            }
        }
    }

    // MARK: - Callbacks (event-loop thread)

    /// Keeps body bytes; answers 0 (so libcurl aborts) once the body would outgrow the cap or
    /// the client's budget, and frees what it held at once.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        let needed = body.count + bytes.count
        guard needed <= maxResponseBytes, reserve(needed) else {
            exceededSizeCap = true
            dropBody()
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// Grows the body's capacity to hold `needed` bytes within the cap: to the declared length
    /// when the answer gave one, else by doubling (never past the cap), so a body near the cap
    /// does not sit in a buffer twice its size. The growth is taken from the budget first.
    private func reserve(_ needed: Int) -> Bool {
        guard needed > body.capacity else { return true }
        let declared = declaredLength.flatMap { $0 >= needed ? $0 : nil }
        let wanted = declared ?? max(needed, 2 * body.capacity, 16 * 1024)
        let capacity = min(wanted, maxResponseBytes)
        guard budget.take(capacity - budgeted) else { return false }
        budgeted = capacity
        body.reserveCapacity(capacity)
        return true
    }

    private func dropBody() {
        body = []
        budget.give(budgeted)
        budgeted = 0
    }

    /// Keeps one header line as sent; a status line starts a fresh set (after `100 Continue`).
    fileprivate func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        headersReceived = true
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D) { end -= 1 }
        let line = String(decoding: bytes[..<end], as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers = HTTPHeaders()
            declaredLength = nil
        } else if let colon = line.firstIndex(of: ":") {
            let value = line[line.index(after: colon)...].trimmingBlanks()
            headers.add(String(line[..<colon]), value)
        } else if line.isEmpty {
            return endOfHeaders() ? bytes.count : 0
        }
        return bytes.count
    }

    /// Notes the declared length of an unencoded body; false (abort) when it is over the cap,
    /// so such an answer is refused before a byte of it is kept.
    private func endOfHeaders() -> Bool {
        guard headers["Content-Encoding"] == nil, let length = headers["Content-Length"].flatMap({ Int($0) }) else {
            return true
        }
        declaredLength = length
        guard length <= maxResponseBytes else {
            exceededSizeCap = true
            return false
        }
        return true
    }

    fileprivate func markRequestStarted() { requestStarted = true }

    private func negotiatedVersion() -> String {
        switch easy.longInfo(CURLINFO_HTTP_VERSION) {
        case ccurl_http_version_1_0(): return "1.0"
        case ccurl_http_version_2(): return "2"
        case ccurl_http_version_3(): return "3"
        default: return "1.1"
        }
    }

    /// Registers the capture-free C callbacks; each gets this transfer back from its userdata.
    /// Unretained is enough: the transfer owns the handle and outlives it.
    private func installCallbacks() throws(CurlError) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try check(
            ccurl_easy_setopt_write_cb(easy.raw) { data, size, count, userdata in
                guard let userdata else { return 0 }
                let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
                return Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue().receiveBody(bytes)
            }, operation: "setopt WRITEFUNCTION")
        try easy.set(CURLOPT_WRITEDATA, pointer: me)
        try check(
            ccurl_easy_setopt_header_cb(easy.raw) { data, size, count, userdata in
                guard let userdata else { return 0 }
                let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
                return Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
                    .receiveHeaderLine(bytes)
            }, operation: "setopt HEADERFUNCTION")
        try easy.set(CURLOPT_HEADERDATA, pointer: me)
        try check(
            ccurl_easy_setopt_prereq_cb(easy.raw) { userdata, _, _, _, _ in
                if let userdata {
                    Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue().markRequestStarted()
                }
                return ccurl_prereqfunc_ok()
            }, operation: "setopt PREREQFUNCTION")
        try easy.set(CURLOPT_PREREQDATA, pointer: me)
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }),
            let last = lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(self[first...last])
    }
}
