import FixtureReplay
import JSON

/// Loonflow's answers: the `{code, data, msg}` envelope with HTTP 200, and the few non-JSON pages.
enum SimulatorAnswer {
    static func ok(_ data: JSONValue) -> ReplayAnswer {
        json(["code": 0, "data": data, "msg": ""])
    }

    /// `code -1`. `data` is `{}` on list, user and create endpoints and `""` on detail and handle ones.
    static func failure(_ message: String, data: JSONValue = [:]) -> ReplayAnswer {
        json(["code": -1, "data": data, "msg": .string(message)])
    }

    /// A caught unexpected exception, as Loonflow reports it.
    static func internalError(data: JSONValue = [:]) -> ReplayAnswer { failure("Internal Server Error", data: data) }

    /// Something the recorded data does not determine: a `code -1` answer that says so instead of
    /// inventing Loonflow's behaviour. The `X-Loonflow-Simulator` header lets the gateway show it
    /// as the simulator's own text, not as "Loonflow refused the request".
    static func undetermined(_ message: String, data: JSONValue = [:]) -> ReplayAnswer {
        var answer = failure("Loonflow simulator: " + message, data: data)
        answer.extraHeaders = [(simulatorHeader, "undetermined")]
        return answer
    }

    static let simulatorHeader = "X-Loonflow-Simulator"

    /// No Authorization header: Loonflow falls back to app-signature auth and answers 401 with
    /// JSON text served as HTML.
    static let unauthenticated = ReplayAnswer(
        status: 401, contentType: "text/html; charset=utf-8",
        body: Array(
            ("{\"code\": -1, \"msg\": \"permission check fail\\uff1asignature is not provide in request header;"
                + "timestamp is not provide in request header;appname is not provide in request header;"
                + "email is not provide in request header;tenantid is not provide in request header;\", \"data\": {}}")
                .utf8))

    /// Django's generic error page: a bad token, or an exception outside a view's try block.
    static var serverError: ReplayAnswer { ReplayAnswer.unknownToken }

    static let notFound = ReplayAnswer(
        status: 404, contentType: "text/html; charset=utf-8",
        body: Array("\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n".utf8))

    private static func json(_ value: JSONValue) -> ReplayAnswer {
        ReplayAnswer(status: 200, contentType: "application/json", body: value.serialized)
    }
}

/// Django's paginator as Loonflow uses it: an out-of-range or non-positive page serves the last
/// page, and the answer echoes the page asked for.
struct Page<Element> {
    var rows: [Element]
    var total: Int

    init(_ all: [Element], page: Int, perPage: Int) {
        total = all.count
        let pages = max(1, (all.count + perPage - 1) / perPage)
        let served = (1...pages).contains(page) ? page : pages
        let start = (served - 1) * perPage
        rows = start < all.count ? Array(all[start..<min(all.count, start + perPage)]) : []
    }
}

/// UUIDs as Django's UUIDField reads them: canonical, or 32 hex digits, any case.
enum UUIDText {
    static func canonical(_ text: String) -> String? {
        let hex = text.lowercased().filter { $0 != "-" }
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        if text.contains("-") {
            let groups = text.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
            guard groups == [8, 4, 4, 4, 12] else { return nil }
        }
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }
}

/// Python's `repr` of a string, for schema messages that quote values.
enum PythonRepr {
    static func string(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case quote: out += "\\\(quote)"
            default: out.append(character)
            }
        }
        return out + String(quote)
    }

    /// A dict of strings, in the given order.
    static func dict(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(string($0.0)): \(string($0.1))" }.joined(separator: ", ") + "}"
    }

    /// Python's `int()` of a string: surrounding whitespace and a sign allowed.
    static func int(_ text: String) -> Int? {
        Int(text.trimmingCharacters(in: " "))
    }
}
