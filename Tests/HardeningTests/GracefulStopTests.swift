import Glibc
import HTTPMessage
import TestSupport
import Testing

/// SIGTERM while a call is in flight: the call completes, new connections are refused, and
/// the process exits with status 0.
@Suite struct GracefulStopTests {
    @Test func sigtermDrainsTheCallInFlight() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gate = TestGate()
        let arrived = TestGate()
        upstream.route("GET", FakeTickets.path, TestUpstream.gated(gate, arrived: arrived, FakeTickets.ok))
        let gateway = try await GatewayProcess.start(
            yaml: gatewayYAML(upstream: upstream.baseURL, "limits:\n  shutdown_grace_ms: 20000\n"))
        let port = gateway.port
        let client = try gateway.client()

        let call = Task { try await client.callTool("ticket_list", token: Tokens.alice) }
        #expect(await arrived.wait(timeout: .seconds(10)), "the call reached Loonflow")
        #expect(kill(gateway.pid, SIGTERM) == 0)
        #expect(await gateway.process.waitForStderr(containing: "stopping", timeout: .seconds(10)) != nil)
        let refused = await eventually(timeout: .seconds(10)) { await RawSocket.connect(port: port) == nil }
        #expect(refused, "new connections are refused while draining")

        gate.open()
        let response = try await call.value
        #expect(response.status == 200)
        #expect(response.isToolError == false, "the call in flight completed: \(response.text)")
        #expect(response.headers["Connection"]?.lowercased() == "close")

        let output = await gateway.process.finish(timeout: .seconds(20))
        #expect(!output.timedOut)
        #expect(output.exitCode == 0, "exit status; stderr: \(output.stderr.suffix(1500))")
        #expect(output.stderr.contains("stopped"))
        #expect(Tokens.leaked(in: output.combined).isEmpty)
        _ = await gateway.stop()
    }

    @Test func sigintStopsAnIdleGatewayWithStatusZero() async throws {
        let upstream = try TestUpstream()
        defer { upstream.stop() }
        let gateway = try await GatewayProcess.start(yaml: gatewayYAML(upstream: upstream.baseURL))
        #expect(kill(gateway.pid, SIGINT) == 0)
        let output = await gateway.process.finish(timeout: .seconds(20))
        #expect(!output.timedOut)
        #expect(output.exitCode == 0)
        #expect(output.stderr.contains("signal=SIGINT"))
        _ = await gateway.stop()
    }
}
