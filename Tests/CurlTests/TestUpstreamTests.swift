import HTTPMessage
import TestSupport
import Testing

@Suite("TestUpstream helpers")
struct TestUpstreamTests {
    @Test("recording bodies load as JSON bytes, text bodies as text")
    func recordings() throws {
        let json = String(decoding: TestUpstream.recordingBody(named: "auth.jwt_ok.tickets"), as: UTF8.self)
        #expect(json.hasPrefix("{") && json.contains(#""ticket_list""#))

        let reply = TestUpstream.recordingReply(named: "auth.garbage_bearer.tickets")
        guard case .respond(let status, let headers, let body) = reply else {
            Issue.record("not a plain reply")
            return
        }
        #expect(status == 500)
        #expect(headers["Content-Type"]?.hasPrefix("text/html") == true)
        #expect(String(decoding: body, as: UTF8.self).hasPrefix("CustomCommonException"))
    }

    @Test("gzip CRC matches the standard check value")
    func crc() {
        let stream = GzipEncoder.encode(Array("123456789".utf8))
        #expect(Array(stream.suffix(8).prefix(4)) == [0x26, 0x39, 0xF4, 0xCB])
    }
}
