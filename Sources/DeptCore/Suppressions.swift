/// A suppressions file: `deadlock:<pattern>` lines (`#` starts a comment),
/// with `*` matching any run of characters. A report is suppressed when a
/// pattern matches any function, file, module or class name in it.
public struct Suppressions: Sendable {
    public struct Rule: Sendable, Equatable {
        public var pattern: String
        public var line: Int
        public var hits = 0
    }
    public private(set) var rules: [Rule] = []
    /// Lines of other sanitizers' kinds (`race:`, `mutex:`, `leak:`...),
    /// skipped: a suppressions file is often shared with TSan.
    public private(set) var skipped: [(line: Int, kind: String)] = []

    public init() {}

    /// Kinds of the sanitizers' suppression files that are not dept's.
    static let otherKinds: Set<String> = [
        "race", "race_top", "thread", "mutex", "signal", "called_from_lib",   // ThreadSanitizer
        "leak",                                                              // LeakSanitizer
        "interceptor_name", "interceptor_via_fun", "interceptor_via_lib", "odr_violation",   // AddressSanitizer
    ]

    /// Parses the file's text; returns the rules and one message per bad line.
    public static func parse(_ text: String) -> (Suppressions, [String]) {
        var s = Suppressions()
        var problems: [String] = []
        // "\r\n" is one Character in Swift: split on both forms.
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            var line = raw
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let t = line.trimmingSpaces()
            if t.isEmpty { continue }
            guard t.hasPrefix("deadlock:") else {
                if let colon = t.firstIndex(of: ":"), otherKinds.contains(String(t[..<colon])) {
                    s.skipped.append((n + 1, String(t[..<colon])))
                    continue
                }
                problems.append("line \(n + 1): not a suppression (the form is KIND:PATTERN), got '\(t)'")
                continue
            }
            let pattern = String(t.dropFirst("deadlock:".count)).trimmingSpaces()
            if pattern.isEmpty { problems.append("line \(n + 1): empty pattern"); continue }
            s.rules.append(Rule(pattern: pattern, line: n + 1))
            if let hit = RuntimeFrames.samples.first(where: { glob(pattern, $0) }) {
                problems.append("line \(n + 1): pattern '\(pattern)' matches the threading runtime ('\(hit)'), "
                                + "which is in the stacks of every report: it suppresses them all")
            }
        }
        return (s, problems)
    }

    /// The one note about skipped lines, or nil.
    public var skippedNote: String? {
        guard !skipped.isEmpty else { return nil }
        var kinds: [String] = []
        for k in skipped where !kinds.contains(k.kind) { kinds.append(k.kind) }
        return "skipped \(skipped.count) line(s) of other sanitizers' kinds ("
            + kinds.map { $0 + ":" }.joined(separator: ", ") + "); dept reads its own kind only"
    }

    /// The strings of a report that patterns are matched against.
    public static func subjects(of r: Report) -> [String] {
        var out: [String] = []
        func frames(_ fs: [Frame]) {
            for f in fs {
                if let fn = f.function {
                    out.append(fn)
                    // `deadlock:audit` matches `audit()`, as in TSan.
                    let bare = FunctionName.base(fn)
                    if bare != fn { out.append(bare) }
                }
                if let file = f.file { out.append(file) }
                if !f.module.isEmpty { out.append(f.module) }
            }
        }
        for c in r.contexts {
            for p in [c.start, c.wait, c.event] { out.append(p.object); frames(p.stack) }
        }
        for b in r.blocked {
            out.append(b.waitsFor.object); frames(b.waitsFor.stack)
            for h in b.holds { out.append(h.object); frames(h.stack) }
        }
        return out
    }

    /// Index of the first matching rule (and counts the hit), or nil.
    public mutating func match(_ r: Report) -> Int? {
        let subjects = Self.subjects(of: r)
        for i in rules.indices where subjects.contains(where: { Self.glob(rules[i].pattern, $0) }) {
            rules[i].hits += 1
            return i
        }
        return nil
    }

    /// `*` matches any run; a pattern must match a whole subject or, for
    /// paths, its last component.
    public static func glob(_ pattern: String, _ subject: String) -> Bool {
        if let slash = subject.lastIndex(of: "/"), !pattern.contains("/"),
           globWhole(pattern, String(subject[subject.index(after: slash)...])) {
            return true
        }
        return globWhole(pattern, subject)
    }

    static func globWhole(_ pattern: String, _ subject: String) -> Bool {
        let p = Array(pattern.utf8), s = Array(subject.utf8)
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count && p[pi] == s[si] { pi += 1; si += 1 }
            else if pi < p.count && p[pi] == UInt8(ascii: "*") { star = pi; mark = si; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; si = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
extension String {
    func trimmingSpaces() -> String { self[...].trimmingSpaces() }
}
