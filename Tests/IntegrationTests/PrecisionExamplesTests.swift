// The precision rules of issue 12 (README "The model's rules"), each proven
// both ways under the real libdept.so: the false shape stays silent, the
// nearest real deadlock is still reported. Also the recall the same rules
// must keep (same-class instance loops of any length up to 32).

import Foundation
import XCTest

final class PrecisionExamplesTests: XCTestCase {

    /// Examples this file covers (LockExamplesTests checks that every
    /// potential/silent example is covered here or there).
    static let covered: Set<String> = [
        "same_class_both_orders", "same_class_rings",
        "wrapper_two_funnels", "wrapper_funnels_abba", "wrapper_deep_funnel", "wrapper_deep_funnel_abba",
        "wrapper_split_tree", "wrapper_split_tree_abba", "tree_nodes_two_creators", "tree_nodes_two_creators_abba",
        "join_after_done_flag", "join_after_done_flag_relock", "join_after_done_then_lock", "join_after_sem_handoff",
        "join_after_done_flag_trylock", "join_after_done_trylock_then_lock", "robust_owner_died_join",
        "join_under_lock_taken_before", "join_under_lock_many_after", "join_under_lock_taken_after", "join_under_lock_second_worker", "join_under_lock_slot_reuse",
        "join_under_lock_after_die_signal",
        "join_then_signal_pool", "token_ring_queues", "condvar_lock_nesting", "join_start_thread",
        "sem_work_gang", "static_bucket_locks", "static_bucket_inversion", "static_forks_ring",
        "cond_announce_before_lock", "cond_announce_stale", "join_after_own_wakeup", "join_after_other_wakeup", "join_after_helper_wakeup",
        "cond_announce_before_sem", "cond_announce_sem_stale", "cond_woke_signaller", "cond_woke_needs_lock",
        "class_order_pipeline", "class_order_downstream_holder", "class_order_unproven",
        "signal_while_acquiring", "signal_while_holding",
        "signal_lock_while_acquiring", "signal_lock_while_holding",
        "fresh_lock_under_registry", "fresh_lock_seen_by_other", "fresh_lock_second_time",
        "fresh_lock_pool_under_registry", "stack_mutex_abandoned", "sem_zero_token_lock", "sem_zero_token_inversion", "sem_token_relock",
        "sem_barrier_token_found", "sem_ring_poster_first", "cond_lock_release", "cond_pool_other_predicate",
        "cond_lock_hand_over_hand", "cond_kick_then_wait", "cond_kick_by_other",
        "cond_wait_recursive_held", "cond_wait_recursive_signaller_locks",
    ]

    /// Programs that really hang (the near misses of silent shapes whose
    /// cycle no completed run can show): a live `hang` report.
    static let hangs: Set<String> = ["join_before_finish", "token_ring_no_token", "sem_work_gang_lost_post",
                                      "barrier_post_same_round"]

    static let timeout: TimeInterval = 60

    /// Runs a `potential` example under the preload; returns its reports.
    @discardableResult
    func potential(_ name: String, events: ClosedRange<Int>?, file: StaticString = #filePath, line: UInt = #line) throws -> [ParsedReport] {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect, .potential, "\(name): header says \(example.header.expect)", file: file, line: line)
        let run = runExample(example, preload: true, timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: events, exitCode: 66, file: file, line: line)
        XCTAssertTrue(run.stdout.contains("\(name): done"), "\(name) did not complete\n\(run.transcript)", file: file, line: line)
        return parseReports(run.stderr, kind: .potential)
    }

    func silent(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        XCTAssertEqual(example.header.expect, .silent, "\(name): header says \(example.header.expect)", file: file, line: line)
        let run = runExample(example, preload: true, timeout: Self.timeout)
        assertSilent(run, example: example, file: file, line: line)
        XCTAssertTrue(run.stdout.hasPrefix("\(name): "), "\(name) did not complete\n\(run.transcript)", file: file, line: line)
    }

    /// A silent example whose cycle `rule` holds back: `verbosity=2` says so.
    /// Every run must be silent; the explanation may take up to three runs:
    /// whether there is a cycle to hold back at all can depend on the
    /// interleaving (join_under_lock_taken_before has one only when the
    /// worker still runs as main's join starts). Which of several cycles
    /// is explained no longer does: the shortest turned down is
    /// (CycleSearchTests).
    func silent(_ name: String, heldBackBy rule: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try silent(name, file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        var transcripts: [String] = []
        for _ in 0..<3 {
            let run = runExample(example, preload: true, env: ["DEPT_OPTIONS": "verbosity=2"], timeout: Self.timeout)
            let reports = run.stderrLines.filter { $0.hasPrefix("DEPT:") && !$0.hasPrefix("DEPT: info:") }
            XCTAssertEqual(reports, [], "verbosity=2 must only add info lines\n\(run.transcript)", file: file, line: line)
            if run.stderrLines.contains(where: { $0.hasPrefix("DEPT: info: not reported (\(rule)): ") }) { return }
            transcripts.append(run.transcript)
        }
        XCTFail("verbosity=2 did not say in 3 runs that \(rule) held the cycle back\n\(transcripts.joined(separator: "\n"))",
                file: file, line: line)
    }

    /// Runs an example that really hangs: the live report its header
    /// expects (`hang`, or `deadlock` when the threads' waits close a
    /// loop) and exit 66.
    func hang(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        _ = try requirePreload(file: file, line: line)
        let example = try ExampleBuilder.shared.build(name, file: file, line: line)
        let kind: ReportKind = example.header.expect == .deadlock ? .deadlock : .hang
        XCTAssertTrue(example.header.expect == .hang || example.header.expect == .deadlock,
                      "\(name): header says \(example.header.expect)", file: file, line: line)
        let run = runExample(example, preload: true, timeout: Self.timeout)
        XCTAssertFalse(parseReports(run.stderr, kind: kind).isEmpty, "no live \(kind.rawValue) report\n\(run.transcript)",
                       file: file, line: line)
        XCTAssertTrue(run.exitedNormally && run.exitCode == 66, "expected exit 66\n\(run.transcript)", file: file, line: line)
    }

    // MARK: F1, wrapper-initialised classes (R1.2, R1.3)

    /// node's shape: two init helpers make every lock; two unrelated pairs
    /// of their objects nested in opposite class orders. Each helper is
    /// called from several places, so its objects are classed by caller.
    func test_wrapper_two_funnels() throws { try silent("wrapper_two_funnels") }
    /// Near miss: the same helpers, the same two objects in both orders.
    func test_wrapper_funnels_abba() throws { try potential("wrapper_funnels_abba", events: 2...2) }
    /// GDAL: the wrapper is three single-caller helpers deep; its objects are
    /// named by the frame past the deepest funnel, holder_init's caller.
    func test_wrapper_deep_funnel() throws { try silent("wrapper_deep_funnel") }
    /// Near miss: the same mutex in both orders with cache_lock.
    func test_wrapper_deep_funnel_abba() throws { try potential("wrapper_deep_funnel_abba", events: 2...2) }

    /// One kind of lock split into a coarse class (nodes made before their
    /// init call string's prefix turned out to be a funnel) and the class
    /// the later nodes got, nested parent first across the two: one class
    /// once refined, no instance loop (CycleJudge.refinedClassRule).
    func test_wrapper_split_tree() throws { try silent("wrapper_split_tree", heldBackBy: "one refined class") }
    /// Near miss: one early node and one late node taken in both orders.
    func test_wrapper_split_tree_abba() throws { try potential("wrapper_split_tree_abba", events: 2...2) }
    /// Locks made through a call by function pointer (GObject's
    /// instance_init) are named up to that call, not by the creators of
    /// their objects: a tree of nodes from two creators is one class.
    func test_tree_nodes_two_creators() throws { try silent("tree_nodes_two_creators") }
    /// Near miss: one root and its child taken in both orders.
    func test_tree_nodes_two_creators_abba() throws { try potential("tree_nodes_two_creators_abba", events: 2...2) }

    // MARK: F3 and F4, happens-before (R2.4)

    /// pigz's join_all: joined under L after the worker's done flag under L.
    func test_join_after_done_flag() throws { try silent("join_after_done_flag") }
    /// The same with main's acquisitions of L answered from the acquisition
    /// cache: a cached acquisition of a mutex with a published clock learns
    /// the clock too (lock_published).
    func test_join_after_done_flag_relock() throws { try silent("join_after_done_flag_relock") }
    /// Near miss: the worker takes L again after its done flag.
    /// join_after_done_flag with main taking L only by trylock: a trylock
    /// learns what was published into L as a lock does (R2.4).
    func test_join_after_done_flag_trylock() throws {
        try silent("join_after_done_flag_trylock", heldBackBy: "happens-before")
    }
    /// Near miss: the worker takes L again after its done flag.
    func test_join_after_done_trylock_then_lock() throws {
        try potential("join_after_done_trylock_then_lock", events: 2...2)
    }
    func test_join_after_done_then_lock() throws { try potential("join_after_done_then_lock", events: 2...2) }
    /// A mutex abandoned locked on the stack, and a new one put in its slot
    /// with PTHREAD_MUTEX_INITIALIZER (no init call): its lock is not a
    /// wait for itself, since its word says it is unlocked (Helgrind's
    /// tc04_free_lock). The near miss, a held mutex locked again, is
    /// HangExamplesTests.test_hang_self_relock (reported, then the live
    /// deadlock).
    func test_stack_mutex_abandoned() throws { try silent("stack_mutex_abandoned") }
    /// rsyslog's tcpsrv: a worker that took the global lock once, lazily,
    /// before it reported idle, joined under that lock once the joiner
    /// learned of the report; held back while the worker runs, judged
    /// when it exits (R2.4, per lock: LockWaitEpochs).
    func test_join_under_lock_taken_before() throws {
        try silent("join_under_lock_taken_before", heldBackBy: "happens-before")
    }
    /// A server's worker pool at shutdown: the worker takes 300 other
    /// mutexes after its last wait for L; none may make that wait look
    /// later than it was (the shim keeps latest waits per bucket of
    /// instances: with 256 buckets the 256th shared L's). Its near miss is
    /// join_under_lock_taken_after (L taken again after the done report).
    /// FFmpeg's frame threads closed under VLC's stream output lock: the
    /// worker is still on its way out when the join starts, and its wait
    /// on input_cond was ended by the joiner's own signal. The cycle waits
    /// for its exit and is then turned down by happens-before.
    func test_join_under_lock_after_die_signal() throws {
        try silent("join_under_lock_after_die_signal", heldBackBy: "happens-before")
    }

    func test_join_under_lock_many_after() throws {
        try silent("join_under_lock_many_after", heldBackBy: "happens-before")
    }
    /// Near miss: the worker takes G again after its last idle report,
    /// unordered with the join: reported at once, the worker still running.
    func test_join_under_lock_taken_after() throws { try potential("join_under_lock_taken_after", events: 2...2) }
    /// Near miss: a pool's second worker, joined under the same lock right
    /// after the first (whose join happens-before silences), took the lock
    /// unordered with its join. Its join repeats the first's observation
    /// but is judged on its own worker's waits.
    func test_join_under_lock_second_worker() throws { try potential("join_under_lock_second_worker", events: 2...2) }
    func test_join_under_lock_slot_reuse() throws { try potential("join_under_lock_slot_reuse", events: 2...2) }
    /// Joined under M after a post that ended the joiner's wait.
    func test_join_after_sem_handoff() throws { try silent("join_after_sem_handoff") }
    /// F4: joined under a robust mutex taken with EOWNERDEAD from the dead worker.
    func test_robust_owner_died_join() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("robust_owner_died_join")
        let run = runExample(example, preload: true, timeout: Self.timeout)
        assertSilent(run, example: example, allowWarnings: true)
        XCTAssertTrue(run.stdout.hasPrefix("robust_owner_died_join: done EOWNERDEAD"), run.transcript)
    }

    // MARK: F2, F3 (b), (c): condvar protocols (R2.3 valid since, R2.6 OR-waits)

    /// lbzip2/x265/apache2 at shutdown: join, then signal the sink.
    func test_join_then_signal_pool() throws { try silent("join_then_signal_pool") }
    /// Near miss: the sink needs the finish signal the joiner gives only
    /// after the join: it really hangs, and is reported live.
    func test_join_before_finish() throws { try hang("join_before_finish") }
    /// perl's threads::shared: main wakes a worker, joins it, then signals
    /// the same condvar again for another waiter; the worker's wait was
    /// ended by main's own signal before the join (R2.4, per wait).
    func test_join_after_own_wakeup() throws { try silent("join_after_own_wakeup") }
    /// Near miss: a helper's signal, unordered with the join, woke the
    /// worker, and the helper signals only after a join of the worker's
    /// class: the join could have waited behind it, with no way out.
    func test_join_after_other_wakeup() throws { try potential("join_after_other_wakeup", events: 2...2) }
    /// The same with a helper whose wake-up, at the cycle's own call site,
    /// depends on nothing in the cycle: a way out (OR-wait).
    func test_join_after_helper_wakeup() throws { try silent("join_after_helper_wakeup", heldBackBy: "OR-wait") }
    /// OpenJDK's WorkGang: a dispatcher posts start and waits end, workers
    /// wait start and post end (valid since, for semaphores).
    func test_sem_work_gang() throws { try silent("sem_work_gang") }
    /// Static objects initialised at one site share its class (so thousands
    /// of bucket locks stay one class), but stay distinct objects: bucket
    /// locks of the lower half before table_lock, table_lock before buckets
    /// of the upper half, is no cycle.
    func test_static_bucket_locks() throws { try silent("static_bucket_locks") }
    /// Near miss: one bucket taken in both orders with table_lock, named by
    /// its own symbol.
    /// A static array of forks nested in index order a thousand times by
    /// each philosopher (cached acquisitions, keyed by the objects held),
    /// then the ring: one instance loop of 5.
    func test_static_forks_ring() throws { try potential("static_forks_ring", events: 5...5) }
    /// GDAL's get-or-create: a mutex created and locked under the registry
    /// lock, which elsewhere is taken while one of those mutexes is held.
    /// The first acquisition of a mutex by the thread that initialised it,
    /// before any other thread came near it, cannot wait.
    func test_fresh_lock_under_registry() throws { try silent("fresh_lock_under_registry") }
    /// The same shape, with more mutexes initialised (a page apart) before
    /// the first one is locked: each keeps its mark.
    func test_fresh_lock_pool_under_registry() throws { try silent("fresh_lock_pool_under_registry") }
    /// Near miss: the first acquisition ever, but by a thread that did not
    /// create the mutex.
    func test_fresh_lock_seen_by_other() throws { try potential("fresh_lock_seen_by_other", events: 2...2) }
    /// Near miss: the creating thread's second acquisition is a wait.
    func test_fresh_lock_second_time() throws { try potential("fresh_lock_second_time", events: 2...2) }
    func test_static_bucket_inversion() throws {
        let reports = try potential("static_bucket_inversion", events: 2...2)
        XCTAssertTrue(reports.contains { $0.text.contains("bucket+200") },
                      "the report names the bucket taken in both orders (bucket[5], bucket+200)")
    }
    /// Near miss: one start post too few: it really hangs, and the waits
    /// of the dispatcher and the starved worker close the loop.
    func test_sem_work_gang_lost_post() throws { try hang("sem_work_gang_lost_post") }
    /// barrier_post_after's post in the round X shares with Y: it really
    /// hangs, reported live.
    func test_barrier_post_same_round() throws { try hang("barrier_post_same_round") }
    /// pixz's pipeline: a ring of condvar queues with items in flight.
    func test_token_ring_queues() throws { try silent("token_ring_queues") }
    /// Near miss: the same ring with no item: it hangs.
    func test_token_ring_no_token() throws { try hang("token_ring_no_token") }
    /// apache2's child: a thread that creates threads at once (pthread_create
    /// once bound the new handle to the wrong thread: a record the child had
    /// already given back was read after it was reused).
    func test_join_start_thread() throws { try silent("join_start_thread") }
    /// Locks built from a mutex and a condvar, nested consistently.
    func test_condvar_lock_nesting() throws { try silent("condvar_lock_nesting") }
    /// GStreamer's flush: signal the waiter (which holds the stream lock)
    /// without that lock first, then take it and signal again: the second
    /// signal was announced on the way in and does not depend on the lock.
    func test_cond_announce_before_lock() throws { try silent("cond_announce_before_lock", heldBackBy: "announced") }
    /// Near miss: the first signal leaves the predicate false and another
    /// wait comes before the lock: the signal under it is a way out of
    /// nothing, as in cond_outer_lock.
    func test_cond_announce_stale() throws { try potential("cond_announce_stale", events: 2...2) }
    /// CPython's GIL hand-over: the GIL taker's signal under a Python lock
    /// (a binary semaphore) was announced when it took the GIL before
    /// blocking on that lock, under two mutexes since released.
    func test_cond_announce_before_sem() throws { try silent("cond_announce_before_sem", heldBackBy: "announced") }
    /// TSan's signal_in_mutex_lock: a handler that runs while its thread is
    /// blocked taking M does not hold M.
    func test_signal_while_acquiring() throws { try silent("signal_while_acquiring") }
    /// Near miss: the handler runs inside the critical section.
    func test_signal_while_holding() throws { try potential("signal_while_holding", events: 2...2) }
    /// A handler that takes a lock while its thread is blocked taking M is
    /// not after M: no inversion with the program's X-before-M.
    func test_signal_lock_while_acquiring() throws { try silent("signal_lock_while_acquiring") }
    /// Near miss: the thread holds M when its handler takes X.
    func test_signal_lock_while_holding() throws { try potential("signal_lock_while_holding", events: 2...2) }
    /// Near miss: a semaphore wait between the two GIL takes.
    func test_cond_announce_sem_stale() throws { try potential("cond_announce_sem_stale", events: 2...2) }
    /// CPython's GIL drop request: the holder woke the thread asking for
    /// the GIL, and a thread woken from gil_cond signals switch_cond with
    /// nothing of the cycle held.
    func test_cond_woke_signaller() throws { try silent("cond_woke_signaller", heldBackBy: "woke") }
    /// Near miss: the woken thread needs the holder's lock before it
    /// signals; its own signal under that lock closes the cycle.
    func test_cond_woke_needs_lock() throws {
        let reports = try potential("cond_woke_needs_lock", events: 2...2)
        XCTAssertTrue(reports.contains { $0.text.contains("waits for a post of L") && $0.text.contains("before it signals switch_cond") },
                      "the woken thread's signal under L\n\(reports.map(\.text))")
    }

    /// GStreamer's collect pads: input pad -> collect lock -> output pad,
    /// one class of pads nested in data-flow order; the first input is
    /// seen above the output only after the cycle closed.
    func test_class_order_pipeline() throws { try silent("class_order_pipeline", heldBackBy: "instance order") }
    /// Near miss: a downstream thread holds the output pad and takes the
    /// collect lock; the cycle closes on the output pad itself.
    func test_class_order_downstream_holder() throws {
        let reports = try potential("class_order_downstream_holder", events: 2...2)
        XCTAssertTrue(reports.contains { $0.text.contains("event_upstream") && $0.text.contains("push_out") },
                      "the downstream holder against the pusher\n\(reports.map(\.text))")
    }

    /// Near miss: input 1 is never seen above the output. The cycle, held
    /// back for the order of its pads, is printed when the process ends,
    /// also by _exit, which runs no exit handler (and whose status dept
    /// leaves alone).
    func test_class_order_unproven() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("class_order_unproven")
        XCTAssertEqual(example.header.expect, .potential)
        let run = runExample(example, preload: true, timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2, exitCode: 0)
        XCTAssertTrue(run.stdout.contains("class_order_unproven: done"), run.transcript)
        let report = parseReports(run.stderr, kind: .potential).first?.text ?? ""
        XCTAssertTrue(report.contains("push_out"), "the pusher's wait for the output pad\n\(run.transcript)")
    }

    /// The same program replacing itself with /bin/true: an exec ends the
    /// process image without exit handlers, and the held-back cycle was
    /// lost with it. The exec'd program's status (0) is the process's.
    func test_class_order_unproven_exec() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("class_order_unproven")
        let run = runProgram(example.executable.path, ["exec"], preload: true, timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2, exitCode: 0)
        XCTAssertTrue(run.stdout.contains("class_order_unproven: done"), run.transcript)
        XCTAssertFalse(run.stderr.contains("execl /bin/true"), "the exec failed\n\(run.transcript)")
    }

    // MARK: semaphores passed around like locks (CShim/lock_takes.c)

    /// A semaphore made with no token and lent like a lock (VLC's avcodec
    /// decoder and FFmpeg's frame threads): a post that gives back the
    /// token its thread took (or made) inside the locks it still holds
    /// depends on none of them. Reported twice before.
    func test_sem_zero_token_lock() throws { try silent("sem_zero_token_lock") }
    /// Near miss: the token's taker takes sout after the token and posts
    /// inside it, while main waits for the token holding sout.
    func test_sem_zero_token_inversion() throws {
        let reports = try potential("sem_zero_token_inversion", events: 2...2)
        XCTAssertTrue(reports.contains { $0.text.contains("takes sout (sem_zero_token_inversion.c:") && $0.text.contains("before it posts token") },
                      "the worker's post depends on sout, taken after its token\n\(reports.map(\.text))")
    }
    /// Near miss: the worker took the token inside L, but released L and
    /// took it again before its post: an equal chain of held locks, not
    /// the same acquisitions. Silent before the take was cut at the release.
    func test_sem_token_relock() throws {
        let reports = try potential("sem_token_relock", events: 2...2)
        XCTAssertTrue(reports.contains { $0.text.contains("takes L (sem_token_relock.c:") && $0.text.contains("before it posts token") },
                      "the worker's post depends on L, taken again after its token\n\(reports.map(\.text))")
    }

    // MARK: locks built from a mutex and a condvar (CShim/cond_checks.c)

    /// OCaml 4's master lock: the release signal of a thread that took m
    /// before it acquired the master lock, made holding m, while another
    /// thread holds m and waits to acquire the master lock. Reported by the
    /// library before (as OCaml 4.13 programs with Mutex and Condition were).
    func test_cond_lock_release() throws { try silent("cond_lock_release", heldBackBy: "condvar lock") }

    /// A recursive mutex held twice stays locked across a condvar wait
    /// (glibc drops one level): taking it back never blocks, so no
    /// self-deadlock (APR's nested_wait, survey 14).
    func test_cond_wait_recursive_held() throws { try silent("cond_wait_recursive_held") }

    /// The near miss: a signaller that takes that mutex before signalling
    /// is reported, and the cycle is the only report.
    func test_cond_wait_recursive_signaller_locks() throws {
        let reports = try potential("cond_wait_recursive_signaller_locks", events: 2...2)
        XCTAssertEqual(reports.count, 1, reports.map(\.headline).joined(separator: "\n"))
    }
    /// Near miss: the releasing thread takes m after its acquire.
    func test_cond_lock_release_inverted() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("cond_lock_release")
        let run = runProgram(example.executable.path, ["inverted"], preload: true, timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2, exitCode: 66)
        XCTAssertTrue(run.stderr.contains("T3 takes m (cond_lock_release.c:") && run.stderr.contains("before it signals master+40"),
                      "T3's release depends on m, taken after its acquire\n\(run.transcript)")
    }
    /// One condvar, two predicates: the worker's check for work looks like
    /// an acquire, but main waits for "done" elsewhere, not to acquire a
    /// lock. Silent when the rule ignored where the waiter waits.
    func test_cond_pool_other_predicate() throws {
        let reports = try potential("cond_pool_other_predicate", events: 2...2)
        XCTAssertTrue(reports.contains { $0.text.contains("takes X (cond_pool_other_predicate.c:") && $0.text.contains("before it signals cv") },
                      "the worker's done signal depends on X\n\(reports.map(\.text))")
    }
    /// The same through a lock wrapper: every critical section of cv's
    /// mutex has the wrapper's call site, so no site is an acquire (the
    /// lock and the wait are not made by one function). Silent when the
    /// wrapper's site made every section a check.
    func test_cond_pool_other_predicate_wrapped() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("cond_pool_other_predicate")
        let run = runProgram(example.executable.path, ["wrapped"], preload: true, timeout: Self.timeout)
        assertReport(run, kind: .potential, example: example, events: 2...2, exitCode: 66)
    }
    /// Per-object condvar-built locks of one class, taken hand over hand:
    /// o1's acquire, made holding L, is not the acquire o0's release gives
    /// back (a check's take belongs to its mutex). Silent when takes were
    /// kept per condvar class.
    func test_cond_lock_hand_over_hand() throws {
        let reports = try potential("cond_lock_hand_over_hand", events: 2...2)
        XCTAssertTrue(reports.contains { $0.text.contains("takes L (cond_lock_hand_over_hand.c:") },
                      "T1's release of o0 depends on L\n\(reports.map(\.text))")
    }

    // MARK: collectors serialised by one lock (R2.6)

    /// Boehm GC's parallel mark, as ECL runs it (1 run in 8 reported a
    /// false deadlock): each collector holds A, broadcasts C and waits on C
    /// for the markers, which never take A.
    func test_cond_kick_then_wait() throws { try silent("cond_kick_then_wait", heldBackBy: "waiter signals too") }
    /// Near miss: the waiter under A never broadcasts C itself; the thread
    /// that must wake the markers needs A first.
    func test_cond_kick_by_other() throws {
        let reports = try potential("cond_kick_by_other", events: 2...2)
        XCTAssertTrue(reports.contains { $0.text.contains("takes A (cond_kick_by_other.c:") && $0.text.contains("before it broadcasts C") },
                      "the kicker's broadcast depends on A\n\(reports.map(\.text))")
    }

    // MARK: waits that found their token (R2.4 for a post's history)

    /// One round of a barrier built from semaphores (Helgrind's
    /// tc17_sembar): the thread that waits for leave holding bar posted the
    /// token the other thread's wait for arrive found. Reported before.
    func test_sem_barrier_token_found() throws { try silent("sem_barrier_token_found") }
    /// Near miss: the token was posted under bar by a third thread, and
    /// nothing but bar ordered that before the wait for leave.
    func test_sem_ring_poster_first() throws {
        let reports = try potential("sem_ring_poster_first", events: 3...3)
        XCTAssertTrue(reports.contains { $0.text.contains("waits for a post of arrive (sem_ring_poster_first.c:")
                                         && $0.text.contains("before it posts leave")
                                         && $0.text.contains("takes bar (sem_ring_poster_first.c:") },
                      "the ring through bar, arrive and leave\n\(reports.map(\.text))")
    }

    // MARK: same-class instance loops (recall)

    /// One thread, two instances of one wrapper-initialised class, both
    /// orders, blocking locks: the memo once mixed the pair symmetrically,
    /// so the second order looked known and never reached the core.
    func test_same_class_both_orders() throws {
        try potential("same_class_both_orders", events: 2...2)
    }

    /// The near misses that really hang exist and say so in their header.
    func test_hangExamplesExist() throws {
        let all = try ExampleHeader.all()
        for name in Self.hangs {
            let expect = all.first { $0.name == name }?.expect
            XCTAssertTrue(expect == .hang || expect == .deadlock, "\(name): \(String(describing: expect))")
        }
    }

    /// Rings of 5, 13 and 30 instances of one loop-initialised class each:
    /// three loops, found with a bounded search.
    func test_same_class_rings() throws {
        _ = try requirePreload()
        let example = try ExampleBuilder.shared.build("same_class_rings")
        let run = runExample(example, preload: true, timeout: Self.timeout)
        for (n, initFunction) in [(5, "ring5_init"), (13, "ring13_init"), (30, "ring30_init")] {
            assertReport(run, kind: .potential, example: example, objects: [initFunction], events: n...n)
        }
        XCTAssertEqual(parseReports(run.stderr, kind: .potential).count, 3, run.transcript)
        XCTAssertTrue(run.stdout.contains("same_class_rings: done"), run.transcript)
    }
}
