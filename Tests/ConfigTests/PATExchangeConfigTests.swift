import Config
import Testing

/// `auth.pat_exchange` and the key it needs: from the file or a key file, never shown.
@Suite struct PATExchangeConfigTests {
    static let key = "exchange-test-key-from-a-file-0123456789"

    @Test func defaultsKeepTheExchangeOff() {
        let auth = GatewayConfig().auth
        #expect(!auth.patExchange && auth.jwtHS256KeyFile == nil)
        #expect(auth.patExchangeTTLSeconds == 60 && auth.patExchangeMaxEntries == 10_000)
    }

    @Test func keyFileIsReadRelativeToTheConfigAndNeverDescribed() throws {
        let folder = TemporaryDirectory()
        _ = folder.makeFolder("secrets")
        folder.write("secrets/jwt.key", "  \(Self.key)\n")
        let file = folder.write(
            "gateway.yaml",
            "auth:\n  jwt_hs256_key_file: secrets/jwt.key\n  pat_exchange: true\n  pat_exchange_ttl_seconds: 30\n  pat_exchange_max_entries: 5\n")
        let config = try GatewayConfig.load(file: file)
        #expect(config.auth.jwtHS256Key == Self.key)
        #expect(config.auth.jwtHS256KeyFile == folder.path + "/secrets/jwt.key")
        #expect(config.auth.patExchange && config.auth.patExchangeTTLSeconds == 30 && config.auth.patExchangeMaxEntries == 5)
        let described = config.describe()
        #expect(!described.contains(Self.key))
        #expect(described.contains("pat_exchange: true"))
        #expect(described.contains("jwt_hs256_key_file: \"\(folder.path)/secrets/jwt.key\""))
    }

    @Test func exchangeWithoutAKeyIsRefused() throws {
        let folder = TemporaryDirectory()
        let file = folder.write("gateway.yaml", "auth:\n  pat_exchange: true\n")
        let error = try #require(throws: ConfigError.self) { try GatewayConfig.load(file: file) }
        #expect(error.description.contains("auth.pat_exchange"))
        #expect(error.description.contains("jwt_hs256_key_file"))
    }

    @Test func keyAndKeyFileTogetherAreRefusedWithoutShowingTheKey() throws {
        let folder = TemporaryDirectory()
        folder.write("jwt.key", Self.key)
        let file = folder.write("gateway.yaml", "auth:\n  jwt_hs256_key: \"\(Self.key)\"\n  jwt_hs256_key_file: jwt.key\n")
        let error = try #require(throws: ConfigError.self) { try GatewayConfig.load(file: file) }
        #expect(error.description.contains("not both"))
        #expect(!error.description.contains(Self.key))
    }

    @Test func emptyKeyFileIsRefused() throws {
        let folder = TemporaryDirectory()
        folder.write("jwt.key", "\n")
        let file = folder.write("gateway.yaml", "auth:\n  jwt_hs256_key_file: jwt.key\n")
        let error = try #require(throws: ConfigError.self) { try GatewayConfig.load(file: file) }
        #expect(error.description.contains("empty"))
    }
}
