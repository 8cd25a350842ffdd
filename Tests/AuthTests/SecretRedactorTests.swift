import Auth
import Testing

@Suite struct SecretRedactorTests {
    static let pat = "lfpat.3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b.Secret_part-0123456789"

    @Test func redactsTheWholeTokenAndItsSecretPart() throws {
        let token = try AccessTokenValidator().validate(Self.pat).get()
        let redactor = SecretRedactor(tokens: [token])
        let text = "token rejected: Bearer \(Self.pat); secret Secret_part-0123456789 again"
        let redacted = redactor.redact(text)
        #expect(redacted == "token rejected: Bearer [redacted]; secret [redacted] again")
        #expect(redactor.redact(Array(text.utf8)) == Array(redacted.utf8))
    }

    @Test func takesTheTokenFromAnAuthorizationValue() {
        let redactor = SecretRedactor(authorization: "Bearer \(Self.pat)")
        #expect(!redactor.redact("saw \(Self.pat)").contains("Secret_part"))
        #expect(SecretRedactor(authorization: nil).redact("saw \(Self.pat)") == "saw \(Self.pat)")
    }

    @Test func takesMoreSecretsLater() {
        let minted = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJlLW9mLXRoZS1taW50ZWQtand0"
        let redactor = SecretRedactor(authorization: "Bearer \(Self.pat)").adding(minted)
        #expect(redactor.redact("\(minted) and \(Self.pat)") == "[redacted] and [redacted]")
    }

    @Test func leavesShortFragmentsAndOtherTextAlone() {
        let redactor = SecretRedactor(secrets: ["abc", "", "a-long-secret"])
        #expect(redactor.secrets == ["a-long-secret"])
        #expect(redactor.redact("abc user has no view permission") == "abc user has no view permission")
    }
}
