/// A reason the gateway cannot start; the message says what to change.
package struct StartupError: Error, Sendable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
