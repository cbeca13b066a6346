// swift-tools-version:6.0
import PackageDescription

/// Sasurai: stay-and-work scheduling for rural host towns.
///
/// Dependencies point one way: CSQLite <- SasuraiStore; SasuraiCore <- SasuraiEngine,
/// SasuraiProtocol, SasuraiStore; SasuraiServer puts them together; executables stay thin.
let package = Package(
    name: "Sasurai",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sasurai", targets: ["sasurai"]),
        .executable(name: "sasurai-server", targets: ["sasurai-server"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLinuxEvents", path: "Sources/CLinuxEvents"),
        .target(name: "SasuraiCore"),
        .target(name: "SasuraiEngine", dependencies: ["SasuraiCore"]),
        .target(name: "SasuraiStore", dependencies: ["SasuraiCore", "CSQLite"]),
        .target(name: "SasuraiProtocol", dependencies: ["SasuraiCore"]),
        .target(name: "SasuraiCommandLine", dependencies: ["SasuraiCore", "SasuraiEngine", "SasuraiStore"]),
        .target(name: "SasuraiServer",
                dependencies: ["SasuraiCore", "SasuraiEngine", "SasuraiProtocol", "SasuraiStore", "CLinuxEvents"]),
        .executableTarget(name: "sasurai", dependencies: ["SasuraiCommandLine"]),
        .executableTarget(name: "sasurai-server", dependencies: ["SasuraiServer"]),
        .executableTarget(name: "sasurai-bench", dependencies: ["CLinuxEvents"]),
        .testTarget(name: "SasuraiCoreTests", dependencies: ["SasuraiCore"]),
        .testTarget(name: "SasuraiEngineTests", dependencies: ["SasuraiEngine", "SasuraiCore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["SasuraiCore", "SasuraiCommandLine"]),
        .testTarget(name: "SasuraiStoreTests", dependencies: ["SasuraiStore", "SasuraiCore"]),
        .testTarget(name: "SasuraiProtocolTests", dependencies: ["SasuraiProtocol", "SasuraiCore"]),
        .testTarget(name: "SasuraiCommandLineTests", dependencies: ["SasuraiCommandLine", "SasuraiCore"]),
        .testTarget(name: "SasuraiServerTests",
                    dependencies: ["SasuraiServer", "SasuraiProtocol", "SasuraiStore", "SasuraiCore"]),
    ],
    swiftLanguageModes: [.v6]
)
