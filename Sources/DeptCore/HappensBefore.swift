/// Happens-before over hard edges (PRECISION.md R2.4), for deciding whether
/// a dependency recorded at an event could really have stood in the way of
/// a particular waiter.
///
/// Hard edges only: program order, `pthread_create` (parent to child), a
/// thread's exit to the return of `pthread_join`, a signal/post/write to
/// the return of a waiter that was blocked on the object while it happened,
/// and the owner's death to an acquisition that returned EOWNERDEAD. A
/// mutex's unlock-to-lock is *not* one: reordering critical sections is
/// exactly what a deadlock predictor must be allowed to do. (One exception,
/// in the shim: a condvar signalled while its mutex is held publishes the
/// signaller's clock into that mutex, for waiters that find their predicate
/// already true and never block; see cond_hooks.c.) Where several events
/// could have ended a wait, the shim joins the waiter with the meet of their
/// clocks: HB is used to *silence*, so it must under-approximate.
///
/// Clocks are dense vectors indexed by a thread's clock slot; a slot is
/// reused by a later thread whose times continue above its predecessor's,
/// so an old entry never vouches for the new thread's events, and a new one
/// vouches for the old thread's only within one era of the slot (SlotEras).
public struct Epoch: Hashable, Sendable {
    public var slot: UInt32
    public var time: UInt32
    public init(slot: UInt32, time: UInt32) { self.slot = slot; self.time = time }
}

public struct VectorClock: Hashable, Sendable {
    public var times: [UInt32]
    public init(_ times: [UInt32] = []) { self.times = times }
    public subscript(slot: UInt32) -> UInt32 { Int(slot) < times.count ? times[Int(slot)] : 0 }
    /// Whether the event at `e` happened before the point this clock was
    /// taken. `eras`: where the slots changed hands unknown to their new
    /// threads.
    public func covers(_ e: Epoch, eras: SlotEras = SlotEras()) -> Bool {
        let known = self[e.slot]
        return e.time != 0 && known >= e.time && eras.sameEra(e, known: known)
    }
}

/// The clocks of one observation (Witness), as far as the shim knew them.
public struct WaitClocks: Hashable, Sendable {
    /// The waiting thread's vector clock when the wait started (interned in
    /// a ClockStore; 0 when not recorded). Kept for waits for an event that
    /// is not a lock release (join, condvar, semaphore, eventfd): those are
    /// the requests R2.4 is about.
    public var request: UInt32 = 0
    /// When the wait returned (for a wait that already had when it was
    /// recorded, such as a waited condvar in the history of a signal), or
    /// an upper bound of it (the event's own epoch for the lock waits that
    /// got the contexts it fires under).
    public var returned: Epoch? = nil
    /// The events that may have ended the wait (the signals or posts made
    /// while it was blocked; empty when unknown or when it did not block).
    public var satisfiedBy: [Epoch] = []
    /// When the wait started, on the process-wide wait clock: for a wait
    /// for an event (a request) and for a wait an event depends on through
    /// its thread's history (EventRules rule 2). Nil when not recorded.
    public var started: UInt64? = nil
    /// The thread's own epoch when the wait started, for a wait in the
    /// history of an event, which carries no request clock: it vouches for
    /// the thread's own earlier events only (requestClock).
    public var requestedAt: Epoch? = nil
    public init(request: UInt32 = 0, returned: Epoch? = nil, satisfiedBy: [Epoch] = [], started: UInt64? = nil) {
        self.request = request; self.returned = returned; self.satisfiedBy = satisfiedBy; self.started = started
    }
}

extension WaitClocks {
    /// What the waiting thread knew when its wait started: its vector clock
    /// when recorded, else its own epoch alone (every other entry 0, which
    /// only makes happens-before weaker).
    public func requestClock(in store: ClockStore) -> VectorClock? {
        if let vc = store[request] { return vc }
        guard let at = requestedAt else { return nil }
        var times = [UInt32](repeating: 0, count: Int(at.slot) + 1)
        times[Int(at.slot)] = at.time
        return VectorClock(times)
    }
}

/// Interned vector clocks: an observation carries a small id, and the many
/// observations made between two hard edges of a thread share one clock.
public struct ClockStore: Sendable {
    private var clocks: [VectorClock] = [VectorClock()]
    private var index: [VectorClock: UInt32] = [:]
    public init() {}
    public mutating func intern(_ c: VectorClock) -> UInt32 {
        if c.times.isEmpty { return 0 }
        if let id = index[c] { return id }
        let id = UInt32(clocks.count)
        clocks.append(c)
        index[c] = id
        return id
    }
    public subscript(id: UInt32) -> VectorClock? { id != 0 && Int(id) < clocks.count ? clocks[Int(id)] : nil }
    public var count: Int { clocks.count - 1 }
}

/// R2.4: when waiter X requests event e at point r (it starts waiting for a
/// signal, a post, a write, a thread's exit) and context Y triggers e, a
/// wait W' in Y's context gives "e depends on W'" for this request only if
/// Y could still be stuck in W' while X waits: not if W' returned
/// happens-before r, nor if the event that ended W' happened before r.
///
/// Scenarios: a thread joined under L after it marked itself done under L
/// and broadcast (its last wait for L returned before the join was asked:
/// pigz's join_all); two threads ping-ponging between two condvars, each
/// signal made before the signaller's own next wait (the wait it would
/// depend on was ended by the requester itself). Kept: a worker that took M
/// earlier, joined by a thread holding M with nothing but M ordering them
/// (Examples/join_under_mutex): the mutex is no hard edge.
public enum HappensBefore {
    public enum Verdict: Equatable, Sendable {
        case valid
        /// W' returned before the request.
        case returnedBefore
        /// Every event that may have ended W' happened before the request.
        case satisfiedBefore
    }

    /// `request` is the waiter's clock at r; `returned` when W' returned (for
    /// a thread's exit, the time of its last wait of any kind: W' may be
    /// any wait in its body); `satisfiedBy` the events that may have ended W'.
    public static func verdict(request: VectorClock, returned: Epoch?, satisfiedBy: [Epoch],
                               eras: SlotEras = SlotEras()) -> Verdict {
        if let r = returned, request.covers(r, eras: eras) { return .returnedBefore }
        if !satisfiedBy.isEmpty && satisfiedBy.allSatisfy({ request.covers($0, eras: eras) }) { return .satisfiedBefore }
        return .valid
    }
}
