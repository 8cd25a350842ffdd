package import JSON

/// A JSON-RPC request id: a string or a number, echoed back exactly.
package enum JSONRPCID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(JSONNumber)

    package init?(_ value: JSONValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .number(let n): self = .number(n)
        default: return nil
        }
    }

    package var json: JSONValue {
        switch self {
        case .string(let s): .string(s)
        case .number(let n): .number(n)
        }
    }

    package var description: String {
        switch self {
        case .string(let s): "\"\(s.prefix(64))\""
        case .number(let n): n.literal
        }
    }
}

/// A protocol-level failure: its JSON-RPC code, message and data. How a transport frames it
/// (an HTTP status, say) is the transport's business.
package struct JSONRPCError: Error, Sendable, Equatable {
    package var code: Int
    package var message: String
    package var data: JSONValue?

    package init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    package static let parseErrorCode = -32700
    package static let invalidRequestCode = -32600
    package static let methodNotFoundCode = -32601
    package static let invalidParamsCode = -32602
    package static let internalErrorCode = -32603
    /// The caller has no valid token (this server's own code, in the implementation range).
    package static let unauthorizedCode = -32001
    package static let resourceNotFoundCode = -32002
    package static let headerMismatchCode = -32020
    package static let unsupportedVersionCode = -32022

    package static func parseError(_ message: String) -> JSONRPCError {
        JSONRPCError(code: parseErrorCode, message: "Parse error: \(message)")
    }

    package static func invalidRequest(_ message: String) -> JSONRPCError {
        JSONRPCError(code: invalidRequestCode, message: "Invalid request: \(message)")
    }

    package static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: methodNotFoundCode, message: "Method not found: \(method.prefix(100))")
    }

    package static func invalidParams(_ message: String) -> JSONRPCError {
        JSONRPCError(code: invalidParamsCode, message: "Invalid params: \(message)")
    }

    package static func internalError(_ message: String) -> JSONRPCError {
        JSONRPCError(code: internalErrorCode, message: "Internal error: \(message)")
    }

    package static func headerMismatch(_ message: String) -> JSONRPCError {
        JSONRPCError(code: headerMismatchCode, message: message)
    }

    /// A request the transport refused before reading it as JSON-RPC (its media type, Host,
    /// Origin, session); `message` is said as it is.
    package static func transportRefused(_ message: String) -> JSONRPCError {
        JSONRPCError(code: invalidRequestCode, message: message)
    }

    package static func unauthorized(_ message: String) -> JSONRPCError {
        JSONRPCError(code: unauthorizedCode, message: message)
    }

    package static func unsupportedVersion(_ requested: String) -> JSONRPCError {
        JSONRPCError(
            code: unsupportedVersionCode, message: "Unsupported protocol version: \(requested.prefix(64))",
            data: ["supported": .array(ProtocolVersion.all.map { .string($0) }), "requested": .string(requested)])
    }

    /// The error member of a response object.
    package var json: JSONValue {
        var object: JSONObject = ["code": .number(code), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }
}

/// A message received from a client, classified by its keys.
package enum IncomingMessage: Sendable {
    case request(id: JSONRPCID, method: String, params: JSONObject?)
    case notification(method: String, params: JSONObject?)
    /// A response to a server-initiated request; this server sends none, so it is ignored.
    case response

    /// Classifies one JSON value, or says precisely why it is not a JSON-RPC message.
    package static func classify(_ value: JSONValue) -> Result<IncomingMessage, JSONRPCError> {
        guard case .object(let object) = value else {
            if case .array = value {
                return .failure(.invalidRequest("batches are not supported; send one JSON-RPC message per request"))
            }
            return .failure(.invalidRequest("expected a JSON-RPC object, got \(value.typeName)"))
        }
        guard object["jsonrpc"] == .string("2.0") else {
            return .failure(.invalidRequest("\"jsonrpc\" must be \"2.0\""))
        }
        if object["method"] == nil, object["result"] != nil || object["error"] != nil {
            return .success(.response)
        }
        guard let method = object["method"]?.stringValue else {
            return .failure(.invalidRequest("\"method\" must be a string"))
        }
        var params: JSONObject?
        switch object["params"] {
        case nil, .null?: params = nil
        case .object(let p)?: params = p
        case let other?: return .failure(.invalidParamsShape(other))
        }
        guard let rawID = object["id"] else { return .success(.notification(method: method, params: params)) }
        guard let id = JSONRPCID(rawID) else {
            return .failure(.invalidRequest("\"id\" must be a string or a number, got \(rawID.typeName)"))
        }
        return .success(.request(id: id, method: method, params: params))
    }
}

extension JSONRPCError {
    fileprivate static func invalidParamsShape(_ value: JSONValue) -> JSONRPCError {
        .invalidParams("\"params\" must be an object, got \(value.typeName)")
    }
}

/// Builds response objects.
package enum JSONRPCResponse {
    package static func result(id: JSONRPCID, _ result: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "id": id.json, "result": result]
    }

    /// An error response; `id` is nil when the request's id could not be read.
    package static func error(id: JSONRPCID?, _ error: JSONRPCError) -> JSONValue {
        ["jsonrpc": "2.0", "id": id?.json ?? .null, "error": error.json]
    }
}
