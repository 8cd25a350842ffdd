/// The JSON-RPC methods this server knows, in either era, named once.
package enum MCPMethod: String, Sendable, CaseIterable {
    case initialize
    case ping
    case serverDiscover = "server/discover"
    case toolsList = "tools/list"
    case toolsCall = "tools/call"
    case resourcesList = "resources/list"
    case resourcesRead = "resources/read"
    case resourcesTemplatesList = "resources/templates/list"
    case initialized = "notifications/initialized"
    case cancelled = "notifications/cancelled"

    /// What a client asks before it acts, answered without a token when anonymous discovery
    /// is on (notifications pass too).
    package var isDiscovery: Bool { [.initialize, .serverDiscover, .toolsList, .ping].contains(self) }
}
