internal import CCurl
import HTTPMessage

extension TransferOutcome {
    /// The response, or the failure as the gateway sees it.
    /// - Throws: `UpstreamError` for every ending but a completed transfer.
    func response() throws(UpstreamError) -> UpstreamResponse {
        switch ending {
        case .completed(let code, _) where code == CURLE_OK.rawValue:
            return UpstreamResponse(status: status, headers: headers, body: body, httpVersion: httpVersion)
        case .completed(let code, let message):
            throw failure(code: CURLcode(rawValue: code), message: message)
        case .cancelled:
            throw UpstreamError(
                .cancelled, requestMayHaveBeenSent: requestStarted, headersReceived: headersReceived,
                detail: "the calling task was cancelled")
        case .shutDown:
            throw UpstreamError(
                .other, requestMayHaveBeenSent: requestStarted, headersReceived: headersReceived,
                detail: "the HTTP client was shut down")
        }
    }

    /// True when a reused keep-alive connection broke before any answer: the upstream never
    /// saw a request it answered, so an idempotent one may go again.
    var deservesRetry: Bool {
        guard case .completed(let code, _) = ending else { return false }
        return Self.kind(of: CURLcode(rawValue: code)) == .connectionReset && !headersReceived
            && reusedConnection
    }

    private func failure(code: CURLcode, message: String) -> UpstreamError {
        let detail = "curl \(code.rawValue): \(message)"
        if exceededSizeCap {
            return UpstreamError(
                .responseTooLarge, requestMayHaveBeenSent: true, headersReceived: headersReceived,
                detail: "response body exceeds the cap")
        }
        let kind = Self.kind(of: code)
        // Nothing leaves before the connection (TLS included) is ready; after that, assume the
        // request may be out.
        let mayHaveBeenSent =
            switch kind {
            case .connectFailed, .tls, .invalidRequest: false
            default: requestStarted
            }
        return UpstreamError(
            kind, requestMayHaveBeenSent: mayHaveBeenSent, headersReceived: headersReceived,
            detail: detail)
    }

    private static func kind(of code: CURLcode) -> UpstreamError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connectFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_USE_SSL_FAILED:
            return .tls
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
            CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connectionReset
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidRequest
        default:
            return .other
        }
    }
}
