/// Why a fixture set could not be read or written. The text names the file and what to fix.
package struct FixtureError: Error, Sendable, Equatable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}
