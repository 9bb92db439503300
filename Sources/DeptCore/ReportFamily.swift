/// One bug in the code, found through several classes: cycles whose threads
/// wait at the same places are one report, and each further one a line.
///
/// A class is a guess at "the same kind of object" (DESIGN §4): an init
/// site, a static address, or, for an object never initialised at run time
/// (a zero-filled `std::mutex` member), its first use and that site's
/// caller. Objects of one kind first used at different places are then
/// classes of their own, and one inversion in the code becomes a report per
/// class. LibreOffice's service manager (survey 12, F5) disposes every
/// implementation under its own mutex, taking each implementation's
/// `std::mutex`, while constructing a singleton under its implementation's
/// mutex calls back into the manager: one inversion, printed as 3 or 4
/// reports in every process because each implementation was first locked
/// on another path. lockdep would print one (the class is the member);
/// Valgrind folds errors of identical stacks and counts them.
///
/// The family is what every context waits at: the operation, the frame a
/// report points at (RuntimeFrames.best, past the runtime and the program's
/// own lock wrappers) and its caller, as module and offset so it is the same
/// in every process. Not the [S] sites: there the classes part (each first
/// use is another place). Two frames, not one: a helper that nests the two
/// locks it is given (`lock_pair(a, b)`) waits at one line for every pair,
/// and its callers tell its inversions apart.
///
/// Only potential reports are grouped. A live deadlock or hang is always
/// printed: it is happening.
public enum ReportFamily {
    /// The family of a cycle, or nil when a context has no frame to place
    /// its wait (then the cycle is its own family: its key).
    public static func key(_ contexts: [Context]) -> String? {
        var parts: [String] = []
        for c in contexts {
            guard let at = place(c.wait.stack) else { return nil }
            parts.append("\(c.wait.operation)@\(at)")
        }
        guard !parts.isEmpty else { return nil }
        return ReportBuilder.cycleHash(parts, prefix: "family|")
    }

    /// The frame a report points at and its caller, as `module+offset`.
    static func place(_ stack: [Frame]) -> String? {
        guard let best = RuntimeFrames.best(stack), let i = stack.firstIndex(of: best) else { return nil }
        let caller = stack[(i + 1)...].first { !$0.isRuntime }
        return site(best) + "<" + (caller.map(site) ?? "")
    }

    static func site(_ f: Frame) -> String { "\(RuntimeFrames.fileName(f.module))+\(f.offset)" }
}

/// Which family each printed report opened, for one process or for every
/// process `dept run` watched.
public struct ReportFamilies: Sendable {
    /// Family -> the key of the report printed for it.
    private var printed: [String: String] = [:]
    public init() {}

    /// The key of the report already printed for `report`'s family, if it is
    /// a potential report of another cycle in a family seen before; nil when
    /// it is to be printed, and then its family is recorded.
    public mutating func printedBefore(_ report: Report) -> String? {
        guard report.kind == .potential, let family = report.family else { return nil }
        if let first = printed[family] { return first == report.key ? nil : first }
        printed[family] = report.key
        return nil
    }
}
