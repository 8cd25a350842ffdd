import Crypto
import Testing

@Suite struct SecureRandomTests {
    @Test func returnsTheRequestedCount() throws {
        #expect(secureRandomBytes(count: 0).isEmpty)
        #expect(secureRandomBytes(count: 1).count == 1)
        #expect(try SecureRandom.bytes(count: 4096).count == 4096)
    }

    /// Two 256-bit draws collide with probability 2^-256.
    @Test func successiveDrawsDiffer() {
        let first = secureRandomBytes(count: 32)
        let second = secureRandomBytes(count: 32)
        #expect(first != second)
        #expect(first != [UInt8](repeating: 0, count: 32))
    }
}

@Suite struct ConstantTimeEqualsTests {
    @Test func comparesContents() {
        #expect(constantTimeEquals([], []))
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([0, 2, 3], [1, 2, 3]))
    }

    @Test func differentLengthsAreUnequal() {
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!constantTimeEquals([], [0]))
    }
}

@Suite struct HexTests {
    @Test func encodesLowercase() {
        #expect([UInt8]().hexString == "")
        #expect([0x00, 0x0f, 0xa0, 0xff].hexString == "000fa0ff")
        #expect([UInt8](0...255).hexString.count == 512)
    }

    @Test func decodesEitherCase() {
        #expect([UInt8](hexString: "000FA0ff") == [0x00, 0x0f, 0xa0, 0xff])
        #expect([UInt8](hexString: "") == [])
    }

    @Test func refusesMalformedText() {
        #expect([UInt8](hexString: "abc") == nil)
        #expect([UInt8](hexString: "zz") == nil)
        #expect([UInt8](hexString: "0x12") == nil)
    }

    @Test func roundTrips() {
        let bytes = secureRandomBytes(count: 64)
        #expect([UInt8](hexString: bytes.hexString) == bytes)
    }
}

@Suite struct CryptoErrorTests {
    @Test func describesOperationAndReasons() {
        let error = CryptoError(operation: "RAND_bytes", reasons: ["first", "second"])
        #expect(error.description == "RAND_bytes failed: first; second")
        #expect(
            CryptoError(operation: "EVP_Digest", reasons: []).description == "EVP_Digest failed: no detail from OpenSSL"
        )
    }
}
