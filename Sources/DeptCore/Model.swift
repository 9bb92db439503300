// The vocabulary of the DEPT model, as plain values. The shim speaks in
// these terms through the C ABI; the core never sees a pthread call.

/// What a synchronisation object is. Raw values match `enum dept_obj_kind`.
public enum ObjectKind: UInt32, Sendable {
    case mutex = 1, rwlock, condition, semaphore, eventfd, thread
    case spinlock, barrier, once, c11Mutex, c11Condition, c11Thread, c11Once, futex, futexPI, annotated
}

/// How a class got its identity (DESIGN §4). Raw values match `enum dept_key_kind`.
public enum KeyKind: UInt32, Sendable {
    case staticObject = 1   // the object itself, named by its symbol
    case initSite           // the call site of its init function
    case firstUse           // zero-initialised: the site of its first use
}

/// The operation at a [S], [W] or [E] point. Raw values match `enum dept_op`.
public enum Operation: UInt16, Sendable {
    case lock = 1, trylock, rdlock, tryrdlock, wrlock, trywrlock, unlock, timedlock
    case condWait, condSignal, condBroadcast, semWait, semPost, eventfdRead, eventfdWrite
    case join, threadStart, threadExit, semTrywait
    case barrierWait, once, onceInit, onceDone, futexWait, futexWake
    case annotatedWait, annotatedEvent, annotatedEnter, annotatedExit
    case unknown = 0xffff

    public init(code: UInt16) { self = Operation(rawValue: code) ?? .unknown }

    /// A signal, post or write: an event any of whose firings can wake a
    /// waiter (OR-waits).
    public var isTrigger: Bool {
        switch self {
        case .condSignal, .condBroadcast, .semPost, .eventfdWrite: return true
        default: return false
        }
    }

    /// A lock acquisition (mutex, rwlock) as opposed to a wait for an event.
    public var isLockAcquisition: Bool {
        switch self {
        case .lock, .trylock, .rdlock, .tryrdlock, .wrlock, .trywrlock, .timedlock: return true
        default: return false
        }
    }
}

/// An event type: one of the (at most two) events of a class. A lock has a
/// release by its exclusive holder and a release by a shared holder; every
/// other object has one event, `.exclusive`.
public struct EventNode: Hashable, Sendable, Comparable, WordHashable {
    public var cls: UInt32
    public var shared: Bool
    public init(cls: UInt32, shared: Bool = false) { self.cls = cls; self.shared = shared }
    var hashWord: UInt64 { UInt64(cls) << 1 | (shared ? 1 : 0) }
    public static func < (a: EventNode, b: EventNode) -> Bool {
        (a.cls, a.shared ? 1 : 0) < (b.cls, b.shared ? 1 : 0)
    }
}

/// Bits of `dept_event_mode`.
public struct EventModes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let exclusive = EventModes(rawValue: 1)
    public static let shared = EventModes(rawValue: 2)
}

/// An event context a thread is inside of (a held lock, a thread body): [S]
/// happened, [E] is still to come.
public struct HeldContext: Hashable, Sendable {
    public var cls: UInt32
    public var inst: UInt32
    public var stack: UInt32
    public var shared: Bool
    public var op: Operation
    public var flags: UInt32
    /// The object's address (0 when unknown). Identity is `inst`; the
    /// address only orders instances of one class (SameClassNesting).
    public var addr: UInt = 0

    public static let tryFlag: UInt32 = 1
    public static let timedFlag: UInt32 = 2
    public static let threadFlag: UInt32 = 4
    public static let semFlag: UInt32 = 8
    /// Only on the contexts an event is handed: its thread fired an event
    /// of the same object on its way into this one (EventRules, rule 1).
    public static let announcedFlag: UInt32 = 64
    /// Only on the contexts an event is handed: the event releases a
    /// futex-word lock its thread took after entering this context, or
    /// took unseen (EventRules, rule 1).
    public static let beforeTakeFlag: UInt32 = 128
    /// Only on the contexts an event is handed: the event is a futex wake
    /// whose word is not known to be a lock yet, and its thread's take of
    /// the word (if it is one) was unseen (EventRules, rule 1).
    public static let unsureTakeFlag: UInt32 = 256
    /// Only on the contexts an event is handed: the event is a condvar
    /// signal, and its thread checked the condvar's predicate at the site
    /// `PointRef.check` after it entered this context (EventRules, rule 1;
    /// CycleJudge.conditionLockRule).
    public static let beforeCheckFlag: UInt32 = 1024

    public init(cls: UInt32, inst: UInt32, stack: UInt32 = 0, shared: Bool = false,
                op: Operation = .lock, flags: UInt32 = 0, addr: UInt = 0) {
        self.cls = cls; self.inst = inst; self.stack = stack; self.shared = shared
        self.op = op; self.flags = flags; self.addr = addr
    }
    public var node: EventNode { EventNode(cls: cls, shared: shared) }
    public var isThreadBody: Bool { flags & Self.threadFlag != 0 }
}

/// A wait that is starting: [W].
public struct WaitPoint: Hashable, Sendable {
    public var cls: UInt32
    public var inst: UInt32
    public var stack: UInt32
    public var awaits: EventModes
    public var op: Operation
    public var flags: UInt32
    /// The awaited object's address (0 when unknown); see HeldContext.addr.
    public var addr: UInt = 0

    public static let timedFlag: UInt32 = 1
    public static let recursiveFlag: UInt32 = 2
    public static let errorcheckFlag: UInt32 = 4
    /// On a dependency of an event: the thread fired an event of the same
    /// object on its way into this wait's context (EventRules, rule 1).
    public static let announcedFlag: UInt32 = 8
    /// On a dependency of an event: the event is a futex wake that may be
    /// the release of a lock its thread took inside this wait's context
    /// (EventRules, rule 1; CycleJudge.futexLockRule).
    public static let unsureReleaseFlag: UInt32 = 16
    /// On a dependency of a condvar signal: its thread checked the
    /// condvar's predicate at the site `check` after this wait's context
    /// began (CycleJudge.conditionLockRule).
    public static let afterCheckFlag: UInt32 = 32
    /// A condvar wait: the site of the predicate check it waits in (the
    /// mutex's class and where it was taken, hashed; CShim/cond_checks.c).
    /// With `afterCheckFlag`: the site of the signaller's check. Else 0.
    public var check: UInt32 = 0
    /// A wait for a signal, post or write: the class of an object whose
    /// waiters its thread woke (it fired an event of that object while a
    /// thread slept on it) since its previous such wait; else 0
    /// (CycleJudge.wokeRule).
    public var woke: UInt32 = 0

    public init(cls: UInt32, inst: UInt32, stack: UInt32 = 0, awaits: EventModes = [.exclusive, .shared],
                op: Operation = .lock, flags: UInt32 = 0, addr: UInt = 0, check: UInt32 = 0, woke: UInt32 = 0) {
        self.cls = cls; self.inst = inst; self.stack = stack; self.awaits = awaits
        self.op = op; self.flags = flags; self.addr = addr; self.check = check; self.woke = woke
    }
    public var isTimed: Bool { flags & Self.timedFlag != 0 }
    public var isAnnounced: Bool { flags & Self.announcedFlag != 0 }
    public var isUnsureRelease: Bool { flags & Self.unsureReleaseFlag != 0 }
    public var isAfterCheck: Bool { flags & Self.afterCheckFlag != 0 }
    /// The event nodes that can end this wait.
    public var nodes: WaitNodes { WaitNodes(cls: cls, awaits: awaits) }
}

/// The one or two event nodes a wait can be ended by, kept inline: the core
/// asks for them on every new dependency, and an array of them cost an
/// allocation and two appends each time.
public struct WaitNodes: RandomAccessCollection, Sendable {
    private let cls: UInt32
    /// Whether the first node is the exclusive one, and how many there are.
    private let exclusiveFirst: Bool
    public let endIndex: Int
    public var startIndex: Int { 0 }

    init(cls: UInt32, awaits: EventModes) {
        self.cls = cls
        exclusiveFirst = awaits.contains(.exclusive)
        endIndex = (exclusiveFirst ? 1 : 0) + (awaits.contains(.shared) ? 1 : 0)
    }

    public subscript(i: Int) -> EventNode {
        precondition(i >= 0 && i < endIndex, "WaitNodes index out of range")
        return EventNode(cls: cls, shared: !(i == 0 && exclusiveFirst))
    }
}

/// What the core knows of a class.
public struct ClassInfo: Sendable {
    public var id: UInt32
    public var kind: ObjectKind
    public var keyKind: KeyKind
    /// Address of the static object, or the init / first-use site (a PC).
    public var key: UInt
    /// Where the class was first seen.
    public var stack: UInt32
    /// For a class named by an init call string (Funnels): the frames that
    /// name it (key is the last one). Empty for other classes.
    public var callString: [UInt] = []
    /// For a class of explicitly initialised objects in static storage: the
    /// first one's address. Its symbol names the class (`accounts_lock`,
    /// `forks+16`) better than its init site does. 0 otherwise.
    public var object: UInt = 0
    public init(id: UInt32, kind: ObjectKind, keyKind: KeyKind, key: UInt, stack: UInt32, callString: [UInt] = [],
                object: UInt = 0) {
        self.id = id; self.kind = kind; self.keyKind = keyKind; self.key = key; self.stack = stack
        self.callString = callString; self.object = object
    }

    /// The addresses that name the class: data symbols and code locations.
    public var nameAddresses: (code: [UInt], data: [UInt]) {
        if keyKind == .staticObject { return ([], [key]) }
        return ([key], object != 0 ? [object] : [])
    }
}

/// What the core knows of a thread.
public struct ThreadInfo: Sendable {
    public var tid: UInt32
    public var osTid: Int32
    public var parent: UInt32
    public var createStack: UInt32
    public var name: String?
    public var live: Bool
    /// Its clock slot (HappensBefore), and after it exited, its last wait.
    public var slot: UInt32 = 0
    public var lastWait: Epoch? = nil
    /// After it exited: its latest wait on each object it waited on lately
    /// (not lock acquisitions), with when it returned and what ended it.
    public var endedWaits: [HistoryWait] = []
    /// After it exited: when it last waited on each lock (LockWaitEpochs).
    public var lockWaits: LockWaitEpochs? = nil
    public init(tid: UInt32, osTid: Int32 = 0, parent: UInt32 = 0, createStack: UInt32 = 0, name: String? = nil,
                slot: UInt32 = 0) {
        self.tid = tid; self.osTid = osTid; self.parent = parent; self.createStack = createStack
        self.name = name; self.live = true; self.slot = slot
    }
}
