import HTTPMessage
import JSON
import TestSupport

/// Ticket list pages shaped like Loonflow's `GET /api/v1.0/tickets` envelope.
enum FakeTickets {
    static let path = "/api/v1.0/tickets"
    static let states = ["on-going", "finished", "rejected"]

    /// The value of `key` in the request's query.
    static func query(_ request: RecordedRequest, _ key: String) -> String? {
        for pair in (request.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == key { return String(parts[1]) }
        }
        return nil
    }

    /// One row; `act_state` cycles through `states`.
    static func row(_ index: Int) -> JSONValue {
        let id = "00000000-0000-4000-8000-" + String(index).padding(12)
        return [
            "id": .string(id), "title": .string("ticket \(index)"), "act_state": .string(states[index % states.count]),
            "created_at": "2025-01-01 10:00:00", "updated_at": "2025-01-01 10:00:00",
        ]
    }

    /// The envelope for `page` of `total` tickets.
    static func page(_ page: Int, perPage: Int, total: Int) -> [UInt8] {
        let start = (page - 1) * perPage
        let rows = start < total ? (start..<min(total, start + perPage)).map(row) : []
        let envelope: JSONValue = [
            "code": 0, "msg": "",
            "data": ["ticket_list": .array(rows), "per_page": .number(perPage), "page": .number(page), "total": .number(total)],
        ]
        return envelope.serialized
    }

    /// The page the request asks for, out of `total` tickets.
    static func reply(_ request: RecordedRequest, total: Int) -> TestReply {
        let page = query(request, "page").flatMap { Int($0) } ?? 1
        let perPage = query(request, "per_page").flatMap { Int($0) } ?? 10
        return .json(Self.page(page, perPage: perPage, total: total))
    }

    /// A route serving `total` tickets.
    static func route(total: Int = 3) -> TestUpstream.Route {
        { request in reply(request, total: total) }
    }

    /// A small successful answer.
    static var ok: TestReply { .json(page(1, perPage: 10, total: 2)) }
}

extension String {
    /// Left-pads with zeros to `width`, keeping the last `width` characters.
    func padding(_ width: Int) -> String {
        String((String(repeating: "0", count: width) + self).suffix(width))
    }
}
