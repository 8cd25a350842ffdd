import HTTPMessage
import JSON

/// The JSON-RPC messages the gateway sends a legacy-era (2025) Loonflow MCP server, and how
/// its answers are read: a JSON body, or an SSE stream whose `message` events carry them.
enum UpstreamMessages {
    /// The version the gateway asks for; the server may answer with an older one it serves.
    static let protocolVersion = "2025-06-18"

    static func initialize(id: Int, clientVersion: String) -> JSONValue {
        request(
            id: id, method: "initialize",
            params: [
                "protocolVersion": .string(protocolVersion), "capabilities": [:],
                "clientInfo": ["name": "loonflow-mcp-gateway", "version": .string(clientVersion)],
            ])
    }

    static let initialized: JSONValue = ["jsonrpc": "2.0", "method": "notifications/initialized"]

    static func request(id: Int, method: String, params: JSONObject = [:]) -> JSONValue {
        ["jsonrpc": "2.0", "id": .number(id), "method": .string(method), "params": .object(params)]
    }

    /// The answer to request `id` in a response body: plain JSON, or the `data:` lines of SSE
    /// events (notifications and other ids are skipped).
    static func answer(to id: Int, in response: UpstreamResponse) -> JSONValue? {
        let contentType = (response.headers["Content-Type"] ?? "").lowercased()
        if contentType.hasPrefix("text/event-stream") {
            return events(in: response.body).first { $0["id"]?.intValue == id && ($0["result"] != nil || $0["error"] != nil) }
        }
        guard let value = try? JSONParser().parse(response.body) else { return nil }
        if case .array(let batch) = value { return batch.first { $0["id"]?.intValue == id } }
        return value["id"]?.intValue == id ? value : nil
    }

    /// The JSON payload of each SSE event; the `data:` lines of one event are joined by newlines.
    static func events(in body: [UInt8]) -> [JSONValue] {
        var messages: [JSONValue] = []
        var data: [String] = []
        func flush() {
            if !data.isEmpty, let value = try? JSONParser().parse(data.joined(separator: "\n")) { messages.append(value) }
            data.removeAll()
        }
        // Lines end in LF or CRLF; split bytes, since "\r\n" is a single Character in Swift.
        for rawLine in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let line = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty {
                flush()
            } else if line.starts(with: Array("data:".utf8)) {
                let payload = line.dropFirst(5)
                data.append(String(decoding: payload.first == UInt8(ascii: " ") ? payload.dropFirst() : payload, as: UTF8.self))
            }
        }
        flush()
        return messages
    }
}
