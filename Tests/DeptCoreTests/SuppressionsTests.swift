import XCTest
@testable import DeptCore

/// Suppressions files (DESIGN §6): `deadlock:<pattern>` lines, `#`
/// comments, `*` wildcards, matched against functions, files, modules and
/// class names of a report.
final class SuppressionsTests: XCTestCase {

    static func report(object: String = "lock_a", function: String = "transfer",
                       file: String = "/src/bank/transfer.c", module: String = "/usr/lib/libbank.so") -> Report {
        let f = Frame(pc: 0x1000, module: module, offset: 0x100, function: function, file: file, line: 7)
        let other = Frame(pc: 0x2000, module: "/usr/bin/app", offset: 0x2000, function: "main",
                          file: "/src/app/main.c", line: 3)
        let t = ThreadRef(tid: 2, osTid: 0, name: nil, createdAt: [])
        let c1 = Context(label: "A", thread: t,
                         start: Point(operation: "pthread_mutex_lock", object: object, stack: [f, other]),
                         wait: Point(operation: "pthread_mutex_lock", object: "init@q.c:9", stack: [other]),
                         event: Point(operation: "pthread_mutex_unlock", object: object, stack: []))
        let c2 = Context(label: "B", thread: t,
                         start: Point(operation: "pthread_mutex_lock", object: "init@q.c:9", stack: [other]),
                         wait: Point(operation: "pthread_mutex_lock", object: object, stack: [other]),
                         event: Point(operation: "pthread_mutex_unlock", object: "init@q.c:9", stack: []))
        return Report(kind: .potential, pid: 1, contexts: [c1, c2], key: "k", summaryFrame: other)
    }

    /// Rule: comments (whole-line and trailing) and blank lines are skipped;
    /// patterns are trimmed; each rule remembers its line number.
    func testParseCommentsAndBlankLines() {
        let text = """
        # dept suppressions

        deadlock:transfer   # known, ticket 12
           deadlock:  lock_*
        \t
        deadlock:libbank.so
        """
        let (s, problems) = Suppressions.parse(text)
        XCTAssertEqual(problems, [])
        XCTAssertEqual(s.rules.map(\.pattern), ["transfer", "lock_*", "libbank.so"])
        XCTAssertEqual(s.rules.map(\.line), [3, 4, 6])
        XCTAssertEqual(s.rules.map(\.hits), [0, 0, 0])
    }

    /// Rule: bad lines are reported with their 1-based line numbers and do
    /// not stop the others.
    func testBadLinesReportedWithLineNumbers() {
        let text = "deadlock:ok\nraces:foo\n\ndeadlock:\ndeadlock:   # nothing\nnot a rule\ndeadlock:also_ok\n"
        let (s, problems) = Suppressions.parse(text)
        XCTAssertEqual(s.rules.map(\.pattern), ["ok", "also_ok"])
        XCTAssertEqual(s.rules.map(\.line), [1, 7])
        XCTAssertEqual(problems.count, 4)
        guard problems.count == 4 else { return }
        XCTAssertTrue(problems[0].hasPrefix("line 2:"), problems[0])
        XCTAssertTrue(problems[0].contains("races:foo"), problems[0])
        XCTAssertTrue(problems[1].hasPrefix("line 4:"), problems[1])
        XCTAssertTrue(problems[2].hasPrefix("line 5:"), problems[2])
        XCTAssertTrue(problems[3].hasPrefix("line 6:"), problems[3])
    }

    /// Rule (issue 14): a suppressions file shared with TSan or LSan keeps
    /// working: their kinds (`race:`, `mutex:`, `leak:`...) are skipped,
    /// counted in one note, not rejected line by line.
    func testOtherSanitizerKindsAreSkippedWithOneNote() {
        let (s, problems) = Suppressions.parse("race:foo\nmutex:bar\ndeadlock:ok\nleak:baz\nrace:qux\n")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(s.rules.map(\.pattern), ["ok"])
        XCTAssertEqual(s.skipped.map { $0.line }, [1, 2, 4, 5])
        XCTAssertEqual(s.skippedNote, "skipped 4 line(s) of other sanitizers' kinds (race:, mutex:, leak:); dept reads its own kind only")
        XCTAssertNil(Suppressions.parse("deadlock:x").0.skippedNote)
    }

    /// Rule (issue 14): a pattern matching the threading runtime (its
    /// modules, entry points, std::mutex) matches every report of a program
    /// that uses it: a warning says so, the rule stays.
    func testPatternsMatchingTheRuntimeAreWarnedAbout() {
        for pattern in ["libstdc++*", "*", "start_thread", "std::mutex::lock", "libc.so*", "*pthread_create.c"] {
            let (s, problems) = Suppressions.parse("deadlock:\(pattern)\n")
            XCTAssertEqual(s.rules.count, 1)
            XCTAssertEqual(problems.count, 1, pattern)
            XCTAssertTrue(problems.first?.contains("matches the threading runtime") ?? false, "\(problems)")
        }
        for pattern in ["transfer", "bank::*", "libbank.so", "init@pool.c:4"] {
            XCTAssertEqual(Suppressions.parse("deadlock:\(pattern)\n").1, [], pattern)
        }
    }

    /// Rule (issue 14): a pattern matches a demangled function with or
    /// without its parameter list, as TSan users write it.
    func testFunctionPatternsWithoutParameters() {
        let r = Self.report(function: "audit(bank::Ledger&, long) const")
        for pattern in ["audit", "audit(*) const", "aud*"] {
            var (s, _) = Suppressions.parse("deadlock:\(pattern)")
            XCTAssertEqual(s.match(r), 0, pattern)
        }
        var (s, _) = Suppressions.parse("deadlock:audi")
        XCTAssertNil(s.match(r))
        XCTAssertEqual(FunctionName.base("audit()"), "audit")
        XCTAssertEqual(FunctionName.base("bank::Account::withdraw_to(bank::Account&, long)"), "bank::Account::withdraw_to")
        XCTAssertEqual(FunctionName.base("void std::__invoke_impl<void, void (*)()>(std::__invoke_other, void (*&&)())"),
                       "std::__invoke_impl<void, void (*)()>")
        XCTAssertEqual(FunctionName.base("LockPair.forward() -> ()"), "LockPair.forward")
        XCTAssertEqual(FunctionName.base("(anonymous namespace)::worker(void*)"), "(anonymous namespace)::worker")
        XCTAssertEqual(FunctionName.base("Queue::operator()() const"), "Queue::operator()")
        XCTAssertEqual(FunctionName.base("ctx_y"), "ctx_y")
    }

    /// DESIGN §5: any diagnostic other than a report starts with
    /// `DEPT: warning:` and never contains the words `deadlock` or `hang:`
    /// (log scanners and CI key on them). The runtime prints each parse
    /// problem as `DEPT: warning: suppressions file '<path>': <problem>`, so
    /// the problem text itself must avoid those words.
    func testProblemMessagesNeverLookLikeReports() {
        let (_, problems) = Suppressions.parse("bogus:foo\ndeadlock:\nnot a rule\ndeadlock:*\n")
        XCTAssertEqual(problems.count, 4)
        for p in problems {
            XCTAssertFalse(p.lowercased().contains("deadlock"), p)
            XCTAssertFalse(p.contains("hang:"), p)
        }
    }

    /// A suppressions file written on Windows (CRLF line endings) has the
    /// same lines as its LF twin. (Suppressions.parse strips a trailing
    /// "\r", so CRLF is meant to work; but Swift treats "\r\n" as ONE
    /// Character, so splitting on "\n" never splits a CRLF file.)
    func testCRLFLineEndings() {
        let (s, problems) = Suppressions.parse("# c\r\ndeadlock:foo\r\ndeadlock:bar*\r\n")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(s.rules.map(\.pattern), ["foo", "bar*"])
        XCTAssertEqual(s.rules.map(\.line), [2, 3])
    }

    /// Rule: `*` matches any run (also empty); a pattern without `*` matches
    /// a whole subject or, for a path, its last component.
    func testGlob() {
        XCTAssertTrue(Suppressions.glob("lock_*", "lock_a"))
        XCTAssertTrue(Suppressions.glob("lock_*", "lock_"))
        XCTAssertTrue(Suppressions.glob("*lock*", "my_lock_a"))
        XCTAssertTrue(Suppressions.glob("*", ""))
        XCTAssertTrue(Suppressions.glob("*", "anything"))
        XCTAssertTrue(Suppressions.glob("a*b*c", "axxbyyc"))
        XCTAssertTrue(Suppressions.glob("a*b*c", "abxbc"))
        XCTAssertFalse(Suppressions.glob("a*b*c", "axxbyy"))
        XCTAssertFalse(Suppressions.glob("a*b*c", "xyz"))
        XCTAssertTrue(Suppressions.glob("*::transfer(*)", "Bank::transfer(Account&, Account&)"))
        XCTAssertTrue(Suppressions.glob("transfer", "transfer"))
        XCTAssertFalse(Suppressions.glob("transfer", "withdraw"))
        // Paths: full path, basename, or a wildcard over the path.
        XCTAssertTrue(Suppressions.glob("/src/bank/transfer.c", "/src/bank/transfer.c"))
        XCTAssertTrue(Suppressions.glob("transfer.c", "/src/bank/transfer.c"))
        XCTAssertTrue(Suppressions.glob("*/bank/*", "/src/bank/transfer.c"))
        XCTAssertFalse(Suppressions.glob("withdraw.c", "/src/bank/transfer.c"))
    }

    /// Reports print modules and files by their last component
    /// (`(libbank.so+0x100)`, `transfer.c:7`), so a user writes wildcard
    /// patterns against those names: `libbank*` must match the module
    /// /usr/lib/libbank.so just as `libbank.so` does. (Suppressions.glob
    /// tries the last path component only for patterns WITHOUT `*`.)
    func testWildcardPatternMatchesPathBasename() {
        XCTAssertTrue(Suppressions.glob("libbank*", "/usr/lib/libbank.so"))
        XCTAssertTrue(Suppressions.glob("transfer.*", "/src/bank/transfer.c"))
    }

    /// Rule: a report is matched by any function, file (full path or
    /// basename), module or class (object) name it contains.
    func testMatchingBySubject() {
        let r = Self.report()
        for pattern in ["transfer", "trans*", "/src/bank/transfer.c", "transfer.c", "*/bank/*",
                        "/usr/lib/libbank.so", "libbank.so", "*libbank*", "lock_a", "init@q.c:9", "init@*"] {
            var (s, _) = Suppressions.parse("deadlock:\(pattern)")
            XCTAssertEqual(s.match(r), 0, "pattern \(pattern) should match")
        }
        for pattern in ["withdraw", "lock_b", "libother.so", "other.c", "init@r.c:*"] {
            var (s, _) = Suppressions.parse("deadlock:\(pattern)")
            XCTAssertNil(s.match(r), "pattern \(pattern) should not match")
        }
        // Class names are matched whatever the frames say.
        var (s, _) = Suppressions.parse("deadlock:g_queue.lock")
        XCTAssertNotNil(s.match(Self.report(object: "g_queue.lock")))
        // Live reports: the blocked threads' objects and stacks count too.
        var hang = Report(kind: .hang, pid: 1, contexts: [], key: "k", summaryFrame: nil)
        hang.blocked = [BlockedThread(thread: ThreadRef(tid: 1, osTid: 0, name: nil, createdAt: []),
                                      waitsFor: Point(operation: "sem_wait", object: "init@pool.c:4",
                                                      stack: [Frame(pc: 1, function: "pool_get")]),
                                      detail: "", blockedMs: 1)]
        var (s2, _) = Suppressions.parse("deadlock:pool_get")
        XCTAssertEqual(s2.match(hang), 0)
        var (s3, _) = Suppressions.parse("deadlock:init@pool.c:4")
        XCTAssertEqual(s3.match(hang), 0)
    }

    /// Rule: the first matching rule counts a hit per matched report.
    func testHitCounting() {
        var (s, problems) = Suppressions.parse("deadlock:nomatch\ndeadlock:lock_*\ndeadlock:transfer\n")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(s.match(Self.report()), 1)
        XCTAssertEqual(s.match(Self.report(object: "lock_z")), 1)
        XCTAssertEqual(s.match(Self.report(object: "q", function: "transfer")), 2)
        XCTAssertNil(s.match(Self.report(object: "q", function: "f", file: "/x/y.c", module: "/lib/z.so")))
        XCTAssertEqual(s.rules.map(\.hits), [0, 2, 1])
    }
}
