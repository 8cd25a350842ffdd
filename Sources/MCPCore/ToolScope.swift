import JSON

/// How a client narrowed the operator's tools for one request. A scope can only remove
/// tools: it never shows one the server was not configured with.
package struct ToolScope: Sendable, Equatable {
    /// Only tools whose annotations say they change nothing.
    package var readOnly: Bool
    /// Tool or toolset names the client asked for; nil means no narrowing by name.
    package var names: [String]?

    package init(readOnly: Bool = false, names: [String]? = nil) {
        self.readOnly = readOnly
        self.names = names
    }

    package static let unrestricted = ToolScope()

    /// `_meta` key of `tools/list` naming the asked-for names that matched nothing.
    package static let unknownNamesMetaKey = "loonflow-mcp-gateway/unknown_tools"

    /// Reads the scoping headers: `X-MCP-Readonly` (anything but `false`, `0` or empty narrows,
    /// so a mistyped value fails safe) and `X-MCP-Tools` (comma-separated names).
    package static func fromHeaders(readOnly: String?, tools: String?, readOnlyPath: Bool) -> ToolScope {
        var scope = ToolScope(readOnly: readOnlyPath)
        if let value = readOnly.map(trimmed)?.lowercased(), !["", "false", "0"].contains(value) {
            scope.readOnly = true
        }
        if let tools {
            scope.names = tools.split(separator: ",").map { trimmed(String($0)) }.filter { !$0.isEmpty }
        }
        return scope
    }

    /// Which of `tools` the scope lets through, and the asked-for names that matched no tool
    /// or toolset of the server.
    package func apply(to tools: [any Tool], toolsets: [String: [String]]) -> (tools: [any Tool], unknown: [String]) {
        var allowed = tools.filter { !readOnly || $0.annotations.readOnly }
        var unknown: [String] = []
        if let names {
            var wanted: Set<String> = []
            for name in names {
                if let set = toolsets[name] {
                    wanted.formUnion(set)
                } else if tools.contains(where: { $0.name == name }) {
                    wanted.insert(name)
                } else {
                    unknown.append(String(name.prefix(64)))
                }
            }
            allowed = allowed.filter { wanted.contains($0.name) }
        }
        return (allowed, unknown)
    }
}

private func trimmed(_ text: String) -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
}
