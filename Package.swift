// swift-tools-version: 6.0
import PackageDescription

/// Every Swift target: Swift 6 language mode with strict concurrency.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "loonflow-mcp-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "loonflow-mcp-gateway", targets: ["loonflow-mcp-gateway"])
    ],
    targets: [
        // C libraries from Debian, each behind a module map and a header of typed shims.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(
            name: "CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),

        // Plain Swift values shared by every layer.
        .target(name: "JSON", swiftSettings: strict),
        .target(name: "HTTPMessage", swiftSettings: strict),
        // Text shapes several layers check: trimming, canonical UUIDs.
        .target(name: "PlainText", swiftSettings: strict),
        .target(name: "Logging", dependencies: ["JSON"], swiftSettings: strict),

        // Thin edges around the C libraries.
        .target(name: "Curl", dependencies: ["CCurl", "HTTPMessage"], swiftSettings: strict),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "HTTPMessage"], swiftSettings: strict),
        .target(name: "YAML", dependencies: ["CYAML"], swiftSettings: strict),
        .target(name: "Crypto", dependencies: ["CCrypto"], swiftSettings: strict),

        // The protocol, the product logic and the wiring.
        .target(name: "MCPCore", dependencies: ["JSON", "Auth"], swiftSettings: strict),
        .target(
            name: "MCPHTTP", dependencies: ["MCPCore", "HTTPMessage", "JSON", "Crypto", "Auth", "Logging"],
            swiftSettings: strict),
        .target(name: "Auth", dependencies: ["JSON", "Crypto", "PlainText"], swiftSettings: strict),
        .target(
            name: "LoonflowClient", dependencies: ["HTTPMessage", "JSON", "Auth", "Crypto", "PlainText"],
            swiftSettings: strict),
        .target(
            name: "Tools", dependencies: ["MCPCore", "LoonflowClient", "JSON", "Auth", "Logging", "PlainText"],
            swiftSettings: strict),
        .target(
            name: "MCPUpstream", dependencies: ["MCPCore", "Tools", "LoonflowClient", "Auth", "JSON", "HTTPMessage", "Logging", "PlainText"],
            swiftSettings: strict),
        .target(name: "Config", dependencies: ["YAML"], swiftSettings: strict),
        .target(
            name: "FixtureReplay", dependencies: ["HTTPMessage", "JSON", "Crypto", "Auth", "PlainText"],
            swiftSettings: strict),
        .target(
            name: "LoonflowSimulator", dependencies: ["FixtureReplay", "HTTPMessage", "JSON"],
            swiftSettings: strict),
        .target(
            name: "Gateway",
            dependencies: [
                "MCPCore", "MCPHTTP", "MCPUpstream", "Tools", "LoonflowClient", "Config", "Curl", "HTTPServer",
                "FixtureReplay", "LoonflowSimulator", "Logging", "Auth", "JSON", "HTTPMessage", "PlainText",
            ],
            swiftSettings: strict),
        .executableTarget(name: "loonflow-mcp-gateway", dependencies: ["Gateway"], swiftSettings: strict),

        // Test support: loopback upstreams, fixture loading, an MCP client over libcurl.
        .target(
            name: "TestSupport",
            dependencies: ["JSON", "HTTPMessage", "Curl", "HTTPServer", "Gateway", "Crypto", "Config", "Logging"],
            path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strict),
        .testTarget(name: "CurlTests", dependencies: ["Curl", "TestSupport", "HTTPMessage", "HTTPServer"], swiftSettings: strict),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPMessage", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "YAML"], swiftSettings: strict),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"], swiftSettings: strict),
        .testTarget(name: "LoggingTests", dependencies: ["Logging", "JSON"], swiftSettings: strict),
        .testTarget(name: "MCPCoreTests", dependencies: ["MCPCore", "JSON", "Auth"], swiftSettings: strict),
        .testTarget(name: "MCPHTTPTests", dependencies: ["MCPHTTP", "MCPCore", "JSON", "HTTPMessage", "Auth", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "JSON", "Crypto", "PlainText"], swiftSettings: strict),
        .testTarget(name: "ToolsTests", dependencies: ["Tools", "TestSupport", "JSON", "Curl", "Auth", "HTTPMessage", "Logging", "LoonflowClient", "MCPCore", "PlainText", "Crypto"], swiftSettings: strict),
        .testTarget(name: "FixtureReplayTests", dependencies: ["Logging", "FixtureReplay", "TestSupport", "Gateway", "Config", "MCPCore", "HTTPServer", "Curl", "HTTPMessage", "JSON", "Crypto", "Auth"], swiftSettings: strict),
        .testTarget(
            name: "LoonflowSimulatorTests",
            dependencies: ["LoonflowSimulator", "FixtureReplay", "JSON", "LoonflowClient", "Auth", "HTTPServer", "Curl", "HTTPMessage"],
            swiftSettings: strict),
        .testTarget(
            name: "GatewayTests", dependencies: ["Gateway", "MCPUpstream", "TestSupport", "Config", "JSON", "LoonflowClient", "Curl", "Auth", "Crypto", "HTTPMessage"], exclude: ["Interop"],
            swiftSettings: strict),
        .testTarget(
            name: "HardeningTests", dependencies: ["Gateway", "TestSupport", "Config", "JSON", "MCPHTTP", "Curl", "HTTPMessage"],
            swiftSettings: strict),
        .testTarget(name: "ScaleOutTests", dependencies: ["TestSupport", "JSON", "HTTPMessage"], exclude: ["Clients"], swiftSettings: strict),
    ]
)
