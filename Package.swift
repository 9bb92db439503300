// swift-tools-version:5.9
import PackageDescription
import Foundation

// The preload must export only the interposed functions and the documented
// annotation API; everything else (the Swift core included) stays local so it
// cannot collide with the host program's own symbols.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

// What is loaded into every host process must start fast: no concurrency or
// regex runtime, which the core does not use.
let lean: [SwiftSetting] = [
    .unsafeFlags([
        "-Xfrontend", "-disable-implicit-concurrency-module-import",
        "-Xfrontend", "-disable-implicit-string-processing-module-import",
    ]),
]

let package = Package(
    name: "dept",
    products: [
        // libdept.so: the C shim, the runtime glue and the Swift core in ONE object.
        .library(name: "dept", type: .dynamic, targets: ["DeptRuntime"]),
        // SwiftPM refuses two products named "dept", so the CLI binary is
        // dept-cli in the build tree; Scripts/install names it dept.
        .executable(name: "dept-cli", targets: ["dept"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "CShim",
            path: "CShim",
            exclude: ["exports.map"],
            cSettings: [
                .unsafeFlags(["-fvisibility=hidden", "-O2", "-fomit-frame-pointer", "-fno-plt", "-ftls-model=initial-exec", "-fexceptions"]),
            ],
            // libunwind is bound at run time (stack_capture.c), not linked.
            linkerSettings: [.linkedLibrary("dl")]
        ),
        .target(name: "DeptCore", swiftSettings: lean),
        .target(
            name: "DeptRuntime",
            dependencies: ["CShim", "DeptCore"],
            swiftSettings: lean,
            linkerSettings: [
                .unsafeFlags(["-Xlinker", "--version-script=\(root)/CShim/exports.map"]),
            ]
        ),
        .executableTarget(
            name: "dept",
            dependencies: [
                "DeptCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "DeptCoreTests", dependencies: ["DeptCore"]),
        .testTarget(name: "IntegrationTests", dependencies: ["DeptCore"]),
        .testTarget(name: "CLITests", dependencies: []),
    ]
)
