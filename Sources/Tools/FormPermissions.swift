package import JSON
import PlainText

/// One field of a ticket form as the caller sees it.
package struct FormField: Sendable, Equatable {
    package var key: String
    /// The component type (`text`, `number`, `user`, ...).
    package var type: String
    /// `required`, `optional`, `readonly`, or whatever else Loonflow sent (treated as read-only).
    package var permission: String
    package var props: JSONObject

    /// Whether the caller may set a value: only `required` and `optional` fields are stored.
    package var isEditable: Bool { permission == "required" || permission == "optional" }

    /// The value the ticket holds now (`props.value`), null when there is none.
    package var currentValue: JSONValue { props["value"] ?? .null }
}

/// The field lists the reference server derives from a form's `component_info_list`.
///
/// Only the children of top-level `row` components count; a child with a blank key is
/// skipped; a blank or missing permission reads as `readonly`; a repeated key keeps its first
/// position but takes the last occurrence's permission (and, here, its type and props).
package struct FormPermissions: Sendable, Equatable {
    /// Every field in form order.
    package private(set) var fields: [FormField] = []
    private var positions: [String: Int] = [:]

    package init(componentInfoList: [JSONValue]) {
        for component in componentInfoList where component["type"]?.stringValue == "row" {
            for child in component["children"]?.arrayValue ?? [] {
                guard let field = Self.field(from: child) else { continue }
                if let index = positions[field.key] {
                    fields[index] = field
                } else {
                    positions[field.key] = fields.count
                    fields.append(field)
                }
            }
        }
    }

    private static func field(from child: JSONValue) -> FormField? {
        let key: String
        switch child["component_key"] {
        case .string(let text)?: key = text.trimmingWhitespace()
        case .number(let number)?: key = number.literal
        default: return nil
        }
        guard !key.isEmpty else { return nil }
        let stated = child["component_permission"]?.stringValue?.trimmingWhitespace() ?? ""
        return FormField(
            key: key, type: child["type"]?.stringValue ?? "", permission: stated.isEmpty ? "readonly" : stated,
            props: child["props"]?.objectValue ?? [:])
    }

    package subscript(key: String) -> FormField? {
        positions[key].map { fields[$0] }
    }

    /// `{component_key: permission}` in form order.
    package var fieldPermissions: JSONObject {
        JSONObject(fields.map { ($0.key, .string($0.permission)) })
    }

    package var requiredFields: [String] { fields.filter { $0.permission == "required" }.map(\.key) }
    package var optionalFields: [String] { fields.filter { $0.permission == "optional" }.map(\.key) }
    /// Every field that is neither required nor optional.
    package var readonlyFields: [String] { fields.filter { !$0.isEditable }.map(\.key) }
    package var editableFields: [String] { fields.filter(\.isEditable).map(\.key) }
}

extension FormPermissions {
    /// `field_permissions` and the three field lists, in the order the detail and creation
    /// tools show them.
    package var listing: [(String, JSONValue)] {
        [
            ("field_permissions", .object(fieldPermissions)),
            ("required_fields", .array(requiredFields.map { .string($0) })),
            ("optional_fields", .array(optionalFields.map { .string($0) })),
            ("readonly_fields", .array(readonlyFields.map { .string($0) })),
        ]
    }
}
