import Foundation
import JSON
import Testing
import TestSupport

/// Over HTTPS the calls of one tool, and of the tools after it, share connections: HTTP/2
/// multiplexing where the server offers it, so no call pays a TLS handshake of its own.
@Suite(.serialized) struct TLSConnectionReuseTests {
    @Test func twentySequentialTicketDetailsShareOneConnection() async throws {
        let loonflow = try TestUpstream()
        defer { loonflow.stop() }
        HandleScenario().install(on: loonflow)
        let tls = try await TLSUpstream.start(body: "{}", proxyTo: loonflow.baseURL)
        do {
            let gateway = try GatewayHarness(upstreamBaseURL: "https://127.0.0.1:\(tls.trustedPort)") { config in
                config.upstream.caFile = tls.trustedCA
            }
            let client = try gateway.client()
            for _ in 0..<20 {
                let response = try await client.callTool(
                    "ticket_detail", arguments: ["ticket_id": .string(HandleScenario.ticket)], token: Tokens.alice)
                #expect(response.isToolError == false, "\(response.text.prefix(300))")
            }
            await gateway.stop()
            let connections = tls.connectionNumbers()
            #expect(connections.count == 60, "three REST calls per ticket_detail went through the TLS terminator")
            #expect(Set(connections).count == 1, "distinct TLS connections: \(Set(connections).count)")
        } catch {
            await tls.stop()
            throw error
        }
        await tls.stop()
    }
}
