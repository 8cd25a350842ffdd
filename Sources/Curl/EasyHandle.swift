internal import CCurl

/// One libcurl easy handle plus the memory libcurl borrows from it: the request header list
/// and the error buffer.
///
/// Not `Sendable`: the task that creates a transfer configures it, and after that only the
/// event-loop thread uses it (see `Transfer`).
final class EasyHandle {
    /// The `CURL *`, valid until `close()`.
    let raw: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var isClosed = false

    /// - Throws: `CurlError` when libcurl cannot allocate a handle.
    init() throws(CurlError) {
        try ensureCurlGlobalInit()
        guard let raw = curl_easy_init() else {
            throw CurlError(code: -1, operation: "curl_easy_init")
        }
        self.raw = raw
        let size = ccurl_error_size()
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    deinit {
        close()
        errorBuffer.deallocate()
    }

    /// Frees the handle and its header list. Call only once the handle has left the multi handle.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        curl_easy_cleanup(raw)
        curl_slist_free_all(headerList)
        headerList = nil
    }

    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(ccurl_easy_setopt_long(raw, option, value), operation: "setopt \(option.rawValue)")
    }

    /// Sets a string option; libcurl keeps its own copy.
    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(ccurl_easy_setopt_str(raw, option, value), operation: "setopt \(option.rawValue)")
    }

    func set(_ option: CURLoption, offset value: Int) throws(CurlError) {
        try check(ccurl_easy_setopt_off_t(raw, option, value), operation: "setopt \(option.rawValue)")
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(CurlError) {
        try check(ccurl_easy_setopt_ptr(raw, option, value), operation: "setopt \(option.rawValue)")
    }

    /// Hands libcurl a copy of `body` to send (`CURLOPT_COPYPOSTFIELDS`, binary-safe).
    func setBody(_ body: [UInt8]) throws(CurlError) {
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: body.count)
        let code = body.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else {
                return ccurl_easy_setopt_str(raw, CURLOPT_COPYPOSTFIELDS, "")
            }
            return ccurl_easy_setopt_bytes(raw, CURLOPT_COPYPOSTFIELDS, base)
        }
        try check(code, operation: "setopt COPYPOSTFIELDS")
    }

    /// Replaces the request header list; the list lives until `close()`.
    func setHeaderLines(_ lines: [String]) throws(CurlError) {
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for line in lines {
            guard let longer = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw CurlError(code: Int(CURLE_OUT_OF_MEMORY.rawValue), operation: "curl_slist_append")
            }
            list = longer
        }
        curl_slist_free_all(headerList)
        headerList = list
        try check(ccurl_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, list), operation: "setopt HTTPHEADER")
    }

    /// A `long` piece of transfer information, or 0 when libcurl has none.
    func longInfo(_ info: CURLINFO) -> Int {
        var value = 0
        return ccurl_easy_getinfo_long(raw, info, &value) == CURLE_OK ? value : 0
    }

    /// libcurl's own wording for the last failure, empty when it wrote none.
    var errorMessage: String { String(cString: errorBuffer) }
}
