import Foundation
import TestSupport

/// A child process misbehaved.
struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// YAML for a gateway in front of `upstream`: extra `upstream:` lines (indented by two
/// spaces here), then further top-level sections as text.
func gatewayYAML(upstream: String, upstreamSettings: [String] = [], _ extra: String = "") -> String {
    var text = "upstream:\n  base_url: \"\(upstream)\"\n  connect_timeout_ms: 2000\n"
    if !upstreamSettings.contains(where: { $0.hasPrefix("timeout_ms") }) { text += "  timeout_ms: 10000\n" }
    for line in upstreamSettings { text += "  \(line)\n" }
    return text + extra + "\n"
}
