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

    /// sem_many_threads under `verbosity=2`, its symbolizer counted, until
    /// a run holds back two cycles (whether the second forms at all depends
    /// on how the threads meet; it does in nearly every run): its held-back
    /// lines and how many symbolizer starts it made. Every run is silent.
    func twoHeldBackLines(failFirst: Bool = false) throws -> (held: [String], starts: Int, run: RunResult)? {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("sem_many_threads")
        let w = try wrapper(failFirst: failFirst)
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
            XCTAssertEqual(run.stderrLines.filter { $0.hasPrefix("DEPT:") && !$0.hasPrefix("DEPT: info:") }, [],
                           run.transcript)
            if held.count >= 2 { return (held, starts, run) }
        }
        XCTFail("no run held back two cycles\n\(transcripts.joined(separator: "\n"))")
        return nil
    }

    func namesSemaphores(_ line: String) -> Bool {
        line.contains("inside items waits for slots") || line.contains("inside slots waits for items")
    }

    /// Two held-back cycles, each printed by its own flush, both naming the
    /// static semaphores `items` and `slots` (data addresses) and nothing
    /// else. One symbolizer start answers both lines: the first line's code
    /// and data in one input, the second line from the memo (before: two
    /// starts per line).
    func test_heldBackLines_oneSymbolizerStart() throws {
        guard let r = try twoHeldBackLines() else { return }
        for line in r.held {
            XCTAssertTrue(namesSemaphores(line), "the semaphores are named by the symbolizer: \(line)\n\(r.run.transcript)")
        }
        XCTAssertEqual(r.starts, 1, "\(r.held.count) held-back lines, one symbolizer start\n\(r.run.transcript)")
    }

    /// What a failed start could not answer is not kept: the next print
    /// asks again and names the semaphores (a kept failure would have named
    /// them by module and offset for the rest of the process).
    func test_failedStart_askedAgain() throws {
        guard let r = try twoHeldBackLines(failFirst: true) else { return }
        XCTAssertFalse(namesSemaphores(r.held[0]), "the failed start named nothing: \(r.held[0])\n\(r.run.transcript)")
        XCTAssertTrue(namesSemaphores(r.held[1]), "the second line is named by a second start: \(r.held[1])\n\(r.run.transcript)")
        XCTAssertEqual(r.starts, 2, r.run.transcript)
    }
}
