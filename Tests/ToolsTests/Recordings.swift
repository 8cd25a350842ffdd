import Foundation
import JSON
import TestSupport
import Testing

/// The captures in `Fixtures/recordings`, read with the gateway's own JSON parser so that key
/// order is kept.
enum Recordings {
    static let directory = RecordingFiles.directory

    /// The recording, or an empty object after failing the current test with the file's name.
    static func load(_ folder: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> JSONObject {
        let path = "\(directory)/\(folder)/\(name).json"
        guard let data = FileManager.default.contents(atPath: path),
            case .object(let object)? = try? JSONParser(maxDepth: 512).parse(Array(data))
        else {
            Issue.record("missing or unreadable recording \(folder)/\(name).json (looked in \(directory))", sourceLocation: sourceLocation)
            return [:]
        }
        return object
    }

    static func names(_ folder: String, prefix: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(folder)")) ?? []
        return files.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// `"<path> <user>"` → name of the `ticket.ticket_detail_*` recording answering it.
    static let detailIndex: [String: String] = {
        var index: [String: String] = [:]
        for name in names("rest", prefix: "ticket.ticket_detail_") {
            let recording = load("rest", name)
            // Recordings made as another app answer for that app only.
            guard let path = recording["request"]?["path"]?.stringValue,
                let user = recording["meta"]?["as_user"]?.stringValue,
                recording["request"]?["headers"]?["appname"] == nil
            else { continue }
            index["\(path) \(user)"] = name
        }
        return index
    }()

    /// The `data` of a REST recording's envelope.
    static func restData(_ name: String) -> JSONValue {
        load("rest", name)["response"]?["body"]?["data"] ?? .null
    }
}

/// One reference-server capture from `recordings/mcp`.
struct MCPRecording: CustomTestStringConvertible, Sendable {
    let name: String
    let user: String
    let arguments: JSONObject
    let isError: Bool
    /// The error text without the reference's `Error executing tool <tool>: ` prefix.
    let errorText: String
    let structuredContent: JSONObject?

    init(_ name: String) {
        self.name = name
        let object = Recordings.load("mcp", name)
        user = object["token_user"]?.stringValue ?? ""
        arguments = object["arguments"]?.objectValue ?? [:]
        let result = object["result"]?.objectValue ?? [:]
        isError = result["isError"]?.boolValue ?? false
        let text = result["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        let tool = object["tool"]?.stringValue ?? ""
        errorText = isError ? String(text.dropFirst("Error executing tool \(tool): ".count)) : ""
        structuredContent = result["structuredContent"]?.objectValue
    }

    var testDescription: String { name }
}
