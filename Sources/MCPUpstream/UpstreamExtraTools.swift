import JSON
import Logging
package import MCPCore
import Synchronization

/// The upstream's own tools the operator enabled by name (`tools.upstream_extra`), with the
/// definitions its `tools/list` gives. They are learnt after start-up and offered once known;
/// until then (or if the upstream never lists one) calling them is an unknown tool.
package final class UpstreamExtraTools: Sendable {
    private let wanted: [String]
    private let setting: ForwardedTool.ForwardingSetting
    private let readOnly: Bool
    private let known = Mutex<[ForwardedTool]?>(nil)

    package init(wanted: [String], setting: ForwardedTool.ForwardingSetting, readOnly: Bool) {
        self.wanted = wanted
        self.setting = setting
        self.readOnly = readOnly
    }

    /// The tools learnt so far, in the order the operator named them.
    package var tools: [any Tool] { known.withLock { $0 ?? [] } }

    package var isLoaded: Bool { known.withLock { $0 != nil } }

    /// Reads the upstream's tool list once it answers; a failure is logged and tried again on
    /// the next call.
    package func refresh() async {
        guard !wanted.isEmpty, !isLoaded else { return }
        switch await setting.upstream.listTools(token: nil) {
        case .failure(let failure):
            setting.logger.warn("upstream.tools_list_failed", ["message": .string(failure.message)])
        case .success(let listings):
            let offered = listings.compactMap { ForwardedTool(upstreamListing: $0, setting: setting) }
            var chosen: [ForwardedTool] = []
            for name in wanted {
                guard let tool = offered.first(where: { $0.name == name }) else {
                    setting.logger.warn(
                        "upstream.tool_missing",
                        ["message": .string("tools.upstream_extra names \(name), which the Loonflow MCP server does not offer")])
                    continue
                }
                if readOnly, !tool.annotations.readOnly {
                    setting.logger.info(
                        "upstream.tool_hidden", ["message": .string("\(name) is not declared read-only; tools.read_only hides it")])
                    continue
                }
                chosen.append(tool)
            }
            known.withLock { $0 = chosen }
        }
    }
}
