// swift-tools-version:5.9
import PackageDescription
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

// libdept.so is loaded into every process a test runner starts, so it must
// load as fast as the C library alone and need nothing else at run time: no
// Swift runtime, no libstdc++, no toolchain. Its Swift part (DeptRuntime,
// which compiles the DeptCore sources too, through the symlink
// Sources/DeptRuntime/DeptCore) is therefore built as Embedded Swift: one
// whole-module compilation whose standard library parts are specialised
// into the object, with no runtime library to link. What that code needs
// from outside:
//   * malloc, free, posix_memalign (objects), memcpy/memmove/memset/memcmp,
//     arc4random_buf (hashing seeds): glibc (and ceil, which CShim defines
//     so that no libm is needed);
//   * the Unicode tables String comparison, hashing and Character
//     boundaries use, which the toolchain ships as a static archive
//     (linked below; its symbols stay local like everything else).
// Embedded Swift's reference counting is atomic (swift_retain is a `lock
// incq`): reports are built outside the core lock from a copy-on-write
// snapshot of the detector, which the core keeps mutating on other threads.
// A trap (overflow, bounds, fatalError) is a `ud2` instruction in this
// optimised build, with no message and no lock taken: the host dies of
// SIGILL, it never hangs (an unoptimised build first prints the message
// through CShim's own putchar, raw writes to fd 2).
// The CLI and the tests use DeptCore as an ordinary Swift module.
//
// Its debug information is for any debugger that meets it in a host
// process (gdb attached to a program that hangs under dept): no name index
// per object file (the linker concatenates them, and gdb rejects the
// section with a warning about its length), and no skeleton units that
// point at the build's Clang module caches (gdb complains it cannot find
// each one, and the files are gone once the library is installed).
let embedded: [SwiftSetting] = [
    .enableExperimentalFeature("Embedded"),
    .unsafeFlags([
        "-wmo",
        "-Xfrontend", "-disable-implicit-concurrency-module-import",
        "-Xfrontend", "-disable-implicit-string-processing-module-import",
        "-Xfrontend", "-no-clang-module-breadcrumbs",
        "-Xllvm", "-accel-tables=Disable",
    ]),
]

#if arch(x86_64)
let triple = "x86_64-unknown-linux-gnu"
#elseif arch(arm64)
let triple = "aarch64-unknown-linux-gnu"
#else
let triple = "unsupported"
#endif

/// The toolchain's `usr/lib/swift/embedded/<triple>/libswiftUnicodeDataTables.a`.
/// SwiftPM runs this manifest as a child of its own binary in the
/// toolchain's `usr/bin`; `swiftc` on PATH is the fallback.
func embeddedUnicodeTables() -> String {
    var bins: [String] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(getppid())/exe") {
        bins.append(URL(fileURLWithPath: exe).deletingLastPathComponent().path)
    }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let swiftc = URL(fileURLWithPath: String(dir)).appendingPathComponent("swiftc")
        if FileManager.default.isExecutableFile(atPath: swiftc.path) {
            bins.append(swiftc.resolvingSymlinksInPath().deletingLastPathComponent().path)
        }
    }
    for bin in bins {
        let archive = URL(fileURLWithPath: bin)
            .appendingPathComponent("../lib/swift/embedded/\(triple)/libswiftUnicodeDataTables.a").standardizedFileURL.path
        if FileManager.default.fileExists(atPath: archive) { return archive }
    }
    fatalError("dept: libswiftUnicodeDataTables.a for \(triple) not found in the Swift toolchain (looked beside \(bins)); libdept.so needs a toolchain with Embedded Swift")
}

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
                // Frame pointers stay (SwiftPM asks for them, and would win
                // over -fomit-frame-pointer here): a lock through the
                // program's own wrapper finds the program's frame by the
                // chain of dept's saved frame pointers (stack_capture.c's
                // program_frame). Built without them (-Xclang
                // -mframe-pointer=none), a cached lock saved 3 instructions
                // and a lock/unlock pair through a one-level wrapper called
                // from two places cost 1,459 instructions instead of 459.
                // DWARF 4: valgrind 3.19 (Debian 12's) cannot read clang's
                // default DWARF 5 and refused to start any program with
                // libdept.so preloaded, so a test suite that runs valgrind
                // failed under `dept run`.
                .unsafeFlags(["-fvisibility=hidden", "-O2", "-fno-plt", "-ftls-model=initial-exec", "-fexceptions", "-gdwarf-4"]),
            ],
            linkerSettings: [.linkedLibrary("dl")]
        ),
        .target(name: "DeptCore"),
        .target(
            name: "DeptRuntime",
            dependencies: ["CShim"],
            swiftSettings: embedded,
            linkerSettings: [
                .unsafeFlags([
                    // Export the interposers only (CShim/exports.map).
                    "-Xlinker", "--version-script=\(root)/CShim/exports.map",
                    // Symbols of the static archives below stay local.
                    "-Xlinker", "--exclude-libs=ALL",
                    "-Xlinker", embeddedUnicodeTables(),
                    // GCC's stack unwinder (CShim/unwinder.c), from gcc's
                    // static libgcc_eh.a rather than libgcc_s.so, which a C
                    // program does not load.
                    "-Xlinker", "-l:libgcc_eh.a",
                ]),
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
