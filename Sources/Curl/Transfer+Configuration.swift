internal import CCurl
import HTTPMessage

extension Transfer {
    /// Applies the client options and the request to the easy handle.
    /// - Throws: `CurlError` when libcurl refuses an option (a feature missing from the build).
    func configure(for request: UpstreamRequest, options: CurlClientOptions) throws(CurlError) {
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        // Timeouts must not raise signals: several threads use libcurl.
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMs)
        try easy.set(CURLOPT_TIMEOUT_MS, options.totalTimeoutMs)
        // An empty list offers every encoding this libcurl decodes, and it decodes the body.
        try easy.set(CURLOPT_ACCEPT_ENCODING, "")
        try easy.set(CURLOPT_HTTP_VERSION, ccurl_http_version_2tls())
        try easy.set(CURLOPT_USERAGENT, options.userAgent)
        try configureTLS(options)
        if request.isIdempotent {
            // Over TLS, concurrent reads (a tool's fan-out) wait for the handshake under way
            // and multiplex on its HTTP/2 connection, instead of each paying one of their own.
            // Plain HTTP is HTTP/1.1 here: waiting would only serialize the reads.
            if request.url.lowercased().hasPrefix("https:") { try easy.set(CURLOPT_PIPEWAIT, 1) }
        } else {
            // A reused connection may be dead, and libcurl then re-sends silently: a write
            // must never ride one, nor leave its connection for a later request.
            try easy.set(CURLOPT_FRESH_CONNECT, 1)
            try easy.set(CURLOPT_FORBID_REUSE, 1)
        }
        try configureMethod(request)
        try easy.setHeaderLines(Self.headerLines(for: request.headers))
    }

    private func configureTLS(_ options: CurlClientOptions) throws(CurlError) {
        try easy.set(CURLOPT_SSL_VERIFYPEER, options.insecure ? 0 : 1)
        try easy.set(CURLOPT_SSL_VERIFYHOST, options.insecure ? 0 : 2)
        if let caFile = options.caFile {
            try easy.set(CURLOPT_CAINFO, caFile)
        }
    }

    private func configureMethod(_ request: UpstreamRequest) throws(CurlError) {
        let method = request.method.uppercased()
        if method == "HEAD" {
            try easy.set(CURLOPT_NOBODY, 1)
            return
        }
        if let body = request.body {
            try easy.setBody(body)
        } else if method == "POST" {
            try easy.setBody([])
        }
        if method != "GET" && method != "POST" {
            try easy.set(CURLOPT_CUSTOMREQUEST, request.method)
        } else if method == "GET" && request.body != nil {
            try easy.set(CURLOPT_CUSTOMREQUEST, "GET")
        }
    }

    /// `Name: value` lines for libcurl; `Name;` sends an empty value, and `Expect:` stops
    /// libcurl from waiting for `100 Continue` before a body.
    static func headerLines(for headers: HTTPHeaders) -> [String] {
        var lines = headers.map { field in
            field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
        }
        if !headers.contains("Expect") { lines.append("Expect:") }
        return lines
    }
}
