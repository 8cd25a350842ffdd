/// How a `CurlHTTPClient` talks to its upstream.
package struct CurlClientOptions: Sendable, Equatable {
    /// Longest wait for TCP and TLS set-up, in milliseconds.
    package var connectTimeoutMs: Int
    /// Longest a whole exchange may take, connect included, in milliseconds.
    package var totalTimeoutMs: Int
    /// Largest decoded body accepted; a larger one fails with `.responseTooLarge`.
    package var maxResponseBytes: Int
    /// A PEM bundle of trusted roots instead of the system store.
    package var caFile: String?
    /// Turns certificate and host-name checks off. Only for test rigs; the caller warns.
    package var insecure: Bool
    package var userAgent: String
    /// Cap on parallel connections to one host; extra transfers wait for a free one.
    package var maxConnectionsPerHost: Int?

    package init(
        connectTimeoutMs: Int = 5_000, totalTimeoutMs: Int = 30_000,
        maxResponseBytes: Int = 16 * 1024 * 1024, caFile: String? = nil, insecure: Bool = false,
        userAgent: String = "loonflow-mcp-gateway", maxConnectionsPerHost: Int? = nil
    ) {
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.maxResponseBytes = maxResponseBytes
        self.caFile = caFile
        self.insecure = insecure
        self.userAgent = userAgent
        self.maxConnectionsPerHost = maxConnectionsPerHost
    }
}
