import Foundation
import HTTPMessage
import Testing

/// The REST and reference-server captures the tests replay, kept in the repository under
/// `Fixtures/recordings` (captured from a real Loonflow 3.2.1; see `Fixtures/README.md`).
package enum RecordingFiles {
    /// `Fixtures/recordings` of this checkout, found from this file's path so it works from
    /// any working directory.
    package static var directory: String { GatewayExecutable.packageRoot + "/Fixtures/recordings" }

    /// The parsed file `<folder>/<name>.json`, or nil after recording a test issue that names
    /// the missing file: a missing recording fails the test that needs it, never the process.
    package static func object(_ folder: String, _ name: String) -> [String: Any]? {
        let path = "\(directory)/\(folder)/\(name).json"
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("missing recording \(folder)/\(name).json (looked in \(directory))")
            return nil
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            Issue.record("recording \(path) is not a JSON object")
            return nil
        }
        return object
    }
}

extension TestUpstream {
    /// The response body of `Fixtures/recordings/rest/<name>.json`: JSON bodies re-encoded as
    /// JSON bytes, text bodies (HTML error pages) as their UTF-8 bytes, null as empty.
    package static func recordingBody(named name: String) -> [UInt8] {
        guard let response = recordedResponse(named: name) else { return [] }
        return body(of: response)
    }

    /// The recorded status, content type and body of `Fixtures/recordings/rest/<name>.json`;
    /// a missing recording answers 599 (and the test has already failed with its name).
    package static func recordingReply(named name: String) -> TestReply {
        guard let response = recordedResponse(named: name) else {
            return .respond(status: 599, headers: HTTPHeaders(), body: Array("missing recording \(name)".utf8))
        }
        var headers = HTTPHeaders()
        if let contentType = response["content_type"] as? String {
            headers.add("Content-Type", contentType)
        }
        let status = (response["status"] as? Int) ?? 200
        return .respond(status: status, headers: headers, body: body(of: response))
    }

    private static func recordedResponse(named name: String) -> [String: Any]? {
        guard let object = RecordingFiles.object("rest", name) else { return nil }
        guard let response = object["response"] as? [String: Any] else {
            Issue.record("recording rest/\(name).json has no response")
            return nil
        }
        return response
    }

    private static func body(of response: [String: Any]) -> [UInt8] {
        switch response["body"] {
        case let text as String:
            return Array(text.utf8)
        case nil, is NSNull:
            return []
        case let value?:
            guard
                let data = try? JSONSerialization.data(
                    withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
            else {
                Issue.record("recording body is not JSON")
                return []
            }
            return Array(data)
        }
    }
}
