/// The two generations of the protocol served on one endpoint.
package enum ProtocolEra: String, Sendable {
    /// 2025-03-26 … 2025-11-25: `initialize` handshake, optional sessions.
    case legacy
    /// 2026-07-28: stateless, every request carries its version in `_meta`.
    case modern
}

/// Protocol versions this server speaks and how it picks one.
package enum ProtocolVersion {
    package static let legacy = ["2025-03-26", "2025-06-18", "2025-11-25"]
    package static let modern = ["2026-07-28"]
    package static let all = legacy + modern
    package static let newestLegacy = "2025-11-25"
    /// What a legacy request without `MCP-Protocol-Version` is taken to speak.
    package static let legacyDefault = "2025-03-26"

    package static let metaVersionKey = "io.modelcontextprotocol/protocolVersion"
    package static let metaCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    package static let metaServerInfoKey = "io.modelcontextprotocol/serverInfo"

    /// The version `initialize` answers with: the client's when supported, else the newest
    /// legacy version (the client then decides whether it can continue).
    package static func negotiateLegacy(requested: String?) -> String {
        if let requested, legacy.contains(requested) { return requested }
        return newestLegacy
    }

    package static func era(of version: String) -> ProtocolEra? {
        if modern.contains(version) { return .modern }
        if legacy.contains(version) { return .legacy }
        return nil
    }
}
