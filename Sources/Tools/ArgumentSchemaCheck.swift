package import JSON

/// Checks tool arguments against the subset of JSON Schema the gateway's input schemas use
/// (`type`, `enum`, `minimum`, `maximum`, `required`, `additionalProperties: false`), with the
/// same messages as the tools' own argument readers. Used where a tool's work happens
/// elsewhere (a forwarded call) but its arguments are still checked here first.
package enum ArgumentSchemaCheck {
    package static func check(_ arguments: JSONObject, against schema: JSONValue) throws(ToolFailure) {
        let properties = schema["properties"]?.objectValue ?? [:]
        if schema["additionalProperties"] == .bool(false) {
            try ToolArguments(arguments).rejectUnknown(allowed: properties.keys)
        }
        for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            guard let value = arguments[name], !value.isNull else { throw ToolFailure("argument \"\(name)\" is required") }
        }
        for (name, value) in arguments where !value.isNull {
            guard let property = properties[name] else { continue }
            try checkValue(value, named: name, against: property)
        }
    }

    private static func checkValue(_ value: JSONValue, named name: String, against property: JSONValue) throws(ToolFailure) {
        let types = property["type"].map { $0.arrayValue?.compactMap(\.stringValue) ?? [$0.stringValue ?? ""] } ?? []
        if !types.isEmpty, !types.contains(where: { matches(value, type: $0) }) {
            throw ToolFailure("argument \"\(name)\" must be \(types.joined(separator: " or ")), got \(value.typeName)")
        }
        if let options = property["enum"]?.arrayValue, !options.contains(value) {
            let listed = options.map { $0.jsonText }.joined(separator: ", ")
            throw ToolFailure("argument \"\(name)\" must be one of \(listed)")
        }
        if let number = value.numberValue?.doubleValue {
            if let minimum = property["minimum"]?.numberValue?.doubleValue, number < minimum {
                throw ToolFailure("argument \"\(name)\" must be at least \(property["minimum"]!.jsonText)")
            }
            if let maximum = property["maximum"]?.numberValue?.doubleValue, number > maximum {
                throw ToolFailure("argument \"\(name)\" must be at most \(property["maximum"]!.jsonText)")
            }
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array), ("null", .null),
            ("number", .number):
            return true
        case ("integer", .number(let n)):
            return n.doubleValue.map { $0 == $0.rounded() } ?? false
        default:
            return false
        }
    }
}
