extension GatewayConfig {
    /// The effective configuration as YAML-like text, for `check-config`: every key with its
    /// value, secrets shown only as `<set>`.
    package func describe() -> String {
        var text = DescriptionWriter()
        text.section("server")
        text.entry("host", quoted(server.host))
        text.entry("port", "\(server.port)")
        text.entry("path", quoted(server.path))
        text.entry("allowed_origins", list(server.allowedOrigins))
        text.entry("allowed_hosts", list(server.allowedHosts))
        text.section("sessions", depth: 1)
        text.entry("key", secret(server.sessions.key), depth: 2)
        text.entry("ttl_seconds", "\(server.sessions.ttlSeconds)", depth: 2)
        text.section("metrics", depth: 1)
        text.entry("host", optional(server.metrics.host.map(quoted)), depth: 2)
        text.entry("port", optional(server.metrics.port.map { "\($0)" }), depth: 2)
        text.section("auth")
        text.entry("anonymous_discovery", "\(auth.anonymousDiscovery)")
        text.entry("jwt_hs256_key", auth.jwtHS256KeyFile == nil ? secret(auth.jwtHS256Key) : "null")
        text.entry("jwt_hs256_key_file", optional(auth.jwtHS256KeyFile.map(quoted)))
        text.entry("pat_exchange", "\(auth.patExchange)")
        text.entry("pat_exchange_ttl_seconds", "\(auth.patExchangeTTLSeconds)")
        text.entry("pat_exchange_max_entries", "\(auth.patExchangeMaxEntries)")
        describeUpstream(into: &text)
        text.section("tools")
        let offered = tools.effectiveNames
        text.entry(
            "enabled", list(tools.enabled),
            comment: offered == tools.enabled ? nil : "offered: \(offered.joined(separator: ", "))")
        text.entry("read_only", "\(tools.readOnly)")
        text.entry("act_state_scan_limit", "\(tools.actStateScanLimit)")
        text.entry("upstream_extra", list(tools.upstreamExtra))
        text.section("limits")
        text.entry("max_body_bytes", "\(limits.maxBodyBytes)")
        text.entry("max_connections", "\(limits.maxConnections)")
        text.entry("connection_timeout_seconds", "\(limits.connectionTimeoutSeconds)")
        text.entry("header_timeout_seconds", "\(limits.headerTimeoutSeconds)")
        text.entry("call_timeout_ms", "\(limits.callTimeoutMs)")
        text.entry("max_json_depth", "\(limits.maxJSONDepth)")
        text.entry("shutdown_grace_ms", "\(limits.shutdownGraceMs)")
        text.section("logging")
        text.entry("level", logging.level.rawValue)
        text.entry("format", logging.format.rawValue)
        return text.output
    }

    private func describeUpstream(into text: inout DescriptionWriter) {
        text.section("upstream")
        let resolved: String? =
            switch upstream.target {
            case .fixtures(let directory)?: "replays fixtures from \(directory)"
            case .http(let url)?: "calls \(url)/api/v1.0"
            case nil: "not set"
            }
        text.entry("base_url", optional(upstream.baseURL.map(quoted)), comment: resolved)
        text.entry("allowed_app_names", list(upstream.allowedAppNames))
        text.entry("connect_timeout_ms", "\(upstream.connectTimeoutMs)")
        text.entry("timeout_ms", "\(upstream.timeoutMs)")
        text.entry("ca_file", optional(upstream.caFile.map(quoted)))
        text.entry("insecure", "\(upstream.insecure)")
        text.entry("max_response_bytes", "\(upstream.maxResponseBytes)")
        text.entry("max_concurrent_per_token", "\(upstream.maxConcurrentPerToken)")
        text.entry("concurrency_wait_ms", "\(upstream.concurrencyWaitMs)")
        text.entry("rate_limit_per_token", "\(upstream.rateLimitPerToken)")
        text.entry(
            "mcp_url", optional(upstream.mcpURL.map(quoted)),
            comment: upstream.mcpURL == nil ? nil : "forwards tool calls to this Loonflow MCP server")
    }

    private func optional(_ value: String?) -> String { value ?? "null" }

    private func secret(_ value: String?) -> String { value == nil ? "null" : "<set>" }

    private func list(_ values: [String]) -> String {
        "[" + values.map(quoted).joined(separator: ", ") + "]"
    }

    /// A YAML double-quoted scalar.
    private func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                text += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}

/// Accumulates indented `key: value` lines.
private struct DescriptionWriter {
    private(set) var output = ""

    mutating func section(_ name: String, depth: Int = 0) {
        output += indent(depth) + name + ":\n"
    }

    mutating func entry(_ key: String, _ value: String, depth: Int = 1, comment: String? = nil) {
        output += indent(depth) + key + ": " + value
        if let comment { output += "  # " + comment }
        output += "\n"
    }

    private func indent(_ depth: Int) -> String {
        String(repeating: "  ", count: depth)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
