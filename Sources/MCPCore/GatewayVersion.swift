/// The gateway's release version, reported as `serverInfo.version` and by `--version`.
package let gatewayVersion = "0.1.0"
/// The server name clients see; the same as Loonflow's own MCP server.
package let gatewayServerName = "loonflow-ticket"
