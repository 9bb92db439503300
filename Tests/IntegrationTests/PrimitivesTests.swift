// Checks of the primitives beyond the pthread basics that the example lists
// of LockExamplesTests and HangExamplesTests do not make: the warning of a
// robust mutex released without pthread_mutex_consistent, the annotation
// API without dept, and glibc's own futex calls, which dept must not see a
// second time.

import Foundation
import XCTest

final class PrimitivesTests: XCTestCase {

    static let timeout: TimeInterval = 60

    /// Examples of `expect: warning` outside the hostile_* set, covered here
    /// (timeout_stuck_worker by HangExamplesTests).
    static let warningExamples: Set<String> = ["robust_not_consistent", "timeout_stuck_worker", "cond_wait_unheld_mutex",
                                                   "rwlock_unlock_unheld", "mutex_lock_destroyed", "sem_misuse",
                                                   "mutex_handed_to_worker"]

    /// Runs an `expect: warning` example under the preload: no line but
    /// warnings, and the program's own results (assertSilent).
    func warningExample(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect, .warning, file: file, line: line)
        let run = runExample(example, preload: true, timeout: Self.timeout)
        assertSilent(run, example: example, allowWarnings: true, file: file, line: line)
        return run
    }

    /// A robust mutex unlocked after EOWNERDEAD without
    /// pthread_mutex_consistent: one warning naming it; the one made
    /// consistent gets none; results and output as without the preload.
    func test_robust_not_consistent() throws {
        let run = try warningExample("robust_not_consistent")
        let robust = run.stderrLines.filter { $0.contains("without pthread_mutex_consistent") }
        XCTAssertEqual(robust.count, 1, "expected one warning for R\n\(run.transcript)")
        XCTAssertTrue(robust.first?.contains("robust mutex R unlocked") ?? false, run.transcript)
        XCTAssertTrue(run.stdout.contains("EOWNERDEAD 0 EOWNERDEAD ENOTRECOVERABLE"), run.transcript)
    }

    /// A condition wait with a mutex another thread holds: one warning
    /// naming the mutex, at the bogus wait; the correct wait after it gets
    /// none. A wait glibc refuses (EPERM: an error-checking mutex nobody
    /// holds) warns too, and leaves the thread holding nothing: no warning
    /// at its exit. The program's results are unchanged.
    func test_cond_wait_unheld_mutex() throws {
        let run = try warningExample("cond_wait_unheld_mutex")
        let unheld = run.stderrLines.filter { $0.hasPrefix("DEPT: warning: condition wait by ") }
        XCTAssertEqual(unheld.count, 2, "expected two warnings, for the bogus and the refused wait\n\(run.transcript)")
        XCTAssertTrue(unheld.first?.contains("with M, which it does not hold") ?? false, run.transcript)
        XCTAssertTrue(unheld.last?.contains("with E, which it does not hold") ?? false, run.transcript)
        let exits = run.stderrLines.filter { $0.contains("exited while holding") }
        XCTAssertEqual(exits.count, 1, "only T, whose M was taken, exits holding a lock\n\(run.transcript)")
        XCTAssertTrue(exits.first?.hasSuffix(": M") ?? false, run.transcript)
        XCTAssertTrue(run.stdout.contains("refused wait: EPERM"), run.transcript)
        XCTAssertTrue(run.stderr.contains("cond_wait_unheld_mutex.c:54"), "the warning's stack names the bogus wait's caller\n\(run.transcript)")
        XCTAssertTrue(run.stdout.contains("bogus wait: timed out") && run.stdout.contains("correct wait: timed out"), run.transcript)
    }

    /// Unlocks of rwlocks the thread does not hold: one warning for the
    /// free rwlock L, one for X, which another thread holds for writing;
    /// none for the correct unlocks. The mutex S's warning names S by its
    /// first use, a line away from the bad unlock (a warning's class is
    /// named from the class's own stack, as in reports).
    func test_rwlock_unlock_unheld() throws {
        let run = try warningExample("rwlock_unlock_unheld")
        let unlocks = run.stderrLines.filter { $0.hasPrefix("DEPT: warning: unlock of ") }
        XCTAssertEqual(unlocks.count, 3, run.transcript)
        guard unlocks.count == 3 else { return }
        XCTAssertEqual(unlocks[0], "DEPT: warning: unlock of L, which is not locked", run.transcript)
        XCTAssertTrue(unlocks[1].hasPrefix("DEPT: warning: unlock of X by thread T1 (main thread)"), run.transcript)
        XCTAssertTrue(unlocks[1].hasSuffix("which does not own it"), run.transcript)
        XCTAssertEqual(unlocks[2], "DEPT: warning: unlock of first-use@rwlock_unlock_unheld.c:55, which is not locked",
                       run.transcript)
        XCTAssertTrue(run.stdout.contains("extra unlock returned 0"), run.transcript)
    }

    /// A mutex used as a semaphore: main locks it again to wait for the
    /// worker's unlock. A warning for the worker's unlock (warnings are
    /// printed once per stack), and neither
    /// a potential report (main's hold is no context of its own relock,
    /// which either never returns, and the live monitor proves that, as in
    /// hang_self_relock, or returns because another thread unlocked it) nor
    /// a live one.
    func test_mutex_handed_to_worker() throws {
        let run = try warningExample("mutex_handed_to_worker")
        let unlocks = run.stderrLines.filter { $0.hasPrefix("DEPT: warning: unlock of job_done by thread T2 \"ctx-worker\"") }
        XCTAssertFalse(unlocks.isEmpty, "no warning for the worker's unlock\n\(run.transcript)")
        XCTAssertTrue(run.stdout.contains("done (3 jobs)"), run.transcript)
    }

    /// The same with jobs after the first lasting 1.5 s, past hang_ms:
    /// main's relock waits that long for a mutex its books say it holds.
    /// The worker unlocked it for main before, so main's hold proves no
    /// self-deadlock: no live verdict, and the program is not ended.
    func test_mutex_handed_to_worker_slowJobs() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("mutex_handed_to_worker")
        let run = runExample(example, preload: true, env: ["MUTEX_HANDED_SLOW": "1"], timeout: Self.timeout)
        assertSilent(run, allowWarnings: true, plainStdout: "mutex_handed_to_worker: done (3 jobs)\n")
    }

    /// A lock and a trylock of a destroyed mutex (glibc fails both with
    /// EINVAL): one warning each, at their lines; none after the new init.
    func test_mutex_lock_destroyed() throws {
        let run = try warningExample("mutex_lock_destroyed")
        let destroyed = run.stderrLines.filter { $0.hasPrefix("DEPT: warning: lock of M failed with EINVAL: the mutex is destroyed") }
        XCTAssertEqual(destroyed.count, 2, run.transcript)
        XCTAssertEqual(run.stderrLines.filter { $0.hasPrefix("DEPT: warning:") }.count, 2, run.transcript)
        XCTAssertTrue(run.stderr.contains("mutex_lock_destroyed.c:20") && run.stderr.contains("mutex_lock_destroyed.c:22"),
                      run.transcript)
        XCTAssertTrue(run.stdout.contains("lock after destroy: EINVAL") && run.stdout.contains("trylock after destroy: EINVAL"),
                      run.transcript)
    }

    /// A sem_init that fails (a count above SEM_VALUE_MAX: EINVAL) and a
    /// sem_post that fails (EOVERFLOW) get one warning each, at the call,
    /// naming the semaphore; its correct init after, and a semaphore used
    /// as it should be, get none. The program's results are unchanged.
    func test_sem_misuse() throws {
        let run = try warningExample("sem_misuse")
        let warnings = run.stderrLines.filter { $0.hasPrefix("DEPT: warning:") }
        XCTAssertEqual(warnings.count, 2, run.transcript)
        XCTAssertEqual(warnings.filter { $0.hasPrefix("DEPT: warning: sem_init of S failed (EINVAL") }.count, 1, run.transcript)
        XCTAssertEqual(warnings.filter { $0.hasPrefix("DEPT: warning: sem_post of P failed (EOVERFLOW") }.count, 1, run.transcript)
        XCTAssertTrue(run.stderr.contains("sem_misuse.c:25") && run.stderr.contains("sem_misuse.c:34"), run.transcript)
        XCTAssertTrue(run.stdout.contains("init above SEM_VALUE_MAX: EINVAL") && run.stdout.contains("post at SEM_VALUE_MAX: EOVERFLOW"),
                      run.transcript)
    }

    /// Programs built against include/dept.h (C, and Swift through the Dept
    /// module) link and run without dept: the weak entry points are NULL
    /// and the annotations cost a test each. Under the preload they reach
    /// dept (LockExamplesTests checks their reports).
    func test_annotated_programs_run_without_dept() throws {
        for name in ["annotated_futex_lock", "annotated_completion", "annotated_tsan_lock", "annotated_lock_nested",
                     "swift_annotated_lock"] {
            let example = try ExampleBuilder.shared.build(name)
            let run = runExample(example, preload: false, timeout: Self.timeout)
            XCTAssertTrue(run.exitedNormally && run.exitCode == 0, "\(name) without dept: \(run.statusDescription)\n\(run.transcript)")
            XCTAssertTrue(run.stdout.contains("\(name): done"), "\(name) did not complete without dept\n\(run.transcript)")
            XCTAssertFalse(run.stderr.contains("DEPT:"), run.transcript)
        }
        let plain = runExample(try ExampleBuilder.shared.build("annotated_futex_lock"), preload: false, timeout: Self.timeout)
        XCTAssertTrue(plain.stdout.contains("dept not loaded"), plain.transcript)
    }

    /// glibc makes its futex calls inline, never through syscall(): programs
    /// stuck in pthread mutexes, condvars, semaphores, barriers and
    /// pthread_once report those calls, never a FUTEX_ operation.
    func test_glibc_futexes_are_not_seen_twice() throws {
        _ = try requirePreload()
        for name in ["hang_abba", "hang_cond_outer_lock", "hang_seed_page_lock", "hang_c11_call_once_lock", "hang_barrier_lock"] {
            let example = try ExampleBuilder.shared.build(name)
            let run = runExample(example, preload: true, timeout: 15)
            XCTAssertTrue(run.stderr.contains("DEPT: deadlock:") || run.stderr.contains("DEPT: hang:"), run.transcript)
            XCTAssertFalse(run.stderr.contains("FUTEX_"), "\(name): a glibc futex call was taken for the program's own\n\(run.transcript)")
        }
    }

    func test_everyWarningExampleIsCovered() throws {
        let warnings = try ExampleHeader.all().filter { $0.expect == .warning && !$0.name.hasPrefix("hostile_") }
        XCTAssertEqual(Set(warnings.map(\.name)).symmetricDifference(Self.warningExamples).sorted(), [],
                       "warning examples without a test in PrimitivesTests")
    }
}
