internal import CCurl

/// A libcurl call that failed outside a transfer: setting up the library, a handle or an option.
///
/// Transfer failures are reported as `UpstreamError` instead, because callers decide on those.
package struct CurlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `CURLcode` or `CURLMcode` value, or -1 when the call gave no code (a null handle).
    package var code: Int
    /// The call that failed, such as `curl_multi_init`.
    package var operation: String

    package init(code: Int, operation: String) {
        self.code = code
        self.operation = operation
    }

    package var description: String { "\(operation) failed (\(code))" }
}

/// Turns an easy-interface result into a typed error; codes only a bug can cause stop the process.
/// - Throws: `CurlError` for any other failure, such as running out of memory or a feature
///   missing from this libcurl build.
func check(_ code: CURLcode, operation: @autoclosure () -> String) throws(CurlError) {
    guard code != CURLE_OK else { return }
    precondition(
        code != CURLE_BAD_FUNCTION_ARGUMENT && code != CURLE_UNKNOWN_OPTION,
        "libcurl rejected \(operation()) as a programming error (\(code.rawValue))")
    throw CurlError(code: Int(code.rawValue), operation: operation())
}

/// Turns a multi-interface result into a typed error; misuse of a handle stops the process.
/// - Throws: `CurlError` for any other failure.
func check(_ code: CURLMcode, operation: @autoclosure () -> String) throws(CurlError) {
    guard code != CURLM_OK else { return }
    precondition(
        code != CURLM_BAD_HANDLE && code != CURLM_BAD_EASY_HANDLE && code != CURLM_UNKNOWN_OPTION,
        "libcurl rejected \(operation()) as a programming error (\(code.rawValue))")
    throw CurlError(code: Int(code.rawValue), operation: operation())
}

/// libcurl's process-wide setup, run once on first use; a global `let` is initialized lazily and
/// exactly once, whichever thread gets there first.
private let globalInitResult: UInt32 = curl_global_init(ccurl_global_all()).rawValue

/// Makes sure `curl_global_init` has run before any handle is created.
/// - Throws: `CurlError` when the library could not be set up.
func ensureCurlGlobalInit() throws(CurlError) {
    try check(CURLcode(rawValue: globalInitResult), operation: "curl_global_init")
}
