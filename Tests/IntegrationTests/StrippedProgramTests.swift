// Stripped programs (issue 14): packaged software ships without debug
// information. dept finds a separate debug file the way gdb does (here: by
// .gnu_debuglink; the build-ID path is the same lookup, unit-tested), falls
// back to the exported symbols (.dynsym) for function names, and says once
// per report how to get better names.

import Foundation
import XCTest

final class StrippedProgramTests: XCTestCase {

    /// Builds Examples/abba.c with `flags`, then runs `post` (a shell
    /// fragment over $BIN) on it; returns the binary's path.
    func build(_ name: String, flags: String, post: String) throws -> URL {
        let dir = try DeptPaths.makeTempDir("stripped")
        let bin = dir.appendingPathComponent(name)
        let source = DeptPaths.examplesDir.appendingPathComponent("abba.c")
        let script = "set -e; cc \(flags) -pthread -o \"$BIN\" \"$SRC\"; \(post)"
        let r = runProgram("/bin/sh", ["-c", script], preload: false, env: ["BIN": bin.path, "SRC": source.path], timeout: 120)
        guard r.exitCode == 0 else {
            XCTFail("cannot build \(name)\n\(r.transcript)")
            throw HarnessError("build failed")
        }
        return bin
    }

    /// Stripped, with its debug information in a file named by its
    /// .gnu_debuglink: reports have functions and source lines, no note.
    func testDebugFileFoundThroughDebuglink() throws {
        _ = try requirePreload()
        let bin = try build("abba-linked", flags: "-g -O0",
                            post: "objcopy --only-keep-debug \"$BIN\" \"$BIN.debug\"; objcopy --strip-all --add-gnu-debuglink=\"$BIN.debug\" \"$BIN\"")
        let plainNames = runProgram("/usr/bin/nm", [bin.path], preload: false)
        XCTAssertFalse(plainNames.stdout.contains("ctx_y"), "the binary itself has no symbols\n\(plainNames.transcript)")
        let run = runProgram(bin.path, [], preload: true)
        let r = assertReport(run, kind: .potential, objects: ["A", "B"], exitCode: 66)
        XCTAssertNotNil(r)
        XCTAssertTrue(run.stderr.contains(" ctx_y ") && run.stderr.contains("abba.c:"), run.transcript)
        XCTAssertTrue(run.stderr.contains("SUMMARY: DEPT: potential deadlock abba.c:"), run.transcript)
        XCTAssertFalse(run.stderrLines.contains { $0.hasPrefix("note: ") && $0.contains("debug information") }, run.transcript)
    }

    /// Stripped without any debug file: function and object names from the
    /// exported symbols (-rdynamic; `-Dstatic=` exports abba's functions and
    /// locks), and one note on how to get source lines.
    func testExportedSymbolsAndANote() throws {
        _ = try requirePreload()
        let bin = try build("abba-bare", flags: "-O0 -rdynamic -Dstatic=", post: "strip --strip-all \"$BIN\"")
        let run = runProgram(bin.path, [], preload: true)
        XCTAssertNotNil(assertReport(run, kind: .potential, objects: ["A", "B"], exitCode: 66))
        XCTAssertTrue(run.stderr.contains(" ctx_y (abba-bare+0x"), "the function from .dynsym\n\(run.transcript)")
        let notes = run.stderrLines.filter { $0.hasPrefix("note: ") && !$0.contains("had exited when this cycle closed") }
        XCTAssertEqual(notes, ["note: abba-bare has no debug information: build it with -g, or keep its debug file where gdb looks (.gnu_debuglink, /usr/lib/debug/.build-id/)"],
                       run.transcript)
        XCTAssertTrue(run.stderr.contains("to suppress: deadlock:ctx_y"), run.transcript)
    }

    /// A library without debug information where packages put theirs
    /// (here /usr/local/lib, in a private mount namespace) is named by its
    /// package: "install <pkg>-dbgsym". When dpkg-query cannot answer (a
    /// stand-in that fails its first two runs, both paths the first report
    /// asks about), the report says how to build it instead, and the next
    /// report asks again: the failed answer was kept for the rest of the
    /// process, and every later report repeated it.
    func testPackageHintAskedAgainAfterDpkgQueryFailed() throws {
        _ = try requirePreload()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg-query"),
              FileManager.default.fileExists(atPath: "/usr/local/lib") else {
            throw XCTSkip("no /usr/bin/dpkg-query or /usr/local/lib to stand in for: the package hint was NOT checked")
        }
        guard let unshare = DeptPaths.which("unshare") else {
            throw XCTSkip("unshare (util-linux) is not installed: the package hint was NOT checked")
        }
        let probe = ProcessRunner.run(executable: unshare, arguments: ["-m", "--propagation", "private", "true"],
                                      environment: ProcessRunner.cleanEnvironment(), timeout: 30)
        guard probe.exitedNormally, probe.exitCode == 0 else {
            throw XCTSkip("unshare -m is not permitted here (needs root): the package hint was NOT checked\n\(probe.transcript)")
        }
        let example = try ExampleBuilder.shared.build("plugin_two_inversions")
        let dir = try DeptPaths.makeTempDir("dbgsym")
        let plugins = dir.appendingPathComponent("lib")
        let built = example.executable.deletingLastPathComponent().appendingPathComponent("libplugin_nest.so")
        let count = dir.appendingPathComponent("count").path
        let fake = dir.appendingPathComponent("dpkg-query").path
        let setup = """
            set -e
            mkdir -p '\(plugins.path)'
            cp '\(built.path)' '\(plugins.path)/'
            strip --strip-debug '\(plugins.path)/libplugin_nest.so'
            cat > '\(fake)' <<'FAKE'
            #!/bin/sh
            c=$(cat '\(count)' 2>/dev/null || echo 0)
            echo $((c + 1)) > '\(count)'
            [ "$c" -lt 2 ] && exit 2
            echo "fakepkg:amd64: $2"
            FAKE
            chmod +x '\(fake)'
            """
        let made = runProgram("/bin/sh", ["-c", setup], preload: false, timeout: 60)
        XCTAssertEqual(made.exitCode, 0, made.transcript)
        let script = """
            set -e
            mount --bind '\(plugins.path)' /usr/local/lib
            mount --bind '\(fake)' /usr/bin/dpkg-query
            export LD_PRELOAD='\(DeptPaths.preload.path)' DEPT_EXAMPLE_PLUGIN=/usr/local/lib/libplugin_nest.so
            exec '\(example.executable.path)'
            """
        let r = ProcessRunner.run(executable: unshare, arguments: ["-m", "--propagation", "private", "/bin/sh", "-c", script],
                                  environment: ProcessRunner.cleanEnvironment(), timeout: 60)
        let reports = r.stderr.components(separatedBy: "DEPT: potential deadlock:").count - 1
        XCTAssertEqual(reports, 2, r.transcript)
        let notes = r.stderr.split(separator: "\n").filter { $0.hasPrefix("note: libplugin_nest.so") }.map(String.init)
        XCTAssertEqual(notes, [
            "note: libplugin_nest.so has no debug information: build it with -g, or keep its debug file where gdb looks (.gnu_debuglink, /usr/lib/debug/.build-id/)",
            "note: libplugin_nest.so has no debug information: install fakepkg-dbgsym (Debian's debug archive) for function names and lines",
        ], r.transcript)
    }

    /// Stripped, nothing exported: no name is made up from an unrelated
    /// neighbour (`__bss_start+56`); objects are named by module+offset.
    func testNoNamesFromUnrelatedSymbols() throws {
        _ = try requirePreload()
        let bin = try build("abba-none", flags: "-O0", post: "strip --strip-all \"$BIN\"")
        let run = runProgram(bin.path, [], preload: true)
        XCTAssertTrue(run.stderr.contains("DEPT: potential deadlock:"), run.transcript)
        XCTAssertFalse(run.stderr.contains("__bss_start") || run.stderr.contains("_edata"), run.transcript)
        XCTAssertTrue(run.stderr.contains("pthread_mutex_lock(abba-none+0x"), run.transcript)
    }
}
