/// DEPT_OPTIONS, sanitizer style: `key=value:key=value` (or `,` between
/// entries). Unknown keys and malformed values produce a warning each and
/// keep the default, so a typo never silently changes what is checked; an
/// unknown key names the nearest known one.
public struct Options: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable { case text, json, sarif }
    public enum OnHang: String, Sendable, CaseIterable { case report, exit, abort }

    public var logPath: String? = nil
    public var format: Format = .text
    public var exitcode: Int32 = 66
    public var hangMs: Int32 = 1000
    public var stallMs: Int32 = 10000
    public var onHang: OnHang = .exit
    public var suppressions: String? = nil
    public var printSuppressions = false
    /// At exit, the `DEPT: stats:` lines (Statistics).
    public var stats = false
    public var stackDepth: Int32 = 32
    public var verbosity: Int32 = 1
    /// With verbosity 2, a line per cycle a precision rule held back.
    /// `dept run` wants verbosity 2 for the start-up and exit lines only:
    /// the explanations cost a symbolizer start each and filled its
    /// summary (two dozen for one gst-launch run).
    public var heldBack = true
    public var detectPotential = true
    public var detectHangs = true
    public var symbolize = true
    public var symbolizerPath: String? = nil
    public enum Unwinder: String, Sendable, CaseIterable { case dwarf, gcc, libunwind }
    public var unwinder: Unwinder = .dwarf
    public var help = false
    /// A potential report sets the exit status to `exitcode` at exit.
    public var failOnPotential = true
    public var stripPathPrefix: String = ""
    public enum Color: String, Sendable, CaseIterable { case auto, always, never }
    public var color: Color = .auto

    public init() {}

    /// Every key with its default and meaning, for `help=1` and the README.
    public static let documentation: [(key: String, value: String, meaning: String)] = [
        ("log_path", "(stderr)", "write reports to <log_path>.<pid> instead of stderr"),
        ("format", "text", "report format: text, json or sarif"),
        ("exitcode", "66", "exit status of a process that reported a deadlock and would exit with 0 (its own non-zero status is kept); 0 keeps the program's own"),
        ("hang_ms", "1000", "a wait blocked this long (ms) triggers the live hang analysis"),
        ("stall_ms", "10000", "blocked this long without a verdict: one 'DEPT: warning: stall:' dump"),
        ("on_hang", "exit", "after a deadlock/hang report: report (keep running), exit (with exitcode) or abort"),
        ("suppressions", "(none)", "file of 'deadlock:<pattern>' lines; matching reports are not printed"),
        ("print_suppressions", "0", "at exit, list how often each suppression matched"),
        ("stats", "0", "at exit, four 'DEPT: stats:' lines: what dept learnt, what took its slow path, what it reported, and what it gave up on (a search out of budget, an observation over a cap)"),
        ("stack_depth", "32", "frames kept per captured stack"),
        ("verbosity", "1", "0 prints reports only; 2 also prints start-up and exit lines and the cycles held back"),
        ("held_back", "1", "with verbosity=2: one 'not reported' line per cycle a precision rule held back (dept run sets 0)"),
        ("detect_potential", "1", "report circular dependencies in runs that did not hang"),
        ("detect_hangs", "1", "watch blocked threads and report real deadlocks and hangs"),
        ("symbolize", "1", "symbolize stacks in reports (0: raw addresses and modules only)"),
        ("symbolizer_path", "(auto)", "llvm-symbolizer or addr2line to use"),
        ("unwinder", "dwarf", "stack unwinder: dwarf (dept's cached reader of the unwind tables, gcc's for what it does not follow), gcc (libgcc's every time) or libunwind"),
        ("fail_on_potential", "1", "a potential report sets the exit status to exitcode at exit (dept run sets 0)"),
        ("strip_path_prefix", "(none)", "drop this prefix from source paths in text reports"),
        ("color", "auto", "colour text reports: auto (on a terminal), always or never"),
        ("help", "0", "print this list at start-up"),
    ]

    /// Parses `text`; returns the options and one message per problem.
    public static func parse(_ text: String) -> (Options, [String]) {
        var o = Options()
        var problems: [String] = []
        for item in text.split(whereSeparator: { $0 == ":" || $0 == "," || $0 == " " || $0 == "\n" }) {
            guard let eq = item.firstIndex(of: "=") else {
                problems.append("DEPT_OPTIONS: '\(item)' is not key=value; ignored")
                continue
            }
            let key = String(item[..<eq]), value = String(item[item.index(after: eq)...])
            func bad(_ expected: String) {
                problems.append("DEPT_OPTIONS: invalid value '\(value)' for \(key) (expected \(expected)); using the default")
            }
            func int(_ range: ClosedRange<Int32>, _ set: (Int32) -> Void) {
                if let v = Int32(value), range.contains(v) { set(v) } else { bad("an integer in \(range.lowerBound)...\(range.upperBound)") }
            }
            func bool(_ set: (Bool) -> Void) {
                switch value { case "1", "true", "yes": set(true); case "0", "false", "no": set(false); default: bad("0 or 1") }
            }
            switch key {
            case "log_path": if value.isEmpty { bad("a path prefix") } else { o.logPath = value }
            case "format": if let f = Format(rawValue: value) { o.format = f } else { bad("text, json or sarif") }
            case "exitcode": int(0...255) { o.exitcode = $0 }
            case "hang_ms": int(1...Int32.max) { o.hangMs = $0 }
            case "stall_ms": int(1...Int32.max) { o.stallMs = $0 }
            case "on_hang": if let h = OnHang(rawValue: value) { o.onHang = h } else { bad("report, exit or abort") }
            case "suppressions": if value.isEmpty { bad("a file") } else { o.suppressions = value }
            case "print_suppressions": bool { o.printSuppressions = $0 }
            case "stats": bool { o.stats = $0 }
            case "stack_depth": int(1...200) { o.stackDepth = $0 }
            case "verbosity": int(0...3) { o.verbosity = $0 }
            case "held_back": bool { o.heldBack = $0 }
            case "detect_potential": bool { o.detectPotential = $0 }
            case "detect_hangs": bool { o.detectHangs = $0 }
            case "symbolize": bool { o.symbolize = $0 }
            case "symbolizer_path": if value.isEmpty { bad("a path") } else { o.symbolizerPath = value }
            case "help": bool { o.help = $0 }
            case "unwinder": if let u = Unwinder(rawValue: value) { o.unwinder = u } else { bad("dwarf, gcc or libunwind") }
            case "fail_on_potential": bool { o.failOnPotential = $0 }
            case "strip_path_prefix": o.stripPathPrefix = value
            case "color", "colour": if let c = Color(rawValue: value) { o.color = c } else { bad("auto, always or never") }
            default:
                if let near = nearestKey(key) {
                    problems.append("DEPT_OPTIONS: unknown option '\(key)' (did you mean '\(near)'?); ignored")
                } else {
                    problems.append("DEPT_OPTIONS: unknown option '\(key)'; ignored (help=1 lists the options)")
                }
            }
        }
        return (o, problems)
    }

    /// The known key closest to `key` (edit distance at most a third of
    /// its length, and at least 1 off), for "did you mean".
    public static func nearestKey(_ key: String) -> String? {
        let k = Array(key.lowercased().utf8)
        var best: (String, Int)? = nil
        for d in documentation {
            let n = editDistance(k, Array(d.key.utf8))
            if best == nil || n < best!.1 { best = (d.key, n) }
        }
        guard let (name, distance) = best, distance <= max(2, k.count / 3) else { return nil }
        return name
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }

    public static func helpText() -> String {
        var s = "dept options (DEPT_OPTIONS=key=value:key=value, or key=value,key=value):\n"
        for d in documentation {
            s += "  " + d.key.padded(to: 20) + d.value.padded(to: 10) + d.meaning + "\n"
        }
        return s
    }
}

extension String {
    func padded(to n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}
