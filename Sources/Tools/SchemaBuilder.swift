package import JSON

/// Small helpers that keep the tools' JSON Schemas readable.
package enum Schema {
    package static func string(_ description: String, default value: String? = "", enum options: [String]? = nil)
        -> JSONValue
    {
        var object: JSONObject = ["type": "string", "description": .string(description)]
        if let value { object["default"] = .string(value) }
        if let options { object["enum"] = .array(options.map { .string($0) }) }
        return .object(object)
    }

    package static func integer(_ description: String, default value: Int, minimum: Int? = nil, maximum: Int? = nil)
        -> JSONValue
    {
        var object: JSONObject = ["type": "integer", "description": .string(description), "default": .number(value)]
        if let minimum { object["minimum"] = .number(minimum) }
        if let maximum { object["maximum"] = .number(maximum) }
        return .object(object)
    }

    package static func boolean(_ description: String, default value: Bool) -> JSONValue {
        ["type": "boolean", "description": .string(description), "default": .bool(value)]
    }

    /// An object schema with `additionalProperties: false` and properties in the given order.
    package static func object(_ properties: [(String, JSONValue)], required: [String] = []) -> JSONValue {
        var object: JSONObject = ["type": "object", "properties": .object(JSONObject(properties))]
        if !required.isEmpty { object["required"] = .array(required.map { .string($0) }) }
        object["additionalProperties"] = false
        return .object(object)
    }

    /// The two arguments every tool shares, described briefly: they are in every definition.
    package static let accessToken = string("Leave empty: the client's Authorization header is used.")
    package static let appName = string("Leave as \"loonflow\".", default: "loonflow")

    package static let page = integer("1-based page; past the end serves the last page.", default: 1, minimum: 1)
    package static let perPage = integer("Rows per page.", default: 10, minimum: 1, maximum: 1000)

    /// The output properties of `FormPermissions.listing`.
    package static let fieldListProperties: [(String, JSONValue)] = [
        ("field_permissions", ["type": "object", "additionalProperties": ["type": "string"]]),
        ("required_fields", ["type": "array", "items": ["type": "string"]]),
        ("optional_fields", ["type": "array", "items": ["type": "string"]]),
        ("readonly_fields", ["type": "array", "items": ["type": "string"]]),
    ]

    /// An output schema: these properties, all required, more allowed.
    package static func output(_ properties: [(String, JSONValue)], optional: [(String, JSONValue)] = []) -> JSONValue {
        [
            "type": "object",
            "properties": .object(JSONObject(properties + optional)),
            "required": .array(properties.map { .string($0.0) }),
            "additionalProperties": true,
        ]
    }

    package static func paginatedOutput(listKey: String, rowDescription: String) -> JSONValue {
        [
            "type": "object",
            "properties": [
                listKey: ["type": "array", "description": .string(rowDescription), "items": ["type": "object"]],
                "per_page": ["type": "integer"],
                "page": ["type": "integer", "description": "The page asked for, echoed as Loonflow does."],
                "total": ["type": "integer", "description": "Rows matching the query across all pages."],
            ],
            "required": [.string(listKey), "per_page", "page", "total"],
            "additionalProperties": true,
        ]
    }
}
