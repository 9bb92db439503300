/// The rules a closed path of observations must pass to be reported as a
/// deadlock, in one place. The graph search (DependencyGraph) finds paths
/// whose observations can coexist (pairwise disjoint gates); this decides
/// whether such a path is a deadlock some interleaving can produce. Each
/// rule says which scenario needs it; a rejected path is tried with other
/// observations, and when none passes, `verbosity=2` prints the first
/// rejection (one line), so a user who doubts a silence can see why.
public enum Rejection: Equatable, Sendable {
    /// A cycle through an event whose contexts are not pairwise different threads.
    case eventSameThread
    /// A cycle through an event that does not close on the same objects.
    case eventOtherInstances
    /// A ring of events around an object created with tokens.
    case tokenRing
    /// Different objects of a wrapper-initialised class meet at a node.
    case wrapperInstances(cls: UInt32)
    /// The cycle's classes are one class once refined, and it does not
    /// close on the same objects; `cls` is a node where it enters and
    /// leaves through different ones.
    case oneRefinedClass(cls: UInt32)
    /// Different objects in static storage of one init-site class meet at a node.
    case staticInstances(cls: UInt32)
    /// The lock cycle enters and leaves class `cls` through different
    /// objects that the program nests in the order the cycle follows.
    case instanceOrder(cls: UInt32)
    /// Context `context`'s event could not have been awaited at that point.
    case happensBefore(context: Int, verdict: HappensBefore.Verdict)
    /// Context `context`'s event depends on a wait that started before the
    /// previous context's thread started waiting for that event.
    case startedEarlier(context: Int)
    /// The previous context's thread woke a thread waiting on an object of
    /// class `woken` before it waited for context `context`'s event, and a
    /// thread woken from such an object was seen firing that event without
    /// needing any of the cycle's classes.
    case woke(context: Int, woken: UInt32)
    /// Context `context`'s event is also triggered at call site `site`,
    /// which does not depend on the cycle.
    case otherTrigger(context: Int, site: UInt)
    /// Context `context`'s thread fired its event once already on its way
    /// into the context the cycle makes it wait for.
    case announced(context: Int)
    /// Context `context`'s event is the release of a futex-word lock its
    /// thread may have taken inside the context the cycle makes it wait for.
    case futexLockRelease(context: Int)
    /// Context `context`'s event is the release of a lock built from a
    /// mutex and a condvar, taken after the context the cycle makes it wait
    /// for, and the previous context waits to acquire that lock.
    case conditionLockRelease(context: Int)
    /// Context `context`'s signal fires under the lock the previous
    /// context waits in, and that context's thread signals the condvar
    /// holding that lock too.
    case waiterSignalsToo(context: Int)

    public var rule: String {
        switch self {
        case .eventSameThread: return "event cycle in one thread"
        case .eventOtherInstances: return "event cycle over other objects"
        case .tokenRing: return "token ring"
        case .wrapperInstances: return "wrapper class"
        case .oneRefinedClass: return "one refined class"
        case .staticInstances: return "static objects"
        case .instanceOrder: return "instance order"
        case .happensBefore: return "happens-before"
        case .startedEarlier: return "valid since"
        case .woke: return "woke"
        case .otherTrigger: return "OR-wait"
        case .announced: return "announced"
        case .futexLockRelease: return "futex lock"
        case .conditionLockRelease: return "condvar lock"
        case .waiterSignalsToo: return "waiter signals too"
        }
    }
}

/// What the rules need to know beyond the observations themselves.
public struct CycleJudge {
    public var classes: [UInt32: ClassInfo]
    public var funnels: Funnels
    public var clocks: ClockStore
    /// Where clock slots changed hands unknown to their new threads.
    public var eras = SlotEras()
    /// The epoch of a thread's latest wait of any kind (its last one if it
    /// exited), or nil when unknown.
    public var lastWait: (UInt32) -> Epoch?
    /// The call sites that trigger events of each class (OR-waits).
    public var triggerSites: [UInt32: [UInt]] = [:]
    /// An exited thread's latest wait on an object (its clocks), or nil
    /// when unknown.
    public var endedWait: (_ thread: UInt32, _ inst: UInt32) -> WaitClocks? = { _, _ in nil }
    /// Classes of futex words seen to behave as locks (futexLockRule).
    public var futexLockClasses: Set<UInt32> = []
    /// Whether the thread still runs (not when the process ends: what it
    /// did so far is all it did).
    public var running: (UInt32) -> Bool = { _ in false }
    /// A thread's latest wait on a lock instance, or a later wait's epoch
    /// (LockWaitEpochs), and whether it is final: the thread exited, so it
    /// waits no more. Nil when unknown.
    public var lockWait: (_ thread: UInt32, _ inst: UInt32) -> (epoch: Epoch, final: Bool)? = { _, _ in nil }

    public init(classes: [UInt32: ClassInfo] = [:], funnels: Funnels = Funnels(), clocks: ClockStore = ClockStore(),
                lastWait: @escaping (UInt32) -> Epoch? = { _ in nil }) {
        self.classes = classes; self.funnels = funnels; self.clocks = clocks; self.lastWait = lastWait
    }

    /// Whether an observation's event is a release of a lock (or of a
    /// binary semaphore taken like one) rather than a signal, a post, a
    /// write or a thread's exit.
    static func isLockRelease(_ w: Witness) -> Bool { w.event == nil && !w.from.isThreadBody }

    /// Nil when the closed path `ws` (ws[i] waits for the event of ws[i+1]'s
    /// context) is a deadlock; otherwise the first rule it breaks.
    public func reject(_ ws: [Witness], in graph: DependencyGraph = DependencyGraph()) -> Rejection? {
        if let r = Self.eventRules(ws) { return r }
        if let r = wrapperRule(ws) { return r }
        if let r = refinedClassRule(ws) { return r }
        if let r = staticObjectRule(ws) { return r }
        if let r = Self.instanceOrderRule(ws, graph) { return r }
        if let r = Self.validSinceRule(ws) { return r }
        if let r = happensBeforeRule(ws) { return r }
        if let r = historyHappensBeforeRule(ws) { return r }
        if let r = orWaitRule(ws, graph) { return r }
        if let r = Self.waiterSignalsTooRule(ws, graph) { return r }
        if let r = Self.announcedRule(ws) { return r }
        if let r = futexLockRule(ws) { return r }
        if let r = Self.conditionLockRule(ws) { return r }
        if let r = Self.wokeRule(ws, graph) { return r }
        return nil
    }

    /// A lock built from a mutex, a condvar and a flag (acquire: lock m;
    /// while (busy) cond_wait(free, m); busy = 1; unlock m. release: lock
    /// m; busy = 0; unlock m; cond_signal(free)). A thread waiting in the
    /// acquire waits for the holder's release, and the holder entered every
    /// context it held before its acquire while not holding the lock: as
    /// for a mutex (lockdep's rule), its release needs none of them. The
    /// shim recognises the acquire as a predicate check, a critical section
    /// begun where some thread waited on the condvar with that mutex, and
    /// marks a later signal's dependencies on contexts entered before the
    /// thread's last check with that check's site (CShim/cond_checks.c).
    /// The dependency is dropped only for a waiter that waits in a check at
    /// the same site, an acquirer of that lock: OCaml 4's master lock,
    /// released with the program's mutex held by a thread that took the
    /// mutex before acquiring the master lock, while another holds that
    /// mutex and waits for the master lock (Examples/cond_lock_release).
    /// A waiter for another predicate on the same condvar (a pool's "all
    /// done" beside its workers' "work to do") still waits for the signal,
    /// and a holder that takes the context after its acquire
    /// (cond_lock_release's `inverted`) keeps the dependency. The shim
    /// makes no site of a lock or wait wrapper, whose one call site would
    /// stand for every critical section (cond_pool_other_predicate's
    /// `wrapped`), and gives a check's take back only for a condvar that
    /// waits with the check's mutex (cond_lock_hand_over_hand). Recall
    /// cost: a condvar whose waiters all wait at one site for different
    /// predicates (a generic "wait until" helper) is read as a lock.
    static func conditionLockRule(_ ws: [Witness]) -> Rejection? {
        for (i, cur) in ws.enumerated() where cur.event != nil && cur.wait.isAfterCheck && cur.wait.check != 0 {
            let prev = ws[(i + ws.count - 1) % ws.count]
            if prev.wait.op == .condWait && prev.wait.check == cur.wait.check { return .conditionLockRelease(context: i) }
        }
        return nil
    }

    /// A futex wake whose thread's take of the word was unseen depends on
    /// the contexts its thread holds only if the word is not a lock
    /// (EventRules, rule 1; CShim/lock_takes.c). Its dependencies are kept,
    /// marked, until some thread shows the class to be one (a thread woken
    /// from a word of it wakes that word itself); from then on a cycle
    /// through them is no deadlock: the holder of a lock took it after the
    /// contexts it entered first, so it was not waiting to enter them while
    /// anyone waited for its release. Cycles found before that are held
    /// back by the Detector and judged again when the class is shown a
    /// lock, or reported at exit. (GStreamer's stream locks around GLib's
    /// GMutexes, first contended in that order: Examples/futex_lock_first_contended.)
    func futexLockRule(_ ws: [Witness]) -> Rejection? {
        for (i, w) in ws.enumerated() where w.wait.isUnsureRelease {
            if let e = w.event, futexLockClasses.contains(e.cls) { return .futexLockRelease(context: i) }
        }
        return nil
    }

    /// Announced on the way in: an event that depends on a held context
    /// because it was fired under it, when its thread had fired an event of
    /// the same object just before taking that context (with the contexts
    /// below it as they are now, once the up to three mutexes it signalled
    /// under are released, and no other kind of wait in between but the
    /// context's own acquisition; the shim checks this). Every
    /// waiter already waiting then was woken outside the context, and a
    /// later one saw what the thread had published with that event
    /// (condvar waiters loop on a predicate), so none waits behind the
    /// context for the second one. This is the flush idiom "set flushing,
    /// signal, then take the stream lock and signal again": GStreamer's
    /// queue wakes its query waiter, which holds the pad's stream lock while
    /// it waits, before it takes that lock to flush
    /// (Examples/cond_announce_before_lock). CPython's GIL hand-over is the
    /// same shape: every thread that takes the GIL signals switch_cond
    /// under two mutexes, and one that blocked taking a Python lock (a
    /// binary semaphore) had taken the GIL, and so signalled, just before
    /// it dropped the GIL to block (Examples/cond_announce_before_sem;
    /// cond_announce_sem_stale, with a wait between, is reported). Recall cost: a waiter that
    /// starts waiting after the first event, with a predicate that event
    /// did not make true, is not predicted through that context (a live
    /// hang is still caught). An event fired only under the context
    /// (cond_outer_lock), or with another wait in between
    /// (cond_announce_stale), keeps the dependency.
    static func announcedRule(_ ws: [Witness]) -> Rejection? {
        for (i, w) in ws.enumerated() where w.event != nil && w.wait.isAnnounced {
            return .announced(context: i)
        }
        return nil
    }

    /// R2.6, OR-waits: a waiter for a signal, post or write can be woken by
    /// any call site that triggers such events of that object's class. If
    /// some site of a context's event was never seen depending on the cycle
    /// (no dependency of it leads to one of the cycle's nodes), that site
    /// can wake the previous context whatever the cycle does: in the OR
    /// model a deadlock needs a knot, not a cycle. (lbzip2 and x265 at
    /// shutdown: the scheduler's condvar is signalled by the sink inside the
    /// cycle and by every exiting worker outside it.) Only for a dependency
    /// on a wait in the thread's history (EventRules rule 2, DEPT's
    /// over-approximation): one on a lock the event fires under is
    /// lockdep's rule (R2.5), and a signaller that ran once, earlier, would
    /// otherwise hide it (Examples/cond_outer_lock). The same holds for a
    /// firing at the cycle's own call site, or any other, that was seen
    /// depending on none of the cycle's classes (TriggerSets): locks built
    /// from a mutex and a condvar release through one site for every lock
    /// and thread, most releases depending on the condvar's mutex alone
    /// (perl's threads::shared, Examples/join_after_helper_wakeup;
    /// join_after_other_wakeup, whose helper wakes only after a join of
    /// the cycle's class, is reported). Recall cost: such a signaller
    /// still counts as a way out of a history dependency.
    func orWaitRule(_ ws: [Witness], _ graph: DependencyGraph) -> Rejection? {
        var nodes: Set<EventNode> = []
        var classes: Set<UInt32> = []
        for w in ws { nodes.insert(w.from.node); classes.insert(w.from.cls) }
        for (i, cur) in ws.enumerated() {
            guard let e = cur.event, e.site != 0, cur.clocks.started != nil, e.op.isTrigger else { continue }
            let sites = triggerSites[e.cls] ?? []
            let other = sites.first { s in
                s != e.site && !graph.triggerDepends(from: EventNode(cls: e.cls), site: s, on: nodes)
            }
            if let s = other { return .otherTrigger(context: i, site: s) }
            if let s = graph.triggerSets.siteWithout(cls: e.cls, sites: sites.contains(e.site) ? sites : sites + [e.site],
                                                     classes: classes) {
                return .otherTrigger(context: i, site: s)
            }
        }
        return nil
    }

    /// R2.6 for the thread a waiter woke itself: a thread that fires an
    /// event of D while another sleeps on D, and then waits for C, has
    /// started the thread it woke on its way. If a thread whose last wait
    /// was on a D has been seen firing C depending on none of the cycle's
    /// classes, the woken one can end the wait for C whatever the cycle
    /// does. CPython's GIL drop request: a thread asks for the GIL by
    /// waiting on gil->cond (with a timeout, and a flag that makes the
    /// holder drop it); the holder, maybe holding a Python lock (a binary
    /// semaphore), signals gil->cond and waits on switch_cond until some
    /// thread has taken the GIL. Every taker signals switch_cond, one of
    /// them once while holding a Python lock, which closes that lock ->
    /// switch_cond -> that lock; but the holder woke the requester, and a
    /// requester's take signals switch_cond under the GIL's own mutexes
    /// only (Examples/cond_woke_signaller). This is the one exception to
    /// keeping a dependency on a lock the event fires under
    /// (cond_outer_lock, where nobody was woken, is reported), and it asks
    /// for more than the OR-wait rule: the way out must be a thread the
    /// waiter itself set going, seen doing that without the cycle. Near
    /// miss: the woken thread must take the held Python lock before it
    /// signals, so the holder and it wait for each other
    /// (Examples/cond_woke_needs_lock, reported). Recall cost: a woken
    /// thread that this time goes back to sleep, or needs one of the
    /// cycle's classes before it fires, when one woken from the same class
    /// once fired without them (a hang is still caught live). Only the
    /// firings the core is told of count: one with no context and nobody
    /// waiting for it is not (the shim tells nothing then).
    static func wokeRule(_ ws: [Witness], _ graph: DependencyGraph) -> Rejection? {
        var classes: Set<UInt32> = []
        for w in ws { classes.insert(w.from.cls) }
        for (i, cur) in ws.enumerated() {
            guard let e = cur.event, e.op.isTrigger else { continue }
            let prev = ws[(i + ws.count - 1) % ws.count]
            let woken = prev.wait.woke
            guard woken != 0, !prev.wait.op.isLockAcquisition, prev.wait.cls == e.cls else { continue }
            if graph.wakeChains.fired(e.cls, after: woken, without: classes) { return .woke(context: i, woken: woken) }
        }
        return nil
    }

    /// Collectors serialised by one lock: whichever thread collects holds
    /// its allocation lock A throughout, broadcasts condvar C to wake its
    /// marker threads, and waits on C for them to finish; the markers never
    /// take A. Boehm GC's parallel mark does this (ECL, Guile and other
    /// programs link it), as do stop-the-world coordinators under a global
    /// lock. One collector's wait under A and another's broadcast under A
    /// close a cycle (the broadcast needs A, held by the waiter), yet the
    /// broadcast is not what the wait needs: the waiter itself signals C
    /// holding A (the same objects), so the two threads play one part, and a wait on C made
    /// holding A can only ever be ended by a thread that does not need A
    /// (its own thread holds A throughout). R2.6: the wait has a way out
    /// that does not depend on the cycle. A signaller under the waiter's
    /// lock keeps the dependency when the waiter never signals there: its
    /// signal is then what the waiter waits for (Examples/cond_outer_lock;
    /// cond_pool_other_predicate, whose worker waits for work under X and
    /// signals done, while main only waits for done). Recall cost: a waiter
    /// that also signals C under A, and needs another thread's signal
    /// fired under A (the hang is caught live).
    static func waiterSignalsTooRule(_ ws: [Witness], _ graph: DependencyGraph) -> Rejection? {
        for (i, cur) in ws.enumerated() {
            guard let e = cur.event, e.op == .condSignal || e.op == .condBroadcast, cur.wait.op.isLockAcquisition,
                  !cur.wait.isTimed else { continue }
            let prev = ws[(i + ws.count - 1) % ws.count]
            guard prev.wait.op == .condWait, prev.wait.cls == e.cls, !prev.wait.isTimed,
                  prev.from.cls == cur.wait.cls, prev.thread != cur.thread else { continue }
            if graph.lockedSignals.contains(thread: prev.thread, cond: prev.wait.inst, lock: prev.from.inst) {
                return .waiterSignalsToo(context: i)
            }
        }
        return nil
    }

    /// The kernel DEPT's "valid since", per waiter (R2.3): a signal, post,
    /// write or arrival depends on a wait in its thread's history only for
    /// a waiter that had started waiting before that wait started. So the
    /// previous context of the cycle, which waits for this context's event,
    /// must have started waiting first. Condvar waiters loop on a predicate
    /// the signaller wrote: a signaller's wait that started before the
    /// waiter asked had that state already in hand or on its way. Counting
    /// primitives carry their own tokens the same way: a dispatcher that
    /// waits for its workers' "end" posts and then posts their next
    /// "start" (OpenJDK's WorkGang, any semaphore-driven pool) has each
    /// worker ask for "start" only after it posted "end", later than the
    /// dispatcher's wait began. Two threads ping-ponging between two
    /// condvars or semaphores, locks built from a mutex and a condvar
    /// (perl's threads::shared), or a pipeline ring of condvar queues (pixz)
    /// otherwise close a cycle whenever another waiter keeps an episode
    /// open. The kernel applies the rule to every wait/event pair, counting
    /// completions included. Recall cost, written down in the README: a
    /// ring of such dependencies that really can hang is not predicted
    /// when each signaller's wait began before its waiter asked; it is
    /// caught live. Lock releases are lockdep's (never judged here), a
    /// thread's exit is judged by happens-before.
    static func validSinceRule(_ ws: [Witness]) -> Rejection? {
        for (i, cur) in ws.enumerated() where cur.event != nil && !cur.from.isThreadBody {
            guard let mine = cur.clocks.started else { continue }
            let prev = ws[(i + ws.count - 1) % ws.count]
            if let theirs = prev.clocks.started, theirs >= mine { return .startedEarlier(context: i) }
        }
        return nil
    }

    /// A cycle that goes through an event (a signal, post, write, thread
    /// exit) is the DEPT model's over-approximation: an event usually has
    /// several possible triggers, so such a cycle counts only when its
    /// contexts ran in pairwise different threads, as the threads of a real
    /// deadlock are (llbuild signals a condvar under its API lock and later
    /// waits on it, in one thread). It must also close on the same objects:
    /// each context waits for the very object the next one is inside of. And
    /// a ring made only of events with no lock in it, around an object
    /// created with tokens (a semaphore or eventfd with a positive initial
    /// count), is a token-passing ping-pong: the tokens cannot all be in
    /// flight at once. Lock-order cycles are reported as lockdep would, even
    /// when one thread took the locks in both orders (another thread running
    /// the same code deadlocks).
    public static func eventRules(_ ws: [Witness]) -> Rejection? {
        let throughEvent = ws.contains { w in w.event != nil || w.from.isThreadBody || !w.wait.op.isLockAcquisition }
        guard throughEvent else { return nil }
        var threads: Set<UInt32> = []
        for w in ws { threads.insert(w.thread) }
        if threads.count != ws.count { return .eventSameThread }
        if firstOpenLink(ws) != nil { return .eventOtherInstances }
        let onlyEvents = ws.allSatisfy { w in
            w.event != nil && !w.wait.op.isLockAcquisition && !(w.start?.op.isLockAcquisition ?? false)
        }
        if onlyEvents && ws.contains(where: { $0.event?.tokens ?? false }) { return .tokenRing }
        return nil
    }

    /// R1.3: where the path enters a class through one object and leaves it
    /// through another, and that class is a wrapper's coarse class (its key
    /// prefix became a funnel after the objects were created), the two must
    /// be one object, or have the same refined class. Unrelated locks made
    /// by one helper (V8's Mutex, libuv's uv_mutex_init) otherwise meet.
    func wrapperRule(_ ws: [Witness]) -> Rejection? {
        for (i, w) in ws.enumerated() {
            let next = ws[(i + 1) % ws.count]
            let entering = w.wait.inst, leaving = next.from.inst
            guard entering != leaving, let info = classes[next.from.cls], !info.callString.isEmpty,
                  funnels.isFunnel(info.callString) else { continue }
            if let a = funnels.refinedKey(of: entering), let b = funnels.refinedKey(of: leaving), a == b { continue }
            return .wrapperInstances(cls: next.from.cls)
        }
        return nil
    }

    /// R1.3, the whole cycle: a coarse class and the classes its objects
    /// refine to are one kind of lock split by when each object was made
    /// (before or after a prefix of its init call string turned out to be
    /// a funnel): the first nodes of a tree whose every lock one helper
    /// makes are classed by the helper's caller, the later ones, once the
    /// helper has another caller, by one frame further (GStreamer's element
    /// state locks, made on one line through GLib's helpers, were). A
    /// parent's lock then its child's, for a parent made early and a child
    /// made late, and again for a parent made late and a child made early,
    /// closes coarse -> fine -> coarse, a two-class cycle of one class
    /// nested top down. When every node of a cycle names the same refined class, the
    /// cycle is nesting inside one class, and is a deadlock only as
    /// SameClassNesting's loops are: each context waits for the very object
    /// the next one is inside of (Examples/wrapper_split_tree; its near
    /// miss, one parent and child taken in both orders, is reported). A
    /// cycle that also goes through another class stays class-level, as
    /// lockdep reports it. Recall cost: a loop of instances through split
    /// classes that also nests two objects of one of them (x -> y in one
    /// class, y -> z in the same, z -> x) is not predicted; it is caught
    /// live.
    func refinedClassRule(_ ws: [Witness]) -> Rejection? {
        var key: [UInt]? = nil
        var named: Set<UInt32> = []
        for w in ws {
            // An object whose init call string was kept is named as a new
            // one would be; the others by their class, unless it is coarse.
            guard let info = classes[w.from.cls], !info.callString.isEmpty,
                  let k = funnels.refinedKey(of: w.from.inst)
                      ?? (funnels.isFunnel(info.callString) ? nil : info.callString),
                  key == nil || key == k else { return nil }
            key = k
            named.insert(w.from.cls)
        }
        guard named.count > 1, let i = Self.firstOpenLink(ws) else { return nil }
        return .oneRefinedClass(cls: ws[(i + 1) % ws.count].from.cls)
    }

    /// Lockdep's nesting subclasses (the kernel's I_MUTEX_PARENT and
    /// I_MUTEX_CHILD), learnt from the run instead of annotated. A cycle of
    /// lock acquisitions that enters a class through one object and leaves
    /// it through another (T3 holds C and waits for b; T2 holds a and waits
    /// for C) predicts a deadlock only if one object can play both parts.
    /// Where the program nests that class's objects, and a was seen held
    /// while b was waited for (directly, or through a chain of such pairs)
    /// and never the other way, its objects form a hierarchy and the cycle
    /// follows it downwards: a, then C, then b. GStreamer's collect pads
    /// (`interleave`, `webmmux`): a streaming thread holds its input pad's
    /// stream lock and takes the collect lock; whichever thread holds the
    /// collect lock pushes into the output pad and takes that pad's stream
    /// lock; every pad's stream lock is one class, and the streaming
    /// threads nest them in data-flow order (Examples/class_order_pipeline).
    /// Still reported: objects of a class never nested (two accounts,
    /// lockdep's class rule); objects nested the other way too (b held
    /// while a was waited for: with the cycle, an instance loop); a cycle
    /// that closes on one object (`class_order_downstream_holder`); a
    /// cycle through events (eventRules wants one object at every link
    /// anyway). One link so ordered breaks the cycle, as one link whose
    /// objects differ does for TSan and Helgrind. Recall cost: an object
    /// that can take both parts but was only seen in the order's part is
    /// not predicted against the others (a transfer that locks a1, then a
    /// journal lock, then a2, until some run takes a2 before a1; it is
    /// caught live if it hangs).
    ///
    /// The order is often learnt after the cycle closed (GStreamer's first
    /// caps event meets the collect lock before the thread that later
    /// pushes through both pads has), so such a cycle is judged when the
    /// process ends (`awaitsInstanceOrder`), when all the nesting it did is
    /// known.
    static func instanceOrderRule(_ ws: [Witness], _ graph: DependencyGraph) -> Rejection? {
        for (node, a, b) in changingLinks(ws)
        where graph.sameClass.nests(node, a, before: b) == true && graph.sameClass.nests(node, b, before: a) == false {
            return .instanceOrder(cls: node.cls)
        }
        return nil
    }

    /// Whether instanceOrderRule may yet turn the cycle down: a cycle of
    /// lock acquisitions that changes objects in a class the program nests.
    /// It is then reported when the process ends, unless the order found
    /// by then explains it.
    static func awaitsInstanceOrder(_ ws: [Witness], _ graph: DependencyGraph) -> Bool {
        changingLinks(ws).contains { graph.sameClass.nests($0.node) }
    }

    /// For a cycle of lock acquisitions only, the links where it changes
    /// objects: the class, the object the next context holds (a) and the
    /// one this context waits for (b). None for a cycle through an event.
    private static func changingLinks(_ ws: [Witness]) -> [(node: EventNode, a: UInt32, b: UInt32)] {
        guard ws.allSatisfy({ isLockRelease($0) && $0.wait.op.isLockAcquisition }) else { return [] }
        var links: [(node: EventNode, a: UInt32, b: UInt32)] = []
        for (i, w) in ws.enumerated() {
            let next = ws[(i + 1) % ws.count]
            if next.from.inst != w.wait.inst {
                links.append((EventNode(cls: next.from.cls), next.from.inst, w.wait.inst))
            }
        }
        return links
    }

    /// The first context that waits for another object than the one the
    /// next context is inside of; nil when the cycle closes on the same
    /// objects all the way round.
    static func firstOpenLink(_ ws: [Witness]) -> Int? {
        ws.indices.first { i in ws[i].wait.inst != ws[(i + 1) % ws.count].from.inst }
    }

    /// Objects in static storage are each a class of their own (DESIGN §4),
    /// so a cycle cannot close through two of them. Those initialised at run
    /// time at one site (an array of bucket locks set up in a loop) share
    /// their init site's class, as lockdep's lock_init does, so that
    /// thousands of them nesting in order stay one class whose instances
    /// SameClassNesting judges, instead of a class graph of millions of
    /// pairs. Entering such a class through one object and leaving it
    /// through another keeps meaning what it meant: two different locks,
    /// no cycle (bucket[1] then table_lock in one thread, table_lock then
    /// bucket[2] in another cannot deadlock). Objects are compared by
    /// address, as when each was a class of its own: one global destroyed
    /// and initialised again is still that lock.
    func staticObjectRule(_ ws: [Witness]) -> Rejection? {
        for (i, w) in ws.enumerated() {
            let next = ws[(i + 1) % ws.count]
            guard let info = classes[next.from.cls], info.object != 0 else { continue }
            if !DependencyGraph.sameObject(w.wait.addr, w.wait.inst, next.from.addr, next.from.inst) {
                return .staticInstances(cls: next.from.cls)
            }
        }
        return nil
    }

    /// R2.4 (HappensBefore) for a thread's exit: the join must be able to
    /// overlap the thread's waits. A thread's exit depends on every wait in
    /// its body, so the one that counts is its latest; if that returned
    /// before the join was asked for (the joiner learned so through hard
    /// edges), the thread was past all of them. Failing that, the wait the
    /// cycle goes through is judged on its own: the thread's latest wait on
    /// that object, if it returned before the join was asked for, or was
    /// ended by events that happened before (the joiner itself woke it on
    /// its way to the join), could not keep the thread from exiting; the
    /// thread's later waits are other dependencies, judged where they close
    /// cycles. perl's threads::shared: the main thread releases a user lock
    /// (its condvar's signal wakes a thread waiting to take it), joins that
    /// thread, then frees its interpreter, which releases the same lock
    /// again while others wait on it: a signal after the join, yet the
    /// joined thread's wait was over before the join began
    /// (Examples/join_after_own_wakeup; join_after_other_wakeup still
    /// reports: a helper woke the thread, and nothing told the joiner so
    /// before the join). A join in an event's history carries the joiner's
    /// clock then (kept for the first 4096 joins; after that only its own
    /// time). Only for threads that exited (the join returned); a live one
    /// is judged by its latest wait alone. A lock wait is in no history:
    /// the thread's latest wait on that lock is known from its clock's
    /// buckets (LockWaitEpochs), final once it exited; a live thread whose
    /// latest one so far returned before the join was asked for may wait
    /// there again, so the Detector holds such a cycle back until it exits
    /// (awaitedExit). rsyslog's tcpsrv: the main thread joins a worker
    /// holding the global lock the worker took once, lazily, before it
    /// reported idle, which the main thread learned through the input
    /// thread it joined first (Examples/join_under_lock_taken_before;
    /// join_under_mutex still reports: nothing but the mutex orders them).
    /// Events of other kinds keep
    /// the class-level dependencies of their held locks (R2.5: lockdep's
    /// rule, the seed examples), and their history waits are judged by
    /// validSinceRule and historyHappensBeforeRule. Lock releases are never
    /// judged by happens-before: a lock-order cycle across rounds is what
    /// lockdep and DEPT predict.
    func happensBeforeRule(_ ws: [Witness]) -> Rejection? {
        for (i, cur) in ws.enumerated() where cur.from.isThreadBody {
            guard let request = requestInto(ws, i) else { continue }
            var v = HappensBefore.verdict(request: request, returned: lastWait(cur.thread), satisfiedBy: [], eras: eras)
            if v == .valid, let w = endedWait(cur.thread, cur.wait.inst) {
                v = HappensBefore.verdict(request: request, returned: w.returned, satisfiedBy: w.satisfiedBy, eras: eras)
            }
            if v == .valid, cur.wait.op.isLockAcquisition, let l = lockWait(cur.thread, cur.wait.inst), l.final {
                v = HappensBefore.verdict(request: request, returned: l.epoch, satisfiedBy: [], eras: eras)
            }
            if v != .valid { return .happensBefore(context: i, verdict: v) }
        }
        return nil
    }

    /// R2.4 for a wait in the history of a signal, post or write (EventRules
    /// rule 2): the event depends on it for the waiter before it only if
    /// its thread could still be stuck there while that waiter waits: not
    /// if it returned, or every event that may have ended it happened,
    /// before the waiter asked (hard edges only, so in every run that
    /// synchronises as this one did). A wait that did not block took a
    /// token posted before it started: the posts that left the tokens it
    /// found are what ended it (CShim/clocks.c). Helgrind's tc17_sembar,
    /// a barrier built from semaphores: the last thread to arrive posts
    /// sem1 once per waiter under mutex1 and then waits for sem2 holding
    /// mutex1; a thread preempted before its sem1 wait finds the token
    /// there, and as the last to leave posts sem2. Its post depended on a
    /// wait that the thread now waiting for sem2 had already ended by
    /// program order before it asked, yet the wait began after it asked,
    /// so validSinceRule let the ring through mutex1 (taken by the next
    /// round's last arrival before its posts of sem1) close, about once in
    /// 60 runs (Examples/sem_barrier_token_found makes it certain). Waits
    /// ended by a post no hard edge orders before the request (a lock's
    /// unlock to lock is none) keep the dependency: the ring through a lock
    /// whose holder posts is still found when the run that went fine had
    /// the poster first (Examples/sem_ring_poster_first). Recall cost: none
    /// beyond R2.4's own; the rule only reads which posts ended the wait.
    /// Left: the same barrier's ring across rounds (a thread that waited
    /// for leave one round, paired with a wait for arrive of the next),
    /// which this run's clocks do not order (about 1 run in 180).
    func historyHappensBeforeRule(_ ws: [Witness]) -> Rejection? {
        for (i, cur) in ws.enumerated() where cur.event != nil && !cur.from.isThreadBody && cur.clocks.started != nil {
            guard let request = requestInto(ws, i) else { continue }
            let v = HappensBefore.verdict(request: request, returned: cur.clocks.returned,
                                          satisfiedBy: cur.clocks.satisfiedBy, eras: eras)
            if v != .valid { return .happensBefore(context: i, verdict: v) }
        }
        return nil
    }

    /// A thread of the closed path `ws` whose exit decides it: it still
    /// runs, and either every wait it made so far on the lock the path
    /// makes it wait for returned before the join was asked for, or the
    /// path makes it wait on an object of another kind, whose waits are
    /// judged one by one only once it exited (happensBeforeRule: what ended
    /// its latest wait there). A join usually starts while the thread is
    /// still on its way out: FFmpeg's frame threads are joined by
    /// avcodec_close right after it signals their condvar with the "die"
    /// flag set, and VLC does that under its stream output's lock, which
    /// the decoder thread takes before it signals the same condvar; the
    /// frame thread's wait was over before the join began, but judged
    /// while it still ran, by its latest wait of any kind, the join was
    /// reported. Nil when no thread's future can turn the path down.
    public func awaitedExit(_ ws: [Witness]) -> UInt32? {
        for (i, cur) in ws.enumerated() where cur.from.isThreadBody {
            guard let request = requestInto(ws, i) else { continue }
            if cur.wait.op.isLockAcquisition {
                guard let l = lockWait(cur.thread, cur.wait.inst), !l.final, request.covers(l.epoch, eras: eras) else { continue }
                return cur.thread
            }
            if running(cur.thread) { return cur.thread }
        }
        return nil
    }

    /// What the thread waiting for context i's event (a join of its
    /// thread) knew when it asked: the previous observation's request.
    private func requestInto(_ ws: [Witness], _ i: Int) -> VectorClock? {
        ws[(i + ws.count - 1) % ws.count].clocks.requestClock(in: clocks)
    }
}
