import HTTPMessage
import LoonflowClient
import MCPCore
package import MCPHTTP
import Synchronization

/// Prometheus counters and histograms for the MCP endpoint and the upstream calls.
/// Label values come only from known sets (anything else is `other`), so a caller cannot
/// grow the series without bound.
package final class Metrics: RequestObserver, UpstreamObserver, PATExchangeObserver {
    static let knownMethods = Set(MCPMethod.allCases.map(\.rawValue))
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct Histogram {
        var counts = [UInt64](repeating: 0, count: Metrics.buckets.count)
        var sum = 0.0
        var total: UInt64 = 0

        mutating func observe(_ seconds: Double) {
            for (i, bound) in Metrics.buckets.enumerated() where seconds <= bound { counts[i] += 1 }
            sum += seconds
            total += 1
        }
    }

    private struct State {
        var requests: [String: UInt64] = [:]
        var durations: [String: Histogram] = [:]
        var upstream: [String: UInt64] = [:]
        var upstreamDurations: [String: Histogram] = [:]
        var inFlight = 0
        var patExchanges: UInt64 = 0
        var patCacheHits: UInt64 = 0
        var patRefused: UInt64 = 0
        var patShared: UInt64 = 0
        var patFallbacks: UInt64 = 0
    }

    private let state = Mutex(State())
    private let knownTools: Set<String>

    package init(knownTools: [String]) {
        self.knownTools = Set(knownTools)
    }

    package func requestStarted() {
        state.withLock { $0.inFlight += 1 }
    }

    package func requestFinished(_ record: RequestRecord) {
        let method = record.method.map { Self.knownMethods.contains($0) ? $0 : "other" } ?? "none"
        let tool = record.tool.map { knownTools.contains($0) ? $0 : "other" } ?? "none"
        let era = record.era?.rawValue ?? "none"
        let labels = "era=\"\(era)\",method=\"\(method)\",tool=\"\(tool)\""
        let seconds = Self.seconds(record.duration)
        state.withLock { state in
            state.inFlight -= 1
            state.requests["\(labels),outcome=\"\(record.outcome.rawValue)\",status=\"\(record.status)\"", default: 0] += 1
            state.durations[labels, default: Histogram()].observe(seconds)
        }
    }

    package func upstreamFinished(method: String, path: String, status: Int?, duration: Duration) {
        let endpoint = Self.template(path)
        let labels = "method=\"\(method == "GET" ? "GET" : method == "POST" ? "POST" : "other")\",endpoint=\"\(endpoint)\""
        state.withLock { state in
            state.upstream["\(labels),status=\"\(status.map(String.init) ?? "error")\"", default: 0] += 1
            state.upstreamDurations[labels, default: Histogram()].observe(Self.seconds(duration))
        }
    }

    package func patExchanged() { state.withLock { $0.patExchanges += 1 } }

    package func patExchangeCacheHit() { state.withLock { $0.patCacheHits += 1 } }

    package func patVerificationRefused() { state.withLock { $0.patRefused += 1 } }

    package func patVerificationShared() { state.withLock { $0.patShared += 1 } }

    package func patExchangeFellBack() { state.withLock { $0.patFallbacks += 1 } }

    /// `tickets/<uuid>/handle` → `/tickets/{id}/handle`: the endpoint's template, with segments
    /// the gateway never calls written `other`, so no path can grow the label set.
    static func template(_ path: String) -> String {
        "/" + Endpoint(path: path).segments.map { knownSegments.contains($0) ? $0 : "other" }.joined(separator: "/")
    }

    private static let knownSegments: Set<String> = [
        "{id}", "tickets", "accounts", "simple_users", "users", "my_profile", "ticket_detail_form", "ticket_detail_actions",
        "ticket_detail_admin_actions", "handle", "ticket_flow_history", "current_node_infos", "workflows",
        "ticket_creation_form", "ticket_creation_actions",
        // A Loonflow MCP upstream: /mcp/<JSON-RPC method>.
        "mcp", "initialize", "notifications", "initialized", "tools", "call", "list", "ping",
    ]

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The Prometheus text exposition.
    package func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        out += "# HELP lmg_requests_total MCP endpoint requests by era, method, tool, outcome and HTTP status.\n"
        out += "# TYPE lmg_requests_total counter\n"
        for (labels, count) in snapshot.requests.sorted(by: { $0.key < $1.key }) {
            out += "lmg_requests_total{\(labels)} \(count)\n"
        }
        out += "# HELP lmg_requests_in_flight MCP endpoint requests being served.\n# TYPE lmg_requests_in_flight gauge\n"
        out += "lmg_requests_in_flight \(snapshot.inFlight)\n"
        out += Self.renderHistograms("lmg_request_duration_seconds", "MCP request duration.", snapshot.durations)
        out += "# HELP lmg_upstream_requests_total Requests to Loonflow by endpoint template and status.\n"
        out += "# TYPE lmg_upstream_requests_total counter\n"
        for (labels, count) in snapshot.upstream.sorted(by: { $0.key < $1.key }) {
            out += "lmg_upstream_requests_total{\(labels)} \(count)\n"
        }
        out += Self.renderHistograms("lmg_upstream_duration_seconds", "Loonflow request duration.", snapshot.upstreamDurations)
        out += Self.renderCounter("lmg_pat_exchanges_total", "Personal access tokens verified with Loonflow and swapped for a minted JWT.", snapshot.patExchanges)
        out += Self.renderCounter("lmg_pat_exchange_cache_hits_total", "Loonflow requests sent with a JWT minted earlier for the caller's personal access token.", snapshot.patCacheHits)
        out += Self.renderCounter("lmg_pat_verifications_refused_total", "Personal access tokens Loonflow refused during the exchange's verification.", snapshot.patRefused)
        out += Self.renderCounter("lmg_pat_verifications_shared_total", "Requests that waited for a verification of their personal access token already running.", snapshot.patShared)
        out += Self.renderCounter("lmg_pat_exchange_fallbacks_total", "Personal access tokens sent to Loonflow as they are because the key's JWT could not name their owner (check auth.jwt_hs256_key).", snapshot.patFallbacks)
        return out
    }

    private static func renderCounter(_ name: String, _ help: String, _ value: UInt64) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
    }

    private static func renderHistograms(_ name: String, _ help: String, _ histograms: [String: Histogram]) -> String {
        var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (labels, histogram) in histograms.sorted(by: { $0.key < $1.key }) {
            for (i, bound) in buckets.enumerated() {
                out += "\(name)_bucket{\(labels),le=\"\(bound)\"} \(histogram.counts[i])\n"
            }
            out += "\(name)_bucket{\(labels),le=\"+Inf\"} \(histogram.total)\n"
            out += "\(name)_sum{\(labels)} \(histogram.sum)\n\(name)_count{\(labels)} \(histogram.total)\n"
        }
        return out
    }
}
