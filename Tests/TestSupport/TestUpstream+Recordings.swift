import Foundation
import HTTPMessage

extension TestUpstream {
    /// `shared/` beside the repository root (`../shared` from the package), found from this
    /// file's path so it works from any working directory.
    package static var sharedDirectory: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(4)  // TestUpstream+Recordings.swift, TestSupport, Tests, <repo>
        return components.joined(separator: "/") + "/shared"
    }

    /// The response body of `shared/recordings/rest/<name>.json`: JSON bodies re-encoded as
    /// JSON bytes, text bodies (HTML error pages) as their UTF-8 bytes, null as empty.
    package static func recordingBody(named name: String) -> [UInt8] {
        body(of: recordedResponse(named: name))
    }

    /// The recorded status, content type and body of `shared/recordings/rest/<name>.json`.
    package static func recordingReply(named name: String) -> TestReply {
        let response = recordedResponse(named: name)
        var headers = HTTPHeaders()
        if let contentType = response["content_type"] as? String {
            headers.add("Content-Type", contentType)
        }
        let status = (response["status"] as? Int) ?? 200
        return .respond(status: status, headers: headers, body: body(of: response))
    }

    private static func recordedResponse(named name: String) -> [String: Any] {
        let path = "\(sharedDirectory)/recordings/rest/\(name).json"
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let response = object["response"] as? [String: Any]
        else { preconditionFailure("no readable recording at \(path)") }
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
            else { preconditionFailure("recording body is not JSON") }
            return Array(data)
        }
    }
}
