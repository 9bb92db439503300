/// A thread as seen while the program may be stuck.
public struct LiveThread: Sendable {
    public var tid: UInt32
    public var osTid: Int32
    /// The intercepted wait it is inside of, if any.
    public var blocked: BlockedWait?
    public var held: [HeldContext]
    public init(tid: UInt32, osTid: Int32 = 0, blocked: BlockedWait? = nil, held: [HeldContext] = []) {
        self.tid = tid; self.osTid = osTid; self.blocked = blocked; self.held = held
    }
}

public struct BlockedWait: Sendable, Hashable {
    public var cls: UInt32
    public var inst: UInt32
    public var stack: UInt32
    public var op: Operation
    public var awaits: EventModes
    /// Has a timeout: it ends by itself.
    public var timed: Bool
    /// On an object shared with other processes: another process may end it.
    public var shared: Bool
    public var ms: Int
    public init(cls: UInt32, inst: UInt32, stack: UInt32 = 0, op: Operation, awaits: EventModes = [.exclusive, .shared],
                timed: Bool = false, shared: Bool = false, ms: Int) {
        self.cls = cls; self.inst = inst; self.stack = stack; self.op = op; self.awaits = awaits
        self.timed = timed; self.shared = shared; self.ms = ms
    }
    /// Only such waits can be proven stuck.
    public var canHangForever: Bool { !timed && !shared }
}

/// The live state the monitor hands over: threads, and who can end waits
/// on objects without owning them (binary-semaphore takers, the threads
/// that triggered an object's events before).
public struct LiveState: Sendable {
    public var threads: [LiveThread]
    /// Threads of the process that dept does not track: they may progress.
    public var untracked: Int
    public var holders: [UInt32: UInt32] = [:]
    /// Binary semaphores held now that no taker has posted yet: not known
    /// to be locks, so a hold of one proves no ownership (a gate one thread
    /// closes and another opens).
    public var unprovenHolds: Set<UInt32> = []
    public var triggerers: [UInt32: [UInt32]] = [:]
    /// For how long the rest of the process has used (almost) no CPU
    /// (ProcessQuiet); nil when unknown, which counts as quiet.
    public var quietMs: Int? = nil
    /// A thread is blocked waiting for input on a descriptor (a socket, a
    /// pipe, poll or epoll): the process waits for the world outside it.
    public var waitsForInput = false
    public init(threads: [LiveThread], untracked: Int = 0) { self.threads = threads; self.untracked = untracked }
}

/// Why a blocked thread waits on another one.
public enum WakeReason: Sendable, Equatable {
    case owns(HeldContext)        // it holds the object (lock, binary semaphore, thread body)
    case semaphoreTaker           // it took the binary semaphore and has not posted it
    case triggeredBefore          // it triggered this object's event before
    case mustFirstGet(UInt32)     // the object's event has always come after a wait for this class, which it is blocked on
}

public enum LiveVerdict: Sendable, Equatable {
    case running
    /// Threads that wait for each other; `cycle` is one loop among them in
    /// wait order (each waits for the next), `stuck` every thread proven stuck.
    case deadlock(cycle: [UInt32], stuck: [UInt32])
    case hang
    case stall
}

/// Decides from the live state whether blocked threads can ever wake up.
///
/// A blocked thread can be woken by its *wakers*. Ownership proves it: the
/// holders of what it waits for (lock holders, the taker of a binary
/// semaphore that a taker has posted before, the thread it joins) are its
/// only wakers. A binary semaphore nobody has released as a lock yet is
/// any thread's to post, as every semaphore is. A set of blocked
/// threads whose owners are all inside the set can never wake, whatever
/// the other threads do: a `deadlock`.
///
/// A condvar, semaphore or eventfd nobody owns can be triggered by anyone,
/// so while some thread still runs nothing is proven. When every thread of
/// the process is blocked in an untimed wait for `hangMs`, nothing will run
/// again: that is a `hang`, and if the threads that triggered such objects
/// before, or the threads blocked on what those events have always come
/// after (the dependency graph), close a loop, it is reported as the
/// `deadlock` that explains the hang. Short of that, threads blocked for
/// `stallMs` in a process that has otherwise been quiet as long (nobody
/// computes), where no thread waits for input on a descriptor (a server
/// waiting for clients), are a `stall`: the others sleep, or wait for
/// what dept does not see.
public enum HangAnalysis {
    /// Wakers that ownership proves.
    public static func owners(of t: LiveThread, in s: LiveState) -> [(UInt32, WakeReason)] {
        guard let b = t.blocked else { return [] }
        var out: [(UInt32, WakeReason)] = []
        for other in s.threads {
            for h in other.held where h.inst == b.inst
                && !(h.flags & HeldContext.semFlag != 0 && s.unprovenHolds.contains(h.inst)) {
                if h.isThreadBody {
                    // A running thread is waited for by its joiners, and the
                    // thread running a once initializer by its callers.
                    if b.op == .join || b.op == .once { out.append((other.tid, .owns(h))) }
                } else if b.awaits.contains(h.shared ? .shared : .exclusive) {
                    out.append((other.tid, .owns(h)))
                }
            }
        }
        if out.isEmpty, let taker = s.holders[b.inst], taker != 0, s.threads.contains(where: { $0.tid == taker }) {
            out.append((taker, .semaphoreTaker))
        }
        return out
    }

    /// Owners, or else the threads that could plausibly trigger the event.
    public static func wakers(of t: LiveThread, in s: LiveState,
                              dependsOn: (UInt32, UInt32) -> Bool = { _, _ in false }) -> [(UInt32, WakeReason)] {
        let o = owners(of: t, in: s)
        guard o.isEmpty, let b = t.blocked else { return o }
        var out: [(UInt32, WakeReason)] = []
        for tid in s.triggerers[b.inst] ?? [] where tid != t.tid && s.threads.contains(where: { $0.tid == tid }) {
            out.append((tid, .triggeredBefore))
        }
        for other in s.threads where other.tid != t.tid && !out.contains(where: { $0.0 == other.tid }) {
            if let ob = other.blocked, dependsOn(b.cls, ob.cls) { out.append((other.tid, .mustFirstGet(ob.cls))) }
        }
        return out
    }

    /// The largest set of threads whose wakers all lie inside the set, and
    /// one loop within it.
    static func stuckSet(_ s: LiveState, candidates: [LiveThread],
                         wakers: (LiveThread) -> [(UInt32, WakeReason)]) -> (cycle: [UInt32], stuck: [UInt32])? {
        var wakersOf: [UInt32: [UInt32]] = [:]
        var set: Set<UInt32> = []
        for t in candidates {
            let w = wakers(t).map { $0.0 }
            if !w.isEmpty { wakersOf[t.tid] = Array(Set(w)).sorted(); set.insert(t.tid) }
        }
        var changed = true
        while changed {
            changed = false
            for tid in set where !(wakersOf[tid] ?? []).allSatisfy({ set.contains($0) }) {
                set.remove(tid)
                changed = true
            }
        }
        guard let first = set.min() else { return nil }
        var cycle: [UInt32] = []
        var seen: [UInt32: Int] = [:]
        var cur = first
        while seen[cur] == nil {
            seen[cur] = cycle.count
            cycle.append(cur)
            cur = wakersOf[cur]!.first { set.contains($0) }!
        }
        return (Array(cycle[seen[cur]!...]), set.sorted())
    }

    /// A join whose thread is no longer among the live ones is returning
    /// (its thread exited between the snapshot's reads), whatever it says.
    static func joinReturning(_ t: LiveThread, in s: LiveState) -> Bool {
        guard let b = t.blocked, b.op == .join else { return false }
        return !s.threads.contains { other in other.held.contains { $0.isThreadBody && $0.inst == b.inst } }
    }

    public static func analyze(_ s: LiveState, hangMs: Int, stallMs: Int,
                               dependsOn: (UInt32, UInt32) -> Bool = { _, _ in false }) -> LiveVerdict {
        let stuck = s.threads.filter { t in
            (t.blocked.map { $0.canHangForever && $0.ms >= hangMs } ?? false) && !joinReturning(t, in: s)
        }
        if let d = stuckSet(s, candidates: stuck, wakers: { owners(of: $0, in: s) }) {
            return .deadlock(cycle: d.cycle, stuck: d.stuck)
        }
        if s.untracked == 0 && !s.threads.isEmpty && stuck.count == s.threads.count {
            if let d = stuckSet(s, candidates: stuck, wakers: { wakers(of: $0, in: s, dependsOn: dependsOn) }) {
                return .deadlock(cycle: d.cycle, stuck: d.stuck)
            }
            return .hang
        }
        // A stall is a process that stopped: while other threads compute,
        // blocked ones are idle workers of a busy program (ProcessQuiet);
        // while a thread waits for input on a descriptor, they are idle
        // workers of a server waiting for its next client.
        if (s.quietMs ?? Int.max) >= stallMs && !s.waitsForInput
            && !stalled(s, hangMs: hangMs, stallMs: stallMs).isEmpty { return .stall }
        return .running
    }

    /// Whether `t` joins a thread that still runs (is not blocked, or has
    /// been for less than `hangMs`). Threads live as long as their work:
    /// a main thread joining a busy worker for minutes is no stall. A lock
    /// held that long by a running thread is (it may be stuck in I/O with
    /// the lock held), so only joins are exempt.
    static func joinsRunningThread(_ t: LiveThread, in s: LiveState, hangMs: Int) -> Bool {
        guard let b = t.blocked, b.op == .join else { return false }
        return owners(of: t, in: s).contains { tid, _ in
            guard let joined = s.threads.first(where: { $0.tid == tid }) else { return false }
            return (joined.blocked?.ms ?? 0) < hangMs
        }
    }

    /// The threads of a stall: blocked past `hangMs` in untimed waits (but
    /// not joining a running thread), once one of them has been blocked for
    /// `stallMs`; empty otherwise. Every such thread is listed, not only
    /// those past `stallMs`: threads of one stall that started waiting a
    /// little apart belong to the same dump.
    public static func stalled(_ s: LiveState, hangMs: Int, stallMs: Int) -> [LiveThread] {
        let without = s.threads.filter { t in
            guard let b = t.blocked, b.canHangForever, b.ms >= hangMs else { return false }
            return !joinReturning(t, in: s) && !joinsRunningThread(t, in: s, hangMs: hangMs)
        }
        return without.contains { $0.blocked!.ms >= stallMs } ? without : []
    }
}
