// swift-tools-version:5.9
// Tiny package built by Scripts/realworld (`swift build` plainly and under dept).
import PackageDescription

let package = Package(
    name: "RWPackage",
    targets: [
        .target(name: "RWLib"),
        .executableTarget(name: "rwtool", dependencies: ["RWLib"]),
    ]
)
