import XCTest
@testable import DeptCore

/// DEPT_OPTIONS parsing (DESIGN §6): key=value:key=value, unknown keys and
/// malformed values are reported and keep the default.
final class OptionsTests: XCTestCase {

    /// Rule: the documented defaults.
    func testDefaults() {
        let (o, problems) = Options.parse("")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(o, Options())
        XCTAssertNil(o.logPath)
        XCTAssertEqual(o.format, .text)
        XCTAssertEqual(o.exitcode, 66)
        XCTAssertEqual(o.hangMs, 1000)
        XCTAssertEqual(o.stallMs, 10000)
        XCTAssertEqual(o.onHang, .exit)
        XCTAssertNil(o.suppressions)
        XCTAssertFalse(o.printSuppressions)
        XCTAssertEqual(o.stackDepth, 32)
        XCTAssertEqual(o.verbosity, 1)
        XCTAssertTrue(o.detectPotential)
        XCTAssertTrue(o.detectHangs)
        XCTAssertTrue(o.symbolize)
        XCTAssertNil(o.symbolizerPath)
        XCTAssertEqual(o.unwinder, .dwarf)
        XCTAssertFalse(o.help)
    }

    /// Rule: the three stack unwinders by name; another name keeps the
    /// default and says which names there are.
    func testUnwinderNames() {
        XCTAssertEqual(Options.parse("unwinder=gcc").0.unwinder, .gcc)
        XCTAssertEqual(Options.parse("unwinder=libunwind").0.unwinder, .libunwind)
        XCTAssertEqual(Options.parse("unwinder=dwarf").0.unwinder, .dwarf)
        let (o, problems) = Options.parse("unwinder=frame-pointers")
        XCTAssertEqual(o.unwinder, .dwarf)
        XCTAssertEqual(problems, ["DEPT_OPTIONS: invalid value 'frame-pointers' for unwinder (expected dwarf, gcc or libunwind); using the default"])
    }

    /// Rule: every documented key is parsed, with ':' as separator.
    func testEveryDocumentedKey() {
        let text = [
            "log_path=/tmp/dept-log", "format=json", "exitcode=3", "hang_ms=250", "stall_ms=5000",
            "on_hang=abort", "suppressions=/etc/dept.supp", "print_suppressions=1", "stack_depth=8",
            "verbosity=2", "detect_potential=0", "detect_hangs=false", "symbolize=no",
            "symbolizer_path=/usr/bin/llvm-symbolizer", "help=yes",
        ].joined(separator: ":")
        let (o, problems) = Options.parse(text)
        XCTAssertEqual(problems, [])
        XCTAssertEqual(o.logPath, "/tmp/dept-log")
        XCTAssertEqual(o.format, .json)
        XCTAssertEqual(o.exitcode, 3)
        XCTAssertEqual(o.hangMs, 250)
        XCTAssertEqual(o.stallMs, 5000)
        XCTAssertEqual(o.onHang, .abort)
        XCTAssertEqual(o.suppressions, "/etc/dept.supp")
        XCTAssertTrue(o.printSuppressions)
        XCTAssertEqual(o.stackDepth, 8)
        XCTAssertEqual(o.verbosity, 2)
        XCTAssertFalse(o.detectPotential)
        XCTAssertFalse(o.detectHangs)
        XCTAssertFalse(o.symbolize)
        XCTAssertEqual(o.symbolizerPath, "/usr/bin/llvm-symbolizer")
        XCTAssertTrue(o.help)

        XCTAssertTrue(Options().heldBack)
        XCTAssertFalse(Options.parse("held_back=0").0.heldBack)
        XCTAssertEqual(Options.parse("format=sarif").0.format, .sarif)
        XCTAssertEqual(Options.parse("on_hang=report").0.onHang, .report)
        XCTAssertEqual(Options.parse("exitcode=0").0.exitcode, 0)
    }

    /// Rule: the documentation table and the parser agree: every documented
    /// key is known to the parser, and the table lists the DESIGN §6 keys.
    func testDocumentationMatchesParser() {
        let keys = Options.documentation.map(\.key)
        for k in ["log_path", "format", "exitcode", "hang_ms", "stall_ms", "on_hang", "suppressions",
                  "stack_depth", "verbosity", "detect_potential", "detect_hangs"] {
            XCTAssertTrue(keys.contains(k), "\(k) not documented")
        }
        for k in keys {
            let problems = Options.parse("\(k)=").1 + Options.parse("\(k)=1").1
            XCTAssertFalse(problems.contains { $0.contains("unknown option") }, "\(k) documented but unknown")
        }
        let help = Options.helpText()
        for k in keys { XCTAssertTrue(help.contains(k), k) }
    }

    /// Rule: an unknown key gives exactly one problem, naming it; the other
    /// options still apply.
    func testUnknownKeyIsReportedOnce() {
        let (o, problems) = Options.parse("hang_ms=5:halt_on_error=1:format=json")
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems.first?.contains("halt_on_error") ?? false, problems.description)
        XCTAssertEqual(o.hangMs, 5)
        XCTAssertEqual(o.format, .json)
    }

    /// Rule: malformed values give a problem naming the key and keep the
    /// default.
    func testMalformedValuesKeepDefaults() {
        let cases: [(String, String, (Options) -> Bool)] = [
            ("hang_ms=abc", "hang_ms", { $0.hangMs == 1000 }),
            ("hang_ms=0", "hang_ms", { $0.hangMs == 1000 }),
            ("hang_ms=-5", "hang_ms", { $0.hangMs == 1000 }),
            ("stall_ms=99999999999", "stall_ms", { $0.stallMs == 10000 }),
            ("format=xml", "format", { $0.format == .text }),
            ("exitcode=300", "exitcode", { $0.exitcode == 66 }),
            ("exitcode=-1", "exitcode", { $0.exitcode == 66 }),
            ("on_hang=kill", "on_hang", { $0.onHang == .exit }),
            ("stack_depth=0", "stack_depth", { $0.stackDepth == 32 }),
            ("stack_depth=1000", "stack_depth", { $0.stackDepth == 32 }),
            ("verbosity=9", "verbosity", { $0.verbosity == 1 }),
            ("detect_potential=maybe", "detect_potential", { $0.detectPotential }),
            ("detect_hangs=2", "detect_hangs", { $0.detectHangs }),
            ("symbolize=", "symbolize", { $0.symbolize }),
            ("print_suppressions=x", "print_suppressions", { !$0.printSuppressions }),
            ("log_path=", "log_path", { $0.logPath == nil }),
            ("suppressions=", "suppressions", { $0.suppressions == nil }),
        ]
        for (text, key, check) in cases {
            let (o, problems) = Options.parse(text)
            XCTAssertEqual(problems.count, 1, text)
            XCTAssertTrue(problems.first?.contains(key) ?? false, "\(text): \(problems)")
            XCTAssertTrue(check(o), "\(text): default not kept")
        }
        // A bad value does not stop the following ones.
        let (o, problems) = Options.parse("format=xml:exitcode=300:hang_ms=abc:verbosity=0")
        XCTAssertEqual(problems.count, 3)
        XCTAssertEqual(o.verbosity, 0)
    }

    /// DESIGN §5: option problems are printed as `DEPT: warning: <problem>`
    /// and must not contain `deadlock` or `hang:`.
    func testProblemMessagesNeverLookLikeReports() {
        let (_, problems) = Options.parse("on_hang=kill:hang_ms=x:detect_hangs=2:deadlock=1:hang:format=xml")
        XCTAssertEqual(problems.count, 6)
        for p in problems {
            XCTAssertFalse(p.contains("hang:"), p)
            XCTAssertTrue(p.hasPrefix("DEPT_OPTIONS: "), p)
        }
    }

    /// Rule: ':' separates items; empty items are ignored; an item without
    /// '=' is a problem.
    func testSeparatorsAndItemsWithoutValue() {
        let (o, problems) = Options.parse("::verbosity=0::exitcode=7:")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(o.verbosity, 0)
        XCTAssertEqual(o.exitcode, 7)

        let (o2, p2) = Options.parse("verbose:exitcode=9")
        XCTAssertEqual(p2.count, 1)
        XCTAssertTrue(p2.first?.contains("verbose") ?? false)
        XCTAssertEqual(o2.exitcode, 9)

        // A value may contain '='.
        XCTAssertEqual(Options.parse("log_path=/tmp/a=b").0.logPath, "/tmp/a=b")
    }

    /// Rule (issue 14): sanitizer users write `a=1,b=2`; ',' separates
    /// entries like ':'.
    func testCommaSeparates() {
        let (o, problems) = Options.parse("hang_ms=300,format=json:exitcode=5, verbosity=0")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(o.hangMs, 300)
        XCTAssertEqual(o.format, .json)
        XCTAssertEqual(o.exitcode, 5)
        XCTAssertEqual(o.verbosity, 0)
    }

    /// Rule (issue 14): an unknown key names the nearest known one; a key
    /// like nothing known gets the pointer to help=1.
    func testUnknownKeySuggestsNearest() {
        XCTAssertEqual(Options.parse("hang_sm=5").1, ["DEPT_OPTIONS: unknown option 'hang_sm' (did you mean 'hang_ms'?); ignored"])
        XCTAssertTrue(Options.parse("supressions=/x").1.first?.contains("did you mean 'suppressions'?") ?? false)
        XCTAssertTrue(Options.parse("exit_code=3").1.first?.contains("did you mean 'exitcode'?") ?? false)
        XCTAssertEqual(Options.parse("halt_on_error=1").1,
                       ["DEPT_OPTIONS: unknown option 'halt_on_error'; ignored (help=1 lists the options)"])
        XCTAssertEqual(Options.nearestKey("colour_mode"), nil)
        XCTAssertEqual(Options.nearestKey("stack_dept"), "stack_depth")
    }

    /// Rule (issue 14): strip_path_prefix, color and fail_on_potential.
    func testPresentationAndExitKeys() {
        let (o, problems) = Options.parse("strip_path_prefix=/build/src/:color=always:fail_on_potential=0")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(o.stripPathPrefix, "/build/src/")
        XCTAssertEqual(o.color, .always)
        XCTAssertFalse(o.failOnPotential)
        XCTAssertEqual(Options().color, .auto)
        XCTAssertTrue(Options().failOnPotential)
        XCTAssertEqual(Options.parse("color=never").0.color, .never)
        XCTAssertEqual(Options.parse("color=blue").1.count, 1)
    }
}
