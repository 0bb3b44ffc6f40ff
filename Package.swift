// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let flyingFox = Target.Dependency.product(name: "FlyingFox", package: "FlyingFox")
let yams = Target.Dependency.product(name: "Yams", package: "Yams")

let package = Package(
    name: "Rounds",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rounds", targets: ["rounds"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The studio's HTTP server; swift-configuration support is not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        // NIOEmbedded's test channel gives the studio's in-process tests a request context.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Only its bcrypt target (C, no swift-crypto) is used: the studio's password hashes.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    ],
    targets: [
        // System C libraries (Debian -dev packages; see .ci/run).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // The few shims Swift cannot call directly: variadic curl_easy_setopt, libjpeg's setjmp errors.
        .target(name: "CRoundsNative", dependencies: ["CCurl", "CJPEG"]),

        // Library modules, one concern each (DESIGN.md).
        .target(name: "RoundsCore", swiftSettings: swiftSettings),
        .target(name: "RoundsImaging", dependencies: ["RoundsCore", "CPNG", "CJPEG", "CRoundsNative"],
                swiftSettings: swiftSettings),
        .target(name: "RoundsStore", dependencies: ["RoundsCore", .product(name: "GRDB", package: "GRDB.swift"),
                                                   .product(name: "GRDBSQLite", package: "GRDB.swift")],
                swiftSettings: swiftSettings),
        .target(name: "RoundsJudge", dependencies: ["RoundsCore", "CRoundsNative", "CCurl", yams, "RoundsImaging",
                                                   "RoundsChecklists", "RoundsStore"],
                swiftSettings: swiftSettings),
        .target(name: "RoundsTensor", dependencies: ["RoundsCore", "COpenBLAS"], swiftSettings: swiftSettings),
        .target(name: "RoundsVision", dependencies: ["RoundsCore", "RoundsTensor", "RoundsImaging"],
                swiftSettings: swiftSettings),
        .target(name: "RoundsBroker", dependencies: ["RoundsCore", "RoundsStore", "RoundsChecklists", "RoundsVision",
                                                    "RoundsTensor", "RoundsImaging"],
                swiftSettings: swiftSettings),
        .target(name: "RoundsAlignment", dependencies: ["RoundsCore", "RoundsStore", "RoundsChecklists", "RoundsImaging",
                                                     "RoundsTensor", "RoundsVision"],
                swiftSettings: swiftSettings),
        .target(name: "RoundsDiffusion", dependencies: ["RoundsCore", "RoundsTensor"], swiftSettings: swiftSettings),
        .target(name: "RoundsSimulator", dependencies: ["RoundsCore", "RoundsImaging", flyingFox],
                swiftSettings: swiftSettings),
        .target(name: "RoundsPipeline", dependencies: ["RoundsCore", "RoundsImaging", "RoundsChecklists", "RoundsStore",
                                                      "RoundsJudge", "RoundsSimulator", "RoundsTensor", "RoundsDiffusion",
                                                      "RoundsBroker", "RoundsVision", "RoundsAlignment"],
                swiftSettings: swiftSettings),
        // Every `rounds bench` workload and its peers' runners, with the stand-in server `bench judge` needs.
        .target(name: "RoundsBench", dependencies: ["RoundsCore", "RoundsImaging", "RoundsStore", "RoundsJudge",
                                                   "RoundsAlignment", "RoundsDiffusion", "RoundsTensor", flyingFox],
                swiftSettings: swiftSettings),
        .target(name: "RoundsStudio", dependencies: ["RoundsCore", "RoundsStore", "RoundsChecklists", "RoundsBroker", yams,
                                                   .product(name: "Hummingbird", package: "hummingbird"),
                                                   .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                                                   .product(name: "Mustache", package: "swift-mustache")],
                swiftSettings: swiftSettings),
        // Stand-in servers for tests only; the `rounds` product links it neither directly nor through another module.
        .target(name: "RoundsTestSupport", dependencies: ["RoundsCore", flyingFox], swiftSettings: swiftSettings),
        .executableTarget(name: "rounds-stand-in", dependencies: ["RoundsTestSupport"], path: "Sources/rounds-stand-in",
                          swiftSettings: swiftSettings),

        .target(
            name: "RoundsChecklists",
            dependencies: [
                "RoundsCore",
                yams,
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings,
            // Embeds the repo-root Checklists/ and Prompts/ (the defaults every binary carries).
            plugins: ["EmbedDefaults"]
        ),
        .executableTarget(name: "rounds-embed", path: "Sources/rounds-embed", swiftSettings: swiftSettings),
        .plugin(name: "EmbedDefaults", capability: .buildTool(), dependencies: ["rounds-embed"]),

        .executableTarget(
            name: "rounds",
            dependencies: [
                "RoundsCore", "RoundsImaging", "RoundsJudge", "RoundsSimulator", "RoundsTensor", "RoundsChecklists",
                "RoundsAlignment", "RoundsStore", "RoundsDiffusion", "RoundsPipeline", "RoundsBroker", "RoundsBench",
                "RoundsVision", "RoundsStudio",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "RoundsBenchTests", dependencies: ["RoundsBench", "RoundsStore", "RoundsImaging", "RoundsAlignment"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsCoreTests", dependencies: ["RoundsCore"], swiftSettings: swiftSettings),
        .testTarget(name: "RoundsImagingTests", dependencies: ["RoundsImaging", "CPNG"], resources: [.copy("Fixtures")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsStoreTests", dependencies: ["RoundsStore", "rounds"], swiftSettings: swiftSettings),
        .testTarget(name: "RoundsJudgeTests", dependencies: ["RoundsJudge", "RoundsTestSupport"], exclude: ["Fixtures"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsTensorTests", dependencies: ["RoundsTensor"], resources: [.copy("Fixtures")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsAlignmentTests", dependencies: ["RoundsAlignment", "RoundsStore", "RoundsChecklists", "RoundsImaging",
                                                          "RoundsVision",
                                                          "RoundsCore"], exclude: ["Fixtures"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsVisionTests", dependencies: ["RoundsVision", "RoundsTensor", "RoundsStore", "RoundsImaging", "RoundsCore"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsBrokerTests", dependencies: ["RoundsBroker", "RoundsVision", "RoundsStore", "RoundsImaging",
                                                       "RoundsTensor", "RoundsChecklists", "RoundsCore"], exclude: ["Fixtures"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsDiffusionTests", dependencies: ["RoundsDiffusion"], exclude: ["Fixtures"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsSimulatorTests", dependencies: ["RoundsSimulator", "RoundsJudge", "RoundsTestSupport", "RoundsChecklists", "RoundsStore",
                                                          .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsPipelineTests", dependencies: ["RoundsPipeline", "RoundsSimulator", "RoundsCore", "RoundsStore", "RoundsDiffusion",
                                                          "RoundsAlignment", "RoundsBroker", "RoundsChecklists", "RoundsImaging"],
                    exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "RoundsCLITests", dependencies: ["rounds", "RoundsCore", "RoundsBroker", "RoundsStore", "RoundsTestSupport", "RoundsImaging",
                                                    .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: swiftSettings),
        .testTarget(name: "RoundsStudioTests", dependencies: ["RoundsStudio", "RoundsStore", "RoundsChecklists", "RoundsCore",
                                                       "RoundsImaging",
                                                       .product(name: "Hummingbird", package: "hummingbird"),
                                                       .product(name: "NIOEmbedded", package: "swift-nio")],
                    exclude: ["Browser"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RoundsChecklistsTests",
            dependencies: ["RoundsChecklists"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
