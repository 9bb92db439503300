// libdept.so itself (issue 13): it is loaded into every process a test
// runner starts, so it must need nothing but the C library at run time (no
// Swift runtime, no libstdc++, no libgcc_s, no path into the toolchain),
// export nothing but its interposers, and still work once installed by
// Scripts/install on a machine without the Swift toolchain.

import Foundation
import XCTest

final class LibraryTests: XCTestCase {

    /// What libdept.so may name in DT_NEEDED: the C library's parts.
    static let allowedNeeded: Set<String> = ["libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "ld-linux-x86-64.so.2"]

    struct Tool: Error, CustomStringConvertible {
        let description: String
    }

    private func run(_ tool: String, _ args: [String], timeout: TimeInterval = 120) throws -> RunResult {
        guard let exe = DeptPaths.which(tool) else { throw XCTSkip("\(tool) is not installed (binutils / libc-bin)") }
        let r = ProcessRunner.run(executable: exe, arguments: args, environment: ProcessRunner.cleanEnvironment(), timeout: timeout)
        guard r.exitedNormally, r.exitCode == 0 else { throw Tool(description: "\(tool) failed\n\(r.transcript)") }
        return r
    }

    /// Checks DT_NEEDED, DT_RPATH/DT_RUNPATH (readelf -d) and what the loader
    /// resolves (ldd) for the library at `path`.
    private func assertSelfContained(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dynamic = try run("readelf", ["-d", "-W", path]).stdout
        var needed: [String] = []
        for l in splitLines(dynamic) {
            if l.contains("(NEEDED)"), let open = l.firstIndex(of: "["), let close = l.lastIndex(of: "]") {
                needed.append(String(l[l.index(after: open)..<close]))
            }
            if l.contains("(RPATH)") || l.contains("(RUNPATH)"), let open = l.firstIndex(of: "["), let close = l.lastIndex(of: "]") {
                // SwiftPM always adds $ORIGIN; nothing else may be searched.
                let paths = l[l.index(after: open)..<close].split(separator: ":").map(String.init)
                XCTAssertEqual(paths.filter { $0 != "$ORIGIN" }, [], "\(path) searches other directories for libraries\n\(dynamic)",
                               file: file, line: line)
            }
        }
        XCTAssertFalse(needed.isEmpty, "no DT_NEEDED entry read from \(path)\n\(dynamic)", file: file, line: line)
        XCTAssertEqual(Set(needed).subtracting(Self.allowedNeeded).sorted(), [],
                       "\(path) needs more than the C library\n\(dynamic)", file: file, line: line)

        let ldd = try run("ldd", [path]).stdout
        for l in splitLines(ldd) where !l.trimmingCharacters(in: .whitespaces).isEmpty {
            let name = l.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
            let base = name.split(separator: "/").last.map(String.init) ?? name
            XCTAssertTrue(Self.allowedNeeded.contains(base) || base.hasPrefix("linux-vdso"),
                          "ldd \(path) lists \(name)\n\(ldd)", file: file, line: line)
            XCTAssertFalse(l.contains("not found"), "ldd \(path): \(l)", file: file, line: line)
        }
    }

    /// dept's own frames (its hooks, and the wrappers of main and of each
    /// thread's start routine) never show in a stack, whatever the
    /// library's file name: it recognises itself by address. A copy loaded
    /// as dept-copy.so showed main's wrapper (main_then_flush) below main,
    /// and named a class first used in main after it: the warning of
    /// rwlock_unlock_unheld named S "first-use@exit_hooks.c:48".
    func test_aCopyUnderAnotherNameShowsNoFrameOfItself() throws {
        let lib = try requirePreload()
        let copy = DeptPaths.scratchDir.appendingPathComponent("dept-copy.so")
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: lib, to: copy)
        let warning = try ExampleBuilder.shared.build("rwlock_unlock_unheld")
        let text = runExample(warning, preload: false, env: ["LD_PRELOAD": copy.path], timeout: 60)
        XCTAssertTrue(text.stderr.contains("unlock of first-use@rwlock_unlock_unheld.c:"), text.transcript)
        XCTAssertFalse(text.stderr.contains("exit_hooks.c") || text.stderr.contains("dept-copy.so+"), text.transcript)
        // JSON keeps every frame, the runtime's too: none may be dept's.
        let frameModule = makeRegex(#""module":"([^"]*)""#)
        for name in ["rwlock_unlock_unheld", "abba"] {
            let example = try ExampleBuilder.shared.build(name)
            let run = runExample(example, preload: false, env: ["LD_PRELOAD": copy.path, "DEPT_OPTIONS": "format=json"], timeout: 60)
            let modules = frameModule.matches(in: run.stderr, range: NSRange(run.stderr.startIndex..., in: run.stderr)).compactMap {
                Range($0.range(at: 1), in: run.stderr).map { String(run.stderr[$0]) }
            }
            XCTAssertFalse(modules.isEmpty, "no frame in the JSON of \(name)\n\(run.transcript)")
            XCTAssertFalse(modules.contains(copy.path), "a frame of dept itself in \(name)'s JSON\n\(run.transcript)")
        }
    }

    /// gdb attached to a program that runs under dept (to look at a hang
    /// dept reported, say) reads libdept.so's debug information without a
    /// word: before, it warned that the library's name index had the wrong
    /// length (the linker had concatenated one per Swift object file) and
    /// complained of every skeleton unit pointing at the build's Clang
    /// module caches (found by a survey: gdb's own output changed when the
    /// program it debugged inherited the preload). The debug information
    /// itself stays: gdb still finds the shim's lines.
    func test_gdbReadsTheLibraryWithoutComplaint() throws {
        let lib = try requirePreload()
        let out = try run("gdb", ["-batch", "-nx", "-ex", "info line dept_core_lock", lib.path])
        let text = out.stdout + out.stderr
        XCTAssertFalse(text.contains("warning:"), text)
        XCTAssertFalse(text.contains("During symbol reading"), text)
        XCTAssertTrue(text.contains("runtime_init.c"), "gdb found no line of the shim's dept_core_lock\n\(text)")
    }

    func test_builtLibraryNeedsOnlyTheCLibrary() throws {
        let lib = try requirePreload()
        try assertSelfContained(lib.path)
    }

    /// Every symbol the library defines for others to bind to is one of the C
    /// library's functions (an interposer); the Embedded Swift runtime's
    /// entry points (swift_retain, ...), Swift symbols, and the static
    /// unwinder's _Unwind_* and backtrace stay local, so a Swift or C++ host
    /// keeps its own.
    func test_exportsOnlyInterposers() throws {
        let lib = try requirePreload()
        func exported(_ path: String) throws -> Set<String> {
            var out: Set<String> = []
            for l in splitLines(try run("readelf", ["--dyn-syms", "-W", path]).stdout) {
                let f = l.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                // Num: Value Size Type Bind Vis Ndx Name
                guard f.count >= 8, f[0].hasSuffix(":"), f[4] != "LOCAL", f[6] != "UND" else { continue }
                out.insert(String(f[7].split(separator: "@").first ?? ""))
            }
            return out
        }
        let ours = try exported(lib.path)
        XCTAssertTrue(ours.isSuperset(of: ["pthread_mutex_lock", "pthread_cond_wait", "sem_post", "read", "write"]),
                      "the interposers are not exported: \(ours.sorted())")
        let libc = try splitLines(run("ldd", [lib.path]).stdout)
            .compactMap { l -> String? in
                guard l.contains("libc.so.6"), let arrow = l.range(of: "=> ") else { return nil }
                return l[arrow.upperBound...].split(separator: " ").first.map(String.init)
            }.first
        guard let libc else { return XCTFail("ldd does not show which libc.so.6 the library binds to") }
        let libcNames = try exported(libc)
        let linkerDefined: Set<String> = ["_edata", "_end", "__bss_start", "GLIBC_2.2.5", "GLIBC_2.3.2"]
        let never = ours.filter { n in
            ["_Unwind_", "unw_", "_U", "swift_", "_swift", "$s", "$e", "_$", "dept_"].contains { n.hasPrefix($0) } || n == "backtrace"
        }
        XCTAssertEqual(never.sorted(), [], "internal symbols are exported")
        // The annotation API of include/dept.h, in the kernel DEPT's terms
        // and ThreadSanitizer's.
        let annotationAPI = ours.filter { $0.hasPrefix("__dept_") || $0.hasPrefix("__tsan_mutex_") }
        XCTAssertTrue(annotationAPI.contains("__dept_wait_begin"), "the annotation API is not exported")
        XCTAssertEqual(ours.subtracting(libcNames).subtracting(linkerDefined).subtracting(annotationAPI).sorted(), [],
                       "exported symbols that are neither C library functions (nothing to interpose) nor the annotation API")
    }

    /// Scripts/install into a fresh prefix, then the installed copy runs an
    /// example with the Swift toolchain hidden (a private mount namespace
    /// with an empty directory mounted over the toolchain's usr/), and
    /// still reports the inversion. The library of an earlier build (which
    /// needed libswiftCore from the toolchain) stops the program from
    /// starting at all there.
    func test_installedLibraryRunsWithoutTheToolchain() throws {
        _ = try requirePreload()
        let prefix = try DeptPaths.makeTempDir("install")
        let install = ProcessRunner.run(executable: DeptPaths.packageRoot.appendingPathComponent("Scripts/install").path,
                                        arguments: [prefix.path], environment: ProcessRunner.cleanEnvironment(), timeout: 120)
        XCTAssertTrue(install.exitedNormally && install.exitCode == 0, install.transcript)
        let installed = prefix.appendingPathComponent("lib/libdept.so").path
        try assertSelfContained(installed)

        // The toolchain to hide: the one whose swiftc is on PATH (its usr/
        // holds the Swift runtime libraries).
        guard let swiftc = DeptPaths.which("swiftc") else { throw XCTSkip("swiftc is not on PATH: no toolchain to hide") }
        let usr = URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().path
        let runtime = usr + "/lib/swift/linux/libswiftCore.so"
        XCTAssertTrue(FileManager.default.fileExists(atPath: runtime), "no Swift runtime at \(runtime)")
        guard let unshare = DeptPaths.which("unshare") else {
            throw XCTSkip("unshare (util-linux) is not installed: the installed libdept.so was NOT run without the toolchain")
        }
        let probe = ProcessRunner.run(executable: unshare, arguments: ["-m", "--propagation", "private", "true"],
                                      environment: ProcessRunner.cleanEnvironment(), timeout: 30)
        guard probe.exitedNormally, probe.exitCode == 0 else {
            throw XCTSkip("unshare -m is not permitted here (needs root or user namespaces): the installed libdept.so was NOT run "
                          + "without the toolchain\n\(probe.transcript)")
        }

        let abba = try ExampleBuilder.shared.build("abba")
        let empty = try DeptPaths.makeTempDir("empty")
        // Inside the namespace: hide the toolchain, prove it is hidden, run.
        let script = """
            set -e
            mount --bind '\(empty.path)' '\(usr)'
            if [ -e '\(runtime)' ]; then echo 'toolchain still visible' >&2; exit 3; fi
            export LD_PRELOAD='\(installed)'
            exec '\(abba.executable.path)'
            """
        let r = ProcessRunner.run(executable: unshare, arguments: ["-m", "--propagation", "private", "/bin/sh", "-c", script],
                                  environment: ProcessRunner.cleanEnvironment(), timeout: 60)
        XCTAssertFalse(r.stderr.contains("toolchain still visible"), r.transcript)
        assertReport(r, kind: .potential, example: abba)
    }

    /// A test suite run under `dept run` may start valgrind, which then
    /// loads libdept.so (LD_PRELOAD is inherited) and reads its debug
    /// information. valgrind 3.19 could not read clang's DWARF 5 and refused
    /// to start the program at all ("debuginfo reader: Possibly corrupted
    /// debuginfo file ... Giving up"); the shim is built with DWARF 4. The
    /// program runs under valgrind and dept still reports from inside it.
    func test_valgrindRunsAProgramWithDeptPreloaded() throws {
        let lib = try requirePreload()
        guard let valgrind = DeptPaths.which("valgrind") else {
            XCTFail("valgrind is not installed (Scripts/deps installs it)")
            return
        }
        let abba = try ExampleBuilder.shared.build("abba")
        var env = ProcessRunner.cleanEnvironment()
        env["LD_PRELOAD"] = lib.path
        let r = ProcessRunner.run(executable: valgrind, arguments: ["-q", abba.executable.path], environment: env, timeout: 120)
        XCTAssertFalse(r.stderr.contains("Giving up"), r.transcript)
        assertReport(r, kind: .potential, example: abba)
    }

    /// Without swift-demangle (a machine without the toolchain, or one
    /// whose swift-demangle is not where dept looks), a report on a Swift
    /// program keeps its mangled names and says once why, instead of
    /// failing or printing nothing.
    func test_swiftNamesWithoutSwiftDemangleStayMangledAndSaySo() throws {
        _ = try requirePreload()
        guard let swiftc = DeptPaths.which("swiftc") else { throw XCTSkip("swiftc is not on PATH") }
        let bin = URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().deletingLastPathComponent().path
        let demangler = bin + "/swift-demangle"
        guard FileManager.default.isExecutableFile(atPath: demangler) else { throw XCTSkip("no swift-demangle at \(demangler)") }
        guard let unshare = DeptPaths.which("unshare") else {
            throw XCTSkip("unshare (util-linux) is not installed: the report without swift-demangle was NOT checked")
        }
        let example = try ExampleBuilder.shared.build("swift_abba")
        // swift-demangle replaced by a file that cannot be executed; PATH
        // holds no other.
        let script = """
            set -e
            mount --bind /dev/null '\(demangler)'
            export PATH='\(bin):/usr/bin:/bin' LD_PRELOAD='\(DeptPaths.preload.path)'
            exec '\(example.executable.path)'
            """
        let r = ProcessRunner.run(executable: unshare, arguments: ["-m", "--propagation", "private", "/bin/sh", "-c", script],
                                  environment: ProcessRunner.cleanEnvironment(), timeout: 60)
        if r.stderr.contains("mount:") || r.stderr.contains("unshare:") {
            throw XCTSkip("cannot hide swift-demangle here (needs root or user namespaces): not checked\n\(r.transcript)")
        }
        assertReport(r, kind: .potential, objects: [])
        let told = splitLines(r.stderr).filter { $0.hasPrefix("DEPT: warning: swift-demangle not found") }
        XCTAssertEqual(told.count, 1, "one warning says why the names are mangled\n\(r.transcript)")
        XCTAssertTrue(r.stderr.contains("$s10swift_abba10takeBThenAyyF"), "the mangled name is kept\n\(r.transcript)")
    }

    /// Where an init call string stops naming a class (CShim/indirect_calls.c,
    /// built as libdept.so builds it): a return address after a call through
    /// a pointer is one, after a direct call is not, and bytes in read-only
    /// data that end like `call *%rax` are not read as a call: they are in
    /// no function the unwind tables describe (an address a bad frame made
    /// up may lie in a hole of a mapping, where reading would fault).
    func test_indirectCallsAreReadOnlyInCode() throws {
        guard let cc = ["cc", "gcc"].first(where: { DeptPaths.which($0) != nil }) else { throw XCTSkip("no C compiler") }
        let root = DeptPaths.packageRoot.path
        let eh = try run(cc, ["-print-file-name=libgcc_eh.a"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let out = DeptPaths.scratchDir.appendingPathComponent("indirect_calls_check").path
        _ = try run(cc, ["-O2", "-g", "-pthread", "-Wall", "-I", root + "/CShim", "-I", root + "/CShim/include", "-o", out,
                         root + "/Tests/Fixtures/indirect_calls_check.c", root + "/CShim/indirect_calls.c",
                         root + "/CShim/cfi_unwinder.c", root + "/CShim/unwinder.c", eh, "-ldl"])
        let r = ProcessRunner.run(executable: out, arguments: [], environment: ProcessRunner.cleanEnvironment(), timeout: 60)
        XCTAssertTrue(r.exitedNormally && r.exitCode == 0, r.transcript)
        XCTAssertTrue(r.stdout.contains("indirect 1 direct 0 data 0"), r.transcript)
    }

    /// The stack unwinders as libdept.so builds them (Benchmarks/unwind_bench.c
    /// over CShim/unwinder.c and CShim/cfi_unwinder.c, at a small count): the
    /// default (dwarf) follows -O2 chains of 8 and 32 frames itself, on a
    /// warm and on an emptied cache, and every stack it gives (chains, a
    /// signal frame, frames without unwind information) is GCC's unwinder's
    /// at the same point, and two return addresses at the same offset in
    /// their pages do not evict each other's rules from its cache (its
    /// direct-mapped cache did: 2 rules worked out again per capture); its
    /// exit status says so, and the row is checked.
    func test_cachedUnwinderGivesGCCsStacks() throws {
        guard let cc = ["cc", "gcc"].first(where: { DeptPaths.which($0) != nil }) else { throw XCTSkip("no C compiler") }
        let root = DeptPaths.packageRoot.path
        let eh = try run(cc, ["-print-file-name=libgcc_eh.a"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let out = DeptPaths.scratchDir.appendingPathComponent("unwind_bench").path
        _ = try run(cc, ["-O2", "-g", "-pthread", "-Wall", "-I", root + "/CShim", "-o", out, root + "/Benchmarks/unwind_bench.c",
                         root + "/CShim/unwinder.c", root + "/CShim/cfi_unwinder.c", eh, "-ldl"])
        let r = ProcessRunner.run(executable: out, arguments: ["220"], environment: ProcessRunner.cleanEnvironment(), timeout: 120)
        XCTAssertTrue(r.exitedNormally && r.exitCode == 0, r.transcript)
        let row = splitLines(r.stdout).first { $0.hasPrefix("dwarf ") }.map { $0.split(separator: " ").map(String.init) } ?? []
        // unwinder, 4 timings, stacks, signal, no-CFI, garbage, fds, fd-safe, as gcc, own, twins
        XCTAssertEqual(row.count, 14, r.transcript)
        if row.count == 14 {
            XCTAssertEqual(Array(row[5...6]), ["right", "right"], r.transcript)
            XCTAssertEqual(Array(row[10...12]), ["yes", "yes", "yes"], r.transcript)
            XCTAssertEqual(row[13], "0", "rules worked out again on warm captures\n\(r.transcript)")
        }
    }
}
