package import JSON
import PlainText

/// The action `ticket_handle` is asked to run: the flat arguments with `handle_request`
/// applied over them, as the reference server merges them.
package struct HandleRequest: Sendable, Equatable {
    package var actionType: String
    package var actionID: String
    package var actionProps: JSONObject
    package var fields: JSONObject

    package init(actionType: String, actionID: String, actionProps: JSONObject = [:], fields: JSONObject = [:]) {
        self.actionType = actionType
        self.actionID = actionID
        self.actionProps = actionProps
        self.fields = fields
    }

    /// Reads the flat arguments (types checked strictly), then applies `handle_request`.
    /// - Throws: a failure naming the argument or carrying the reference's merge error text.
    package static func merge(_ args: ToolArguments) throws(ToolFailure) -> HandleRequest {
        var request = HandleRequest(
            actionType: try args.string("action_type").trimmingWhitespace(),
            actionID: try args.string("action_id").trimmingWhitespace(),
            actionProps: try args.object("action_props") ?? [:],
            fields: try args.object("fields") ?? [:])
        if let body = try handleRequestBody(args.values["handle_request"]) {
            try request.apply(body)
        }
        return request
    }

    /// `handle_request` as an object: given as one, or as a JSON string holding one. Nil
    /// when absent, null or a blank string.
    static func handleRequestBody(_ value: JSONValue?) throws(ToolFailure) -> JSONObject? {
        switch value {
        case nil, .null?:
            return nil
        case .object(let body)?:
            return body
        case .string(let text)?:
            guard !text.trimmingWhitespace().isEmpty else { return nil }
            let parsed: JSONValue
            do {
                parsed = try JSONParser().parse(text)
            } catch {
                throw ToolFailure("handle_request must be a JSON object string")
            }
            guard case .object(let body) = parsed else {
                throw ToolFailure("handle_request JSON must decode to an object")
            }
            return body
        case .some:
            throw ToolFailure("handle_request must be a dict or JSON object string")
        }
    }

    /// The body's `action_type` and `action_id` replace the flat ones when present and not
    /// null; its `action_props` and `fields` are merged key by key over the flat objects.
    mutating func apply(_ body: JSONObject) throws(ToolFailure) {
        if let type = try Self.bodyString(body, "action_type") { actionType = type }
        if let id = try Self.bodyString(body, "action_id") { actionID = id }
        for (key, value) in try Self.bodyObject(body, "action_props") { actionProps[key] = value }
        for (key, value) in try Self.bodyObject(body, "fields") { fields[key] = value }
    }

    private static func bodyString(_ body: JSONObject, _ key: String) throws(ToolFailure) -> String? {
        switch body[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text.trimmingWhitespace()
        case let other?: throw ToolFailure("handle_request.\(key) must be a string, got \(other.typeName)")
        }
    }

    private static func bodyObject(_ body: JSONObject, _ key: String) throws(ToolFailure) -> JSONObject {
        switch body[key] {
        case nil, .null?: return [:]
        case .object(let object)?: return object
        case .some: throw ToolFailure("handle_request.\(key) must be an object")
        }
    }

    /// The reference's presence checks, in its order.
    package func requireAction() throws(ToolFailure) {
        guard !actionType.isEmpty else { throw ToolFailure("action_type is required") }
        guard !actionID.isEmpty else { throw ToolFailure("action_id is required") }
    }

    /// The body of `POST tickets/<id>/handle`.
    package var body: JSONValue {
        [
            "action_type": .string(actionType), "action_id": .string(actionID),
            "action_props": .object(actionProps), "fields": .object(fields),
        ]
    }
}
