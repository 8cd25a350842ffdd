import HTTPMessage
import Testing

/// One reading of a Loonflow path, shared by metrics and fixture matching.
@Suite struct EndpointTests {
    @Test(arguments: [
        ("/api/v1.0/tickets", "tickets"),
        ("tickets/0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b/handle", "tickets/{id}/handle"),
        ("/loonflow/api/v1.0/tickets/0E9D8C7B-6A5F-4E3D-8C2B-1A0F9E8D7C6B/ticket_detail_form", "tickets/{id}/ticket_detail_form"),
        ("/api/v1.0x/tickets", "api/v1.0x/tickets"),
        ("accounts/simple_users", "accounts/simple_users"),
        // 36 characters but not hex: not an id.
        ("tickets/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "tickets/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"),
    ])
    func templates(path: String, template: String) {
        #expect(Endpoint(path: path).template == template)
    }

    @Test func relativeStartsAtTheAPIRootBehindAnyPrefix() {
        #expect(Endpoint.relative("/loonflow/api/v1.0/tickets") == "/api/v1.0/tickets")
        #expect(Endpoint.relative("/api/v1.0") == "/api/v1.0")
        #expect(Endpoint.relative("/other") == "/other")
    }
}
