import Auth
import Crypto
import JSON
import PlainText
import Testing

@Suite struct AccessTokenValidatorTests {
    /// A fixed clock: tests never depend on the date.
    let validator = AccessTokenValidator(now: { 1_800_000_000 })
    static let pat = "lfpat.3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b." + String(repeating: "aZ0_-", count: 12) + "abcd"

    static func jwt(header: JSONValue = ["alg": "HS256", "typ": "JWT"], payload: JSONValue, key: String = "k") -> String {
        let h = Base64URL.encode(header.serialized)
        let p = Base64URL.encode(payload.serialized)
        let signature = HMACSHA256.authenticationCode(key: Array(key.utf8), message: Array("\(h).\(p)".utf8))
        return "\(h).\(p).\(Base64URL.encode(signature))"
    }

    @Test func acceptsAWellFormedPAT() throws {
        let token = try validator.validate(Self.pat).get()
        #expect(token.kind == .personalAccessToken(tokenID: "3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b"))
        #expect(token.redacted == "lfpat.3f2b…")
        #expect(!token.redacted.contains("aZ0_"))
    }

    @Test(arguments: [
        "lfpat.", "lfpat.abc.def", "lfpat.3F2B8C1E-0A4D-4E5F-9B6A-1C2D3E4F5A6B.secret",
        "lfpat.3f2b8c1e0a4d4e5f9b6a1c2d3e4f5a6b.secret", "lfpat.3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b.",
        "lfpat.3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b.sec ret", "lfpat.3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b.a+b/c=",
        "garbage", "a.b", "a.b.c.d", "", "Bearer x",
    ])
    func refusesMalformedTokens(token: String) {
        guard case .failure(let error) = validator.validate(token) else {
            Issue.record("accepted \(token)")
            return
        }
        if token.count > 8 { #expect(!error.description.contains(token)) }
    }

    @Test func acceptsHS256JWTAndReadsClaims() throws {
        let token = Self.jwt(payload: ["exp": 1_900_000_000, "data": ["id": "u1", "email": "a@x", "type": "normal"]])
        let valid = try validator.validate(token).get()
        guard case .jwt(let claims) = valid.kind else {
            Issue.record("not a JWT")
            return
        }
        #expect(claims.userID == "u1")
        #expect(claims.email == "a@x")
        #expect(valid.userID == "u1")
    }

    @Test func refusesExpiredJWT() {
        let token = Self.jwt(payload: ["exp": 1_000_000_000, "data": ["email": "a@x"]])
        #expect(validator.validate(token) == .failure(.expired(expiredAt: 1_000_000_000)))
    }

    @Test func refusesOtherAlgorithms() {
        let none = Self.jwt(header: ["alg": "none"], payload: ["data": [:]])
        #expect(validator.validate(none) == .failure(.unsupportedAlgorithm("none")))
        let rs = Self.jwt(header: ["alg": "RS256"], payload: ["data": [:]])
        #expect(validator.validate(rs) == .failure(.unsupportedAlgorithm("RS256")))
    }

    @Test func refusesSegmentsThatAreNotJSONObjects() {
        let arrayPayload = Base64URL.encode(Array(#"{"alg":"HS256"}"#.utf8)) + "." + Base64URL.encode(Array("[1]".utf8)) + ".c2ln"
        guard case .failure(.malformed) = validator.validate(arrayPayload) else {
            Issue.record("accepted a non-object payload")
            return
        }
    }

    @Test func verifiesSignatureOnlyWhenKeyConfigured() {
        let token = Self.jwt(payload: ["exp": 1_900_000_000, "data": ["email": "a@x"]], key: "right")
        let keyed = AccessTokenValidator(jwtKey: Array("right".utf8), now: { 1_800_000_000 })
        #expect((try? keyed.validate(token).get()) != nil)
        let wrong = AccessTokenValidator(jwtKey: Array("wrong".utf8), now: { 1_800_000_000 })
        #expect(wrong.validate(token) == .failure(.badSignature))
        #expect((try? validator.validate(token).get()) != nil)
    }

    @Test func normalizesWrappers() {
        #expect(normalizedToken("  Bearer abc ") == "abc")
        #expect(normalizedToken("   ") == nil)
        #expect(normalizedToken("Bearer ") == nil)
        #expect(normalizedToken("bearer abc") == "bearer abc")
    }

    @Test func uuidCheckIsCanonicalLowercase() {
        #expect(isCanonicalUUID("3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b"))
        #expect(!isCanonicalUUID("3F2B8C1E-0A4D-4E5F-9B6A-1C2D3E4F5A6B"))
        #expect(!isCanonicalUUID("{3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6b}"))
        #expect(!isCanonicalUUID("3f2b8c1e-0a4d-4e5f-9b6a-1c2d3e4f5a6"))
    }

    @Test func base64RoundTrip() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8($0 * 37 % 256) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        #expect(Base64Standard.decode("aGk/Pz4+") == Array("hi??>>".utf8))
        #expect(Base64URL.decode("a") == nil)
    }
}

/// RFC 7519 NumericDate claims are checked by type: anything but a number is malformed.
@Suite struct JWTClaimTypeTests {
    let validator = AccessTokenValidator(now: { 1_800_000_000 })
    static let data: JSONValue = ["id": "u1", "email": "a@x", "type": "normal"]

    static func payload(_ claims: JSONObject) -> JSONValue {
        var object = claims
        object["data"] = data
        return .object(object)
    }

    static let badExpiries: [JSONValue] = ["1000000000", "4102444800", nil, ["at": 1], [4_102_444_800], true, false]

    @Test(arguments: badExpiries)
    func expOfAnotherTypeIsMalformed(exp: JSONValue) {
        let token = AccessTokenValidatorTests.jwt(payload: Self.payload(["exp": exp]))
        guard case .failure(.malformed(let why)) = validator.validate(token) else {
            Issue.record("exp \(exp.jsonText) was not refused as malformed: \(validator.validate(token))")
            return
        }
        #expect(why.contains(#"claim "exp" must be a JSON number"#), "\(why)")
        #expect(why.contains(exp.typeName), "\(why)")
    }

    @Test func stringNotBeforeAndIssuedAtAreMalformed() {
        for name in ["nbf", "iat"] {
            let token = AccessTokenValidatorTests.jwt(payload: Self.payload(["exp": 1_900_000_000, name: "1700000000"]))
            guard case .failure(.malformed(let why)) = validator.validate(token) else {
                Issue.record("\(name) as a string was accepted")
                continue
            }
            #expect(why.contains(#"claim "\#(name)" must be a JSON number"#), "\(why)")
        }
    }

    @Test func numericTimeClaimsAreAccepted() throws {
        let token = AccessTokenValidatorTests.jwt(
            payload: Self.payload(["exp": 1_900_000_000.5, "iat": 1_700_000_000, "nbf": 1_700_000_000]))
        let valid = try validator.validate(token).get()
        #expect(valid.userID == "u1")
    }

    @Test func missingExpIsMalformed() {
        let token = AccessTokenValidatorTests.jwt(payload: Self.payload([:]))
        #expect(validator.validate(token) == .failure(.malformed(#"the JWT payload has no "exp" claim"#)))
    }

    @Test func outOfRangeExpIsMalformedNotACrash() {
        let huge = JSONValue.number(JSONNumber(uncheckedLiteral: "1e400"))
        let token = AccessTokenValidatorTests.jwt(payload: Self.payload(["exp": huge]))
        guard case .failure(.malformed(let why)) = validator.validate(token) else {
            Issue.record("exp 1e400 was not refused as malformed")
            return
        }
        #expect(why.contains("out of range"), "\(why)")
    }
}
