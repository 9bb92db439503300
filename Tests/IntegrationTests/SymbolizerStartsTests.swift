// How often a process starts its symbolizer. Each start reads the modules'
// debug information anew (about 40 ms once libc's is installed), and every
// report, warning and `verbosity=2` line is printed by a flush of its own:
// a process that prints many of them (gst-launch's held-back cycles under
// `dept run`) spent a second in symbolizer starts. What one start answered
// is kept for the rest of the process (DeptCore/SymbolMemo.swift), and the
// code and data addresses of one print are asked in one start.

import Foundation
import XCTest

final class SymbolizerStartsTests: XCTestCase {

    /// A counting wrapper around llvm-symbolizer; `failFirst`: its first
    /// start answers nothing (a symbolizer that died).
    func wrapper(failFirst: Bool = false) throws -> (path: URL, count: URL, next: String) {
        guard let symbolizer = DeptPaths.which("llvm-symbolizer") else {
            XCTFail("llvm-symbolizer is not on PATH")
            throw HarnessError("llvm-symbolizer is not on PATH")
        }
        let dir = try DeptPaths.makeTempDir("symbolizer-starts")
        let wrapper = dir.appendingPathComponent("counting-symbolizer")
        let fail = failFirst ? "[ \"$(wc -l < \"$COUNT_FILE\")\" -eq 1 ] && exit 1\n" : ""
        try "#!/bin/sh\necho start >> \"$COUNT_FILE\"\n\(fail)exec \"$NEXT_SYMBOLIZER\" \"$@\"\n"
            .write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        return (wrapper, dir.appendingPathComponent("starts"), symbolizer)
    }

    /// sem_many_threads under `verbosity=2`: two held-back cycles, each
    /// printed by its own flush, both naming the static semaphores `items`
    /// and `slots` (data addresses) and nothing else. One symbolizer start
    /// answers both lines: the first line's code and data in one input,
    /// the second line from the memo (before: two starts per line).
    func test_heldBackLines_oneSymbolizerStart() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("sem_many_threads")
        let w = try wrapper()
        var transcripts: [String] = []
        // Whether the second cycle is found at all depends on how the
        // threads meet; its explanation comes in nearly every run.
        for attempt in 0..<3 {
            let count = w.count.appendingPathExtension("\(attempt)")
            let run = runExample(example, preload: true, env: [
                "DEPT_OPTIONS": "verbosity=2:symbolizer_path=\(w.path.path)",
                "COUNT_FILE": count.path, "NEXT_SYMBOLIZER": w.next,
            ])
            let held = run.stderrLines.filter { $0.hasPrefix("DEPT: info: not reported (") }
            let starts = ((try? String(contentsOf: count, encoding: .utf8)) ?? "").split(separator: "\n").count
            transcripts.append("starts: \(starts)\n\(run.transcript)")
            XCTAssertEqual(run.stderrLines.filter { $0.hasPrefix("DEPT:") && !$0.hasPrefix("DEPT: info:") }, [],
                           run.transcript)
            guard held.count >= 2 else { continue }
            for line in held {
                XCTAssertTrue(line.contains("inside items waits for slots") || line.contains("inside slots waits for items"),
                              "the semaphores are named by the symbolizer: \(line)\n\(run.transcript)")
            }
            XCTAssertEqual(starts, 1, "\(held.count) held-back lines, one symbolizer start\n\(run.transcript)")
            return
        }
        XCTFail("no run held back two cycles\n\(transcripts.joined(separator: "\n"))")
    }

    /// What a failed start could not answer is not kept: the next print
    /// asks again and names the semaphores (a kept failure would have named
    /// them by module and offset for the rest of the process).
    func test_failedStart_askedAgain() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("sem_many_threads")
        let w = try wrapper(failFirst: true)
        var transcripts: [String] = []
        for attempt in 0..<3 {
            let count = w.count.appendingPathExtension("\(attempt)")
            let run = runExample(example, preload: true, env: [
                "DEPT_OPTIONS": "verbosity=2:symbolizer_path=\(w.path.path)",
                "COUNT_FILE": count.path, "NEXT_SYMBOLIZER": w.next,
            ])
            let held = run.stderrLines.filter { $0.hasPrefix("DEPT: info: not reported (") }
            let starts = ((try? String(contentsOf: count, encoding: .utf8)) ?? "").split(separator: "\n").count
            transcripts.append("starts: \(starts)\n\(run.transcript)")
            guard held.count >= 2 else { continue }
            XCTAssertFalse(held[0].contains("inside items waits") || held[0].contains("inside slots waits"),
                           "the failed start named nothing: \(held[0])\n\(run.transcript)")
            XCTAssertTrue(held[1].contains("inside items waits for slots") || held[1].contains("inside slots waits for items"),
                          "the second line is named by a second start: \(held[1])\n\(run.transcript)")
            XCTAssertEqual(starts, 2, run.transcript)
            return
        }
        XCTFail("no run held back two cycles\n\(transcripts.joined(separator: "\n"))")
    }
}
