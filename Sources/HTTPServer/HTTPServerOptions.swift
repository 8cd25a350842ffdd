/// How the HTTP front end listens and what it tolerates from clients.
package struct HTTPServerOptions: Sendable, Equatable {
    /// A numeric IPv4 or IPv6 address to bind: `127.0.0.1`, `::1`, `0.0.0.0`, `::`;
    /// `localhost` means `127.0.0.1`.
    package var host: String
    /// The TCP port; 0 lets the OS pick one (read it back from `HTTPServer.boundPort`).
    package var port: UInt16
    /// The largest request body accepted; larger ones get a 413 and the connection closes.
    package var maxBodyBytes: Int
    /// Connections served at once; the OS queues or refuses the rest.
    package var maxConnections: Int
    /// Seconds a connection may sit idle (including while sending headers) before it is closed.
    package var connectionTimeoutSeconds: Int
    /// Seconds a client may take to send a whole request head, however slowly it trickles
    /// (counted from the accept for a connection's first request, from the request line for
    /// later ones); 0 turns the deadline off.
    package var headerTimeoutSeconds: Int
    /// Per-connection memory for the request head and the write buffer; a head that does
    /// not fit gets libmicrohttpd's own 431 (or 414 for a long URL).
    package var connectionMemoryBytes: Int

    package init(
        host: String = "127.0.0.1", port: UInt16 = 0, maxBodyBytes: Int = 4 * 1024 * 1024,
        maxConnections: Int = 1024, connectionTimeoutSeconds: Int = 30,
        connectionMemoryBytes: Int = 32 * 1024, headerTimeoutSeconds: Int = 10
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxConnections = maxConnections
        self.connectionTimeoutSeconds = connectionTimeoutSeconds
        self.connectionMemoryBytes = connectionMemoryBytes
        self.headerTimeoutSeconds = headerTimeoutSeconds
    }
}
