// `dept symbolize`: a report taken without symbols (DEPT_OPTIONS
// symbolize=0, or on another machine) gets its functions, lines and object
// names back from the binaries, found by build ID.

import Foundation
import XCTest

final class CLISymbolizeTests: XCTestCase {
    func testSymbolizesAReportFromItsBinariesByBuildID() throws {
        try requireBuild()
        let dir = try CLIPaths.tempDir("symbolize")
        let original = dir.appendingPathComponent("machine-a", isDirectory: true)
        let binaries = dir.appendingPathComponent("binaries", isDirectory: true)
        try FileManager.default.createDirectory(at: original, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: binaries, withIntermediateDirectories: true)
        let built = try ProgramCache.shared.example("abba")
        let program = original.appendingPathComponent("abba")
        try FileManager.default.copyItem(at: built, to: program)

        // The reference: a symbolized report of the same binary.
        let symbolizedPrefix = dir.appendingPathComponent("sym").path
        _ = try runProcess(program.path, [], env: cleanEnvironment([
            "LD_PRELOAD": CLIPaths.library.path, "DEPT_OPTIONS": "log_path=\(symbolizedPrefix):format=json"]))
        // The raw one.
        let rawPrefix = dir.appendingPathComponent("raw").path
        let run = try runProcess(program.path, [], env: cleanEnvironment([
            "LD_PRELOAD": CLIPaths.library.path, "DEPT_OPTIONS": "log_path=\(rawPrefix):format=json:symbolize=0"]))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        guard let rawName = files.first(where: { $0.hasPrefix("raw.") }), let symName = files.first(where: { $0.hasPrefix("sym.") }) else {
            return XCTFail("no report files: \(files)\n\(run.transcript)")
        }
        let raw = dir.appendingPathComponent(rawName)
        let rawText = try String(contentsOf: raw, encoding: .utf8)
        XCTAssertFalse(rawText.contains("ctx_y"), "symbolize=0 leaves functions out\n\(rawText)")
        let reference = try jsonObject(String(contentsOf: dir.appendingPathComponent(symName), encoding: .utf8)
            .split(separator: "\n")[0].description) as? [String: Any]

        // "Another machine": the binary is gone from its path and sits, renamed,
        // in a directory of binaries; only its build ID can find it.
        try FileManager.default.moveItem(at: program, to: binaries.appendingPathComponent("abba-1.2.3"))
        let out = dir.appendingPathComponent("symbolized.json")
        let r = try dept(["symbolize", raw.path, "--binary-dir", binaries.path, "--output", out.path])
        XCTAssertTrue(r.exited && r.status == 0, r.transcript)
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        guard let first = lines.first, let rep = try jsonObject(String(first)) as? [String: Any] else {
            return XCTFail("no output\n\(r.transcript)")
        }
        XCTAssertTrue(functions(rep).isSuperset(of: ["ctx_x", "ctx_y"]), "\(functions(rep))")
        XCTAssertEqual(objects(rep), ["A", "B"], "static objects named again")
        XCTAssertEqual(rep["key"] as? String, reference?["key"] as? String, "the key of a symbolized run")
        let text = rep["text"] as? String ?? ""
        XCTAssertNotNil(text.range(of: #"SUMMARY: DEPT: potential deadlock abba\.c:[0-9]+ in ctx_[xy]"#, options: .regularExpression), text)
        XCTAssertTrue(text.contains("pthread_mutex_lock(A)"), text)
        XCTAssertEqual(try validateWithJSONSchema(schema: CLIPaths.reportSchema, instances: [out], eachLine: true), [])

        // Without the binaries, frames stay as they were and dept says why.
        let r2 = try dept(["symbolize", raw.path])
        XCTAssertTrue(r2.exited && r2.status == 0, r2.transcript)
        XCTAssertTrue(r2.stderr.contains("no binary for \(program.path)"), r2.transcript)
        XCTAssertFalse(r2.stdout.contains("\"function\":\"ctx_y\""), r2.transcript)
    }
}
