/// Why the HTTP front end could not be set up or started.
package struct HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// The host is not a numeric IPv4/IPv6 address (or `localhost`).
        case invalidHost
        /// An option is out of range (a negative limit, for example).
        case invalidOption
        /// Another socket already listens on the address and port.
        case addressInUse
        /// The address does not belong to this machine.
        case addressNotAvailable
        /// The OS refused the port (a privileged port, for example).
        case permissionDenied
        /// `start()` was called on a server that is running or was stopped.
        case invalidState
        /// libmicrohttpd or the OS failed for another reason; see `detail`.
        case startFailed
    }

    package var kind: Kind
    /// A short explanation that names the address or option involved.
    package var detail: String

    package init(_ kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    package var description: String { "HTTP server: \(detail)" }
}
