// swift-tools-version:5.9
// A tiny package whose test takes two locks in both orders (an AB-BA
// inversion, sequenced so the run itself never hangs). Under `dept run --
// swift test` the test process reports a potential deadlock and exits with
// dept's exitcode, which fails the test run. Used by Tests/CLITests.
import PackageDescription

let package = Package(
    name: "LockPair",
    targets: [
        .target(name: "LockPair"),
        .testTarget(name: "LockPairTests", dependencies: ["LockPair"]),
    ]
)
