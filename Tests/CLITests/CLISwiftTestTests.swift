// `dept run -- swift test` on Tests/Fixtures/swift_deadlock_package, whose
// test takes two locks in both orders: the run must fail (dept run exits
// with its exitcode; the test process keeps its own status, as under
// fail_on_potential=0) and the summary must show the cycle, with demangled
// Swift names. Every Swift process of the run (swift-build, the compiler,
// the test runner) is preloaded: none may hang or report the Swift
// runtime's own locks. It builds a small package first (~15-40 s).

import Foundation
import XCTest

final class CLISwiftTestTests: XCTestCase {
    func testSwiftTestOfADeadlockingPackageFails() throws {
        try requireBuild()
        guard let swift = CLIPaths.which("swift") else { throw XCTSkip("swift not on PATH") }
        let dir = try CLIPaths.tempDir("swiftpkg")
        let pkg = dir.appendingPathComponent("pkg")
        try FileManager.default.copyItem(at: CLIPaths.fixtures.appendingPathComponent("swift_deadlock_package"), to: pkg)
        // Build without dept (the compiler is not what is tested), then test under it.
        let build = try runProcess(swift, ["build", "--build-tests"], cwd: pkg, timeout: 600)
        XCTAssertTrue(build.exited && build.status == 0, build.transcript)
        let out = dir.appendingPathComponent("summary.json")
        let r = try dept(["run", "--format", "json", "--output", out.path, "--", swift, "test", "--skip-build"], cwd: pkg, timeout: 300)
        XCTAssertFalse(r.timedOut, r.transcript)
        XCTAssertTrue(r.exited && r.status == 66, "the test run fails with dept's exitcode\n\(r.transcript)")
        let reps = reports(in: try jsonObject(String(contentsOf: out, encoding: .utf8)))
        XCTAssertTrue(reps.contains { functions($0).contains(where: { $0.contains("LockPair.LockPair.transferBackward(") }) },
                      "the LockPair cycle is reported, with demangled names: \(reps.map(functions))\n\(r.transcript)")
        XCTAssertEqual(reps.count, 1, "only the LockPair cycle is reported: \(reps.map(functions))\n\(r.transcript)")
    }
}
