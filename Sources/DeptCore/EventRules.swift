/// A recent wait of a thread that was not a lock acquisition (semaphore,
/// condvar, eventfd, join), with the wait clock at its start.
public struct HistoryWait: Hashable, Sendable {
    public var cls: UInt32
    public var inst: UInt32
    public var stack: UInt32
    public var awaits: EventModes
    public var op: Operation
    public var timestamp: UInt64
    /// When it returned and what ended it (HappensBefore).
    public var clocks: WaitClocks
    public init(cls: UInt32, inst: UInt32, stack: UInt32 = 0, awaits: EventModes = .exclusive, op: Operation, timestamp: UInt64,
                clocks: WaitClocks = WaitClocks()) {
        self.cls = cls; self.inst = inst; self.stack = stack; self.awaits = awaits; self.op = op; self.timestamp = timestamp
        self.clocks = clocks
    }
}

/// Which waits an event depends on (DESIGN §2). An event X depends on a wait
/// W when the thread that triggers X had to get through W first, so that if
/// W never ends, X never happens. Three rules, each pinned by a unit test:
///
/// 1. **Held contexts.** The thread got every context it still holds (a lock,
///    a binary semaphore taken like one) through a wait; the event depends on
///    those waits. This also covers events triggered before anyone waited:
///    a producer that writes an eventfd under the mutex its consumer holds
///    while reading has the dependency whatever the order in this run.
///    Contexts entered without waiting (trylock), with a timeout, and the
///    thread body itself give nothing, nor does the event's own object.
///    A context the event was announced on the way into (the shim's mark)
///    gives a dependency marked so; CycleJudge.announcedRule judges it.
///    A lock's release is not such an event: whoever waits for it waits
///    for its holder, which held it only after entering the contexts it
///    entered before the take, so those give nothing. The event of a futex
///    word that behaves as a lock (a thread woken from it wakes it itself)
///    is such a release, and its take is seen only when it slept for it;
///    the shim marks the contexts entered before the take, or all of them
///    when the take was unseen (CShim/lock_takes.c says why that is the
///    right default, and what recall it costs). So is a semaphore post by
///    the thread whose last wait on it (or whose sem_init with no token)
///    took the token it gives back: the contexts it took the token inside
///    are marked; a post by any other thread is a signal, or a release on
///    the holder's behalf, and keeps them all. Until some thread has
///    shown the word's class to be a lock, a wake with an unseen take keeps
///    its dependencies, marked unsure: a cycle through one is judged again
///    when the class turns out to be a lock (CycleJudge.futexLockRule), and
///    held back until then (Detector: reported at exit if it never does).
/// 2. **Current waiting episode** (the kernel DEPT's rule, narrowed). The
///    event is meant for the threads waiting on its object now; the non-lock
///    waits its thread started after that waiting episode began are what it
///    depended on. With nobody waiting there is no episode and no history
///    dependency: the kernel's "latest wait" from an earlier round is how a
///    bounded buffer's two condvars would look circular. Waits on the event's
///    own class are skipped: every condvar ping-pong waits on C before it
///    signals C.
/// 3. **Hand-off.** A binary semaphore posted on its taker's behalf is a
///    release of the taker's context, not a signal: rule 1 only.
public enum EventRules {
    /// `at`: the event's epoch, an upper bound of when the held contexts'
    /// waits returned.
    public static func dependencies(of event: PointRef, held: [HeldContext], history: [HistoryWait],
                                    window: UInt64?, release: Bool, at: Epoch? = nil) -> [EventDependency] {
        var deps: [EventDependency] = []
        for h in held {
            if h.isThreadBody || h.flags & (HeldContext.tryFlag | HeldContext.timedFlag) != 0 { continue }
            if h.inst == event.inst { continue }
            if h.flags & HeldContext.beforeTakeFlag != 0 { continue }
            let start = PointRef(cls: h.cls, inst: h.inst, op: h.op, stack: h.stack)
            let afterCheck = h.flags & HeldContext.beforeCheckFlag != 0 && event.check != 0
            let marks = (h.flags & HeldContext.announcedFlag != 0 ? WaitPoint.announcedFlag : 0)
                | (h.flags & HeldContext.unsureTakeFlag != 0 ? WaitPoint.unsureReleaseFlag : 0)
                | (afterCheck ? WaitPoint.afterCheckFlag : 0)
            let wait = WaitPoint(cls: h.cls, inst: h.inst, stack: h.stack,
                                 awaits: h.shared ? .exclusive : [.exclusive, .shared], op: h.op, flags: marks,
                                 addr: h.addr, check: afterCheck ? event.check : 0)
            deps.append(EventDependency(start: start, wait: wait, clocks: WaitClocks(returned: at)))
        }
        if !release, let window {
            for w in history where w.timestamp > window && w.cls != event.cls {
                let start = PointRef(cls: w.cls, inst: w.inst, op: w.op, stack: w.stack)
                var clocks = w.clocks
                clocks.started = w.timestamp
                deps.append(EventDependency(start: start, wait: WaitPoint(cls: w.cls, inst: w.inst, stack: w.stack,
                                                                          awaits: w.awaits, op: w.op),
                                            clocks: clocks))
            }
        }
        return deps
    }
}
