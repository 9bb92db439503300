// Issue 14 item 3: a C++ report's SARIF locations, DOT labels and re-rendered
// text point at the user's frame, not at libstdc++'s headers; under
// --source-root, at the first frame inside it.

import Foundation
import XCTest

final class CLIFrameChoiceTests: XCTestCase {
    /// One stored report whose stacks start in std::mutex (system headers),
    /// go through a vendored helper outside the checkout, then the user's
    /// function, then std::thread and libc.
    static func report(root: String) -> String {
        func frame(_ fn: String, _ file: String, _ line: Int, module: String = "/work/app/bin/order", off: Int) -> String {
            "{\"pc\":\"0x\(String(0x1000 + off, radix: 16))\",\"module\":\"\(module)\",\"offset\":\"0x\(String(off, radix: 16))\",\"function\":\"\(fn)\",\"file\":\"\(file)\",\"line\":\(line)}"
        }
        func stack(_ line: Int) -> String {
            "[" + [frame("__gthread_mutex_lock(pthread_mutex_t*)", "/usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h", 749, off: 0x13d8),
                   frame("std::mutex::lock()", "/usr/include/c++/12/bits/std_mutex.h", 100, off: 0x1428),
                   frame("vendor::guard()", "/opt/vendor/guard.h", 7, off: 0x1500),
                   frame("report()", "\(root)/src/order.cpp", line, off: 0x1290),
                   frame("start_thread", "./nptl/pthread_create.c", 442, module: "/lib/x86_64-linux-gnu/libc.so.6", off: 0x891f5)].joined(separator: ",") + "]"
        }
        func point(_ op: String, _ obj: String, _ line: Int) -> String {
            "{\"operation\":\"\(op)\",\"object\":\"\(obj)\",\"instance\":1,\"text\":\"\(op)(\(obj))\",\"stack\":\(stack(line))}"
        }
        let thread = "{\"id\":3,\"os_tid\":99,\"name\":null,\"created_at\":[]}"
        let ctxA = "{\"label\":\"A\",\"thread\":\(thread),\"start\":\(point("pthread_mutex_lock", "audit_lock", 20)),\"wait\":\(point("pthread_mutex_lock", "accounts_lock", 21)),\"event\":\(point("pthread_mutex_unlock", "audit_lock", 22))}"
        let ctxB = "{\"label\":\"B\",\"thread\":\(thread),\"start\":\(point("pthread_mutex_lock", "accounts_lock", 13)),\"wait\":\(point("pthread_mutex_lock", "audit_lock", 14)),\"event\":\(point("pthread_mutex_unlock", "accounts_lock", 17))}"
        let summary = frame("vendor::guard()", "/opt/vendor/guard.h", 7, off: 0x1500)
        return "{\"schema\":\"dept-report\",\"version\":1,\"kind\":\"potential\",\"pid\":42,\"headline\":\"DEPT: potential deadlock: circular dependency of 2 events (pid 42)\",\"key\":\"0123456789abcdef\",\"hang_ms\":0,\"contexts\":[\(ctxA),\(ctxB)],\"blocked\":[],\"summary\":{\"kind\":\"potential deadlock\",\"location\":\"guard.h:7\",\"function\":\"vendor::guard()\",\"frame\":\(summary)},\"modules\":[],\"text\":\"\"}\n"
    }

    func testLocationsAreTheUsersFrames() throws {
        try requireBuild()
        let dir = try CLIPaths.tempDir("frames")
        let root = dir.appendingPathComponent("checkout").path
        let file = dir.appendingPathComponent("report.42")
        try Self.report(root: root).write(to: file, atomically: true, encoding: .utf8)

        let dot = try dept(["report", file.path, "--format", "dot"])
        XCTAssertTrue(dot.exited && dot.status == 0, dot.transcript)
        XCTAssertFalse(dot.stdout.contains("gthr-default.h") || dot.stdout.contains("std_mutex.h"), dot.stdout)
        XCTAssertTrue(dot.stdout.contains("vendor::guard() guard.h:7"), "first frame outside the runtime\n\(dot.stdout)")

        let sarif = try dept(["report", file.path, "--format", "sarif", "--source-root", root])
        XCTAssertTrue(sarif.exited && sarif.status == 0, sarif.transcript)
        XCTAssertFalse(sarif.stdout.contains("gthr-default.h") || sarif.stdout.contains("guard.h"), sarif.stdout)
        let log = try jsonObject(sarif.stdout) as? [String: Any]
        let result = (((log?["runs"] as? [Any])?.first as? [String: Any])?["results"] as? [Any])?.first as? [String: Any]
        let primary = ((result?["locations"] as? [Any])?.first as? [String: Any])?["physicalLocation"] as? [String: Any]
        XCTAssertEqual((primary?["artifactLocation"] as? [String: Any])?["uri"] as? String, "src/order.cpp")
        XCTAssertEqual((primary?["region"] as? [String: Any])?["startLine"] as? Int, 21)
        let lines = ((result?["relatedLocations"] as? [Any]) ?? []).compactMap {
            (((($0 as? [String: Any])?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])?["startLine"] as? Int)
        }
        XCTAssertEqual(lines, [20, 21, 22, 13, 14, 17], "every [S]/[W]/[E] at its line of order.cpp")

        let text = try dept(["report", file.path])
        XCTAssertTrue(text.stdout.contains("    #2 vendor::guard() /opt/vendor/guard.h:7 (order+0x1500)\n    #3 report() "), text.stdout)
        XCTAssertFalse(text.stdout.contains("#0 __gthread_mutex_lock"), "runtime frames folded\n\(text.stdout)")
    }
}
