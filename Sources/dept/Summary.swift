import DeptCore
import Foundation

/// Every distinct report of a set of report files, each with the processes
/// it appeared in: what `dept run` prints at the end and `dept report`
/// re-renders.
struct Collection {
    /// One distinct cycle (reports with the same dedup key).
    struct Group {
        var key: String
        /// The most severe report of the group (deadlock > hang > potential),
        /// the first one of that kind.
        var report: Report
        var text: String
        var occurrences: [Occurrence]
        /// Every kind the cycle was reported as, most severe first.
        var kinds: [Report.Kind]
        /// The other cycles of the report's family (ReportFamily): the
        /// same waits, through other classes; each its key and sentence.
        var sameWaits: [(key: String, sentence: String)] = []
    }

    struct WarningGroup {
        var warning: Warn
        var occurrences: [Occurrence]
    }

    struct Diagnostic {
        var text: String
        var occurrences: [Occurrence]
    }

    /// What dept knows of one process that ran under it: its command
    /// lines (one per exec) and how it ended.
    struct ProcessRecord {
        var pid: Int32
        var commands: [String] = []
        var exitStatus: Int32? = nil
        /// The status `dept run` saw for its own child (128+N: signal N).
        var waitStatus: Int32? = nil
        var executable: String? { commands.last.map { $0.split(separator: " ").first.map(String.init) ?? $0 } }
    }

    var groups: [Group] = []
    var warnings: [WarningGroup] = []
    var diagnostics: [Diagnostic] = []
    /// `deadlock:<pattern>` → how many reports it suppressed, summed over
    /// the processes (from the library's `print_suppressions` lists and from
    /// suppressions the CLI applied itself).
    var suppressionHits: [(pattern: String, hits: Int)] { hitOrder.map { ($0, hits[$0]!) } }
    /// Pids that wrote a report file (every process that ran, when the
    /// library was asked to write a start-up line).
    var processes: Set<Int32> = []
    /// Start and exit lines, by pid.
    var records: [Int32: ProcessRecord] = [:]
    /// JSON lines of another schema or version, passed through.
    var foreign: [String] = []

    private var sup: Suppressions? = nil
    private var ignoring: Set<String> = []
    private var groupIndex: [String: Int] = [:]
    private var familyIndex: [String: Int] = [:]
    private var warningIndex: [String: Int] = [:]
    private var diagnosticIndex: [String: Int] = [:]
    private var hits: [String: Int] = [:]
    private var hitOrder: [String] = []
    private var executables: [Int32: String] = [:]

    static func severity(_ k: Report.Kind) -> Int {
        switch k { case .deadlock: return 3; case .hang: return 2; case .potential: return 1 }
    }

    init(suppressions: Suppressions? = nil, ignoring: Set<String> = []) {
        self.sup = suppressions
        self.ignoring = ignoring
    }

    /// Collects `files`; reports matching `suppressions` are left out.
    /// Plain-text diagnostics in `ignoring` (already shown once by the CLI,
    /// e.g. DEPT_OPTIONS problems that every process repeats) are dropped.
    static func collect(_ files: [ReportFile], suppressions: Suppressions? = nil, ignoring: Set<String> = []) -> Collection {
        var c = Collection(suppressions: suppressions, ignoring: ignoring)
        // pid → program, from the module maps of the reports.
        for f in files {
            for r in f.records {
                if case .report(let rep, _, _) = r, let exe = rep.modules.first?.path, !exe.isEmpty, c.executables[rep.pid] == nil {
                    c.executables[rep.pid] = exe
                }
            }
        }
        for f in files {
            if let p = f.pid { c.processes.insert(p) }
            for record in f.records { _ = c.add(record) }
        }
        if let s = c.sup { for r in s.rules where c.hits[r.pattern] == nil { c.hit(r.pattern, 0) } }
        return c
    }

    private mutating func hit(_ pattern: String, _ n: Int) {
        if hits[pattern] == nil { hitOrder.append(pattern) }
        hits[pattern, default: 0] += n
    }

    private static func add(_ list: inout [Occurrence], _ more: [Occurrence]) {
        for o in more where !list.contains(where: { $0.pid == o.pid && ($0.executable == o.executable || o.executable == nil) }) {
            list.append(o)
        }
    }

    /// Adds one record; returns the index of the group it opened, if it is
    /// a report of a cycle not seen before.
    mutating func add(_ record: Record) -> Int? {
        switch record {
        case .report(let r, let text, let appearedIn):
            if sup != nil, let i = sup!.match(r) { hit(sup!.rules[i].pattern, 1); return nil }
            let occ = appearedIn ?? [Occurrence(pid: r.pid, executable: r.modules.first?.path ?? executables[r.pid])]
            for o in occ { processes.insert(o.pid) }
            let key = r.key.isEmpty ? "\(r.kind.rawValue):\(r.headline)" : r.key
            if let i = groupIndex[key] {
                Self.add(&groups[i].occurrences, occ)
                if !groups[i].kinds.contains(r.kind) {
                    groups[i].kinds.append(r.kind)
                    groups[i].kinds.sort { Self.severity($0) > Self.severity($1) }
                }
                if Self.severity(r.kind) > Self.severity(groups[i].report.kind) {
                    groups[i].report = r; groups[i].text = text
                }
                return nil
            }
            if r.kind == .potential, let f = r.family, let i = familyIndex[f] {
                Self.add(&groups[i].occurrences, occ)
                groups[i].sameWaits.append((key, r.sentence))
                groupIndex[key] = i
                return nil
            }
            if r.kind == .potential, let f = r.family { familyIndex[f] = groups.count }
            groupIndex[key] = groups.count
            groups.append(Group(key: key, report: r, text: text, occurrences: occ, kinds: [r.kind]))
            return groups.count - 1
        case .warning(let w):
            let occ = w.appearedIn ?? [Occurrence(pid: w.pid, executable: executables[w.pid])]
            for o in occ { processes.insert(o.pid) }
            // Stable across processes: module offsets, not addresses.
            let key = w.message + "|" + w.stack.map { "\(basename($0.module))+\($0.offset)" }.joined(separator: ",")
            if let i = warningIndex[key] { Self.add(&warnings[i].occurrences, occ) }
            else { warningIndex[key] = warnings.count; warnings.append(WarningGroup(warning: w, occurrences: occ)) }
        case .diagnostic(let pid, let text):
            if let p = pid, lifeLine(p, text) { return nil }
            if text.hasPrefix("DEPT: info: dept active") || text.hasPrefix("DEPT: warning: info:") { return nil }
            if ignoring.contains(text.trimmingCharacters(in: .newlines)) { return nil }
            if text.hasPrefix("DEPT: info: suppressions used:") {
                for line in text.split(separator: "\n").dropFirst() {
                    let t = line.drop(while: { $0 == " " })
                    guard let sp = t.firstIndex(of: " "), let n = Int(t[..<sp]) else { continue }
                    let rest = t[t.index(after: sp)...]
                    guard rest.hasPrefix("deadlock:") else { continue }
                    hit(String(rest.dropFirst("deadlock:".count)), n)
                }
                return nil
            }
            let occ = pid.map { [Occurrence(pid: $0, executable: executables[$0] ?? records[$0]?.executable)] } ?? []
            if let i = diagnosticIndex[text] { Self.add(&diagnostics[i].occurrences, occ) }
            else { diagnosticIndex[text] = diagnostics.count; diagnostics.append(Diagnostic(text: text, occurrences: occ)) }
        case .foreign(let line):
            foreign.append(line)
        }
        return nil
    }

    /// The start-up and exit lines of a process (verbosity=2): recorded,
    /// not shown.
    private mutating func lifeLine(_ pid: Int32, _ text: String) -> Bool {
        let start = "DEPT: info: dept active in pid \(pid): "
        if text.hasPrefix(start) {
            records[pid, default: ProcessRecord(pid: pid)].commands.append(
                String(text.dropFirst(start.count)).trimmingCharacters(in: .whitespacesAndNewlines))
            return true
        }
        let exit = "DEPT: info: pid \(pid) exited with status "
        if text.hasPrefix(exit), let s = Int32(text.dropFirst(exit.count).trimmingCharacters(in: .whitespacesAndNewlines)) {
            records[pid, default: ProcessRecord(pid: pid)].exitStatus = s
            return true
        }
        return false
    }

    /// Pids where at least one (unsuppressed) report appeared.
    var reportingProcesses: Set<Int32> {
        Set(groups.flatMap { $0.occurrences.map(\.pid) })
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "es")" }

    static func appearedLine(_ occ: [Occurrence], limit: Int = 25) -> String {
        var parts = occ.prefix(limit).map(\.description)
        if occ.count > limit { parts.append("and \(occ.count - limit) more") }
        return "appeared in \(occ.count) process(es): " + parts.joined(separator: ", ")
    }

    /// The last line: how many distinct reports, where.
    func verdict(processesRan: Int?) -> String {
        let ran = processesRan.map { " (\($0) process\($0 == 1 ? "" : "es") ran)" } ?? ""
        // Info lines (held-back cycles, cycles through a timed wait) are
        // shown but are no warnings: gst-launch's two dozen held-back
        // cycles made a clean run read "29 distinct warning(s)".
        let w = warnings.filter { !$0.warning.isInfo }.count + diagnostics.filter { $0.text.hasPrefix("DEPT: warning:") }.count
        let warned = w > 0 ? ", \(w) distinct warning(s)" : ""
        if groups.isEmpty { return "dept: no deadlock report\(warned)\(ran)" }
        return "dept: \(groups.count) distinct deadlock report(s) in \(reportingProcesses.count) process(es)\(warned)\(ran)"
    }

    // MARK: renderings

    static func kindName(_ k: Report.Kind) -> String {
        switch k { case .potential: return "potential deadlock"; case .deadlock: return "deadlock"; case .hang: return "hang" }
    }

    /// One distinct report: its text (rendered from the report itself, so
    /// it takes the style), where it appeared, the kinds it came as.
    func groupText(_ g: Group, style: TextReport.Style) -> String {
        var s = TextReport.render(g.report, style: style)
        s += Self.appearedLine(g.occurrences) + "\n"
        if g.kinds.count > 1 { s += "reported as: " + g.kinds.map(Self.kindName).joined(separator: ", ") + "\n" }
        if !g.sameWaits.isEmpty { s += Self.sameWaitsText(g.sameWaits) }
        return s + "\n"
    }

    /// The text summary. `reports: false` leaves out the full reports (a
    /// run streamed them as they came); the index names each in one line.
    func text(processesRan: Int?, style: TextReport.Style = TextReport.Style(), reports: Bool = true, beforeVerdict: String = "") -> String {
        var s = ""
        if reports { for g in groups { s += groupText(g, style: style) } }
        for w in warnings {
            s += w.warning.text.hasSuffix("\n") ? w.warning.text : w.warning.text + "\n"
            s += Self.appearedLine(w.occurrences) + "\n\n"
        }
        for d in diagnostics {
            s += d.text
            if !d.occurrences.isEmpty { s += Self.appearedLine(d.occurrences) + "\n" }
            s += "\n"
        }
        for (pattern, n) in suppressionHits {
            s += "dept: suppression deadlock:\(pattern) matched \(n) report(s)\n"
        }
        s += index()
        s += processSummary()
        s += beforeVerdict
        s += verdict(processesRan: processesRan) + "\n"
        return s
    }

    /// A suppressions file with one line per distinct report (Valgrind's
    /// --gen-suppressions), each under a comment saying which report.
    func generatedSuppressions() -> String {
        var s = "# dept suppressions: one line per distinct report (dept run/report --gen-suppressions).\n"
        s += "# Keep the lines of the reports you accept; pass the file with --suppressions.\n"
        var seen: Set<String> = []
        for g in groups {
            guard let line = g.report.suppression ?? ReportBuilder.suppression(for: g.report.summaryFrame) else { continue }
            s += "# \(Self.kindName(g.report.kind)) \(TextReport.summaryPlace(g.report.summaryFrame)) (key \(g.key))\n"
            if seen.insert(line).inserted { s += line + "\n" }
        }
        return s
    }

    /// One line per distinct report: kind, place, key, processes.
    func index() -> String {
        guard !groups.isEmpty else { return "" }
        var s = "dept: reports:\n"
        for (i, g) in groups.enumerated() {
            let place = TextReport.summaryPlace(g.report.summaryFrame)
            let more = g.sameWaits.isEmpty ? "" : " and \(g.sameWaits.count) more at the same waits"
            s += "  \(i + 1). \(Self.kindName(g.report.kind)) \(place) [key \(g.key)\(more)]: "
                + Self.appearedLine(g.occurrences, limit: 8) + "\n"
        }
        return s
    }

    /// The other cycles of a group's family: a line each (the first 8).
    static func sameWaitsText(_ others: [(key: String, sentence: String)]) -> String {
        var s = "also at the same waits, through other classes: \(others.count) more cycle\(others.count == 1 ? "" : "s")\n"
        for o in others.prefix(8) { s += "  key \(o.key): \(o.sentence)\n" }
        if others.count > 8 { s += "  and \(others.count - 8) more\n" }
        return s
    }

    /// `pid 1, 2, 3 and 7 more`.
    static func pidList(_ pids: [Int32], limit: Int) -> String {
        var parts = pids.prefix(limit).map { String($0) }
        if pids.count > limit { parts.append("and \(pids.count - limit) more") }
        return (pids.count == 1 ? "pid " : "pids ") + parts.joined(separator: ", ")
    }

    /// The processes that ran, grouped by program with the command line of
    /// the first; which of them hung (a live report) or ended without an
    /// exit (killed by a signal, crashed). Empty without start-up lines.
    func processSummary() -> String {
        guard !records.isEmpty else { return "" }
        var order: [String] = []
        var byProgram: [String: [ProcessRecord]] = [:]
        for pid in records.keys.sorted() {
            let r = records[pid]!
            let program = r.executable.map(basename) ?? "?"
            if byProgram[program] == nil { order.append(program) }
            byProgram[program, default: []].append(r)
        }
        var s = "dept: processes that ran:\n"
        for program in order.prefix(30) {
            let list = byProgram[program]!
            let first = list[0].commands.last ?? program
            s += "  \(program) (\(list.count)): \(Self.pidList(list.map { $0.pid }, limit: 6)); e.g. \(Self.clip(first, 100))\n"
        }
        if order.count > 30 { s += "  and \(order.count - 30) more programs\n" }
        var hung: Set<Int32> = []
        for g in groups where g.kinds.contains(.deadlock) || g.kinds.contains(.hang) {
            for o in g.occurrences where records[o.pid] != nil { hung.insert(o.pid) }
        }
        var ended: [String] = []
        for pid in records.keys.sorted() {
            let r = records[pid]!
            let cmd = Self.clip(r.commands.last ?? "?", 80)
            if hung.contains(pid) {
                ended.append("pid \(pid) (\(cmd)) hung: see its deadlock or hang report")
            } else if let w = r.waitStatus, w > 128 {
                ended.append("pid \(pid) (\(cmd)) was killed by signal \(w - 128)\(Self.signalName(w - 128).map { " (\($0))" } ?? "")")
            } else if r.exitStatus == nil && r.waitStatus == nil {
                ended.append("pid \(pid) (\(cmd)) ended without an exit: killed by a signal, crashed, or exec'd a program dept cannot follow")
            }
        }
        for line in ended.prefix(20) { s += "dept: \(line)\n" }
        if ended.count > 20 { s += "dept: and \(ended.count - 20) more processes that hung or ended abnormally\n" }
        return s
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 3)) + "..." }

    static func signalName(_ n: Int32) -> String? {
        let names: [Int32: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
                                      9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"]
        return names[n]
    }

    /// A JSON array: each distinct report (DeptCore's JSON plus
    /// `appeared_in`), then each distinct warning.
    func json() -> String {
        var items: [String] = []
        for g in groups { items.append(ReportJSON.encode(g.report, text: g.text, appearedIn: g.occurrences)) }
        for w in warnings { items.append(ReportJSON.encode(w.warning, appearedIn: w.occurrences)) }
        for d in diagnostics where d.text.hasPrefix("DEPT: warning: ") {
            let message = String(d.text.dropFirst("DEPT: warning: ".count)).trimmingCharacters(in: .newlines)
            let w = Warn(pid: d.occurrences.first?.pid ?? 0, message: message, stack: [], text: d.text, appearedIn: nil)
            items.append(ReportJSON.encode(w, appearedIn: d.occurrences))
        }
        if items.isEmpty { return "[]\n" }
        return "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }

    /// dept's README (SARIF's informationUri): installed with dept
    /// (PREFIX/share/doc/dept) or in the source tree it was built in.
    static func readmeURI() -> String? {
        let dir = dirname(selfExecutable())
        for rel in ["/../share/doc/dept/README.md", "/../../README.md", "/../../../README.md"] {
            let p = URL(fileURLWithPath: dir + rel).standardizedFileURL.resolvingSymlinksInPath().path
            if fileExists(p) { return fileURI(p) }
        }
        return nil
    }

    static func fileURI(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "%")
        return "file://" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path)
    }

    /// Rewrites every artifactLocation.uri that is an absolute path.
    static func rewriteURIs(_ value: Any, rootSlash: String) -> Any {
        if var d = value as? [String: Any] {
            for (k, v) in d {
                if k == "artifactLocation", var loc = v as? [String: Any], let uri = loc["uri"] as? String, uri.hasPrefix("/") {
                    if uri.hasPrefix(rootSlash) {
                        let rel = String(uri.dropFirst(rootSlash.count))
                        var allowed = CharacterSet.urlPathAllowed
                        allowed.remove(charactersIn: "%")
                        loc["uri"] = rel.addingPercentEncoding(withAllowedCharacters: allowed) ?? rel
                        loc["uriBaseId"] = "%SRCROOT%"
                    } else {
                        loc["uri"] = fileURI(uri)
                    }
                    d[k] = loc
                } else {
                    d[k] = rewriteURIs(v, rootSlash: rootSlash)
                }
            }
            return d
        }
        if let a = value as? [Any] { return a.map { rewriteURIs($0, rootSlash: rootSlash) } }
        return value
    }

    /// One SARIF 2.1.0 log (DeptCore's rendering), each result carrying the
    /// processes it appeared in as properties.
    ///
    /// Source paths under `sourceRoot` become relative URIs with uriBaseId
    /// %SRCROOT% (what code-scanning services resolve against the checkout);
    /// other absolute paths become file:// URIs.
    func sarif(invocation: [String: Any]? = nil, sourceRoot: String? = nil) -> String {
        let base = SARIFReport.render(groups.map(\.report), sourceRoot: sourceRoot.map(absolutePath),
                                      informationURI: Self.readmeURI())
        guard let data = base.data(using: .utf8),
              var log = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              var runs = log["runs"] as? [[String: Any]], !runs.isEmpty else { return base + "\n" }
        var run = runs[0]
        if var results = run["results"] as? [[String: Any]], results.count == groups.count {
            for i in results.indices {
                let g = groups[i]
                var props = (results[i]["properties"] as? [String: Any]) ?? [:]
                props["appearedIn"] = g.occurrences.map { o -> [String: Any] in
                    var d: [String: Any] = ["pid": Int(o.pid)]
                    if let e = o.executable { d["executable"] = e }
                    return d
                }
                props["kinds"] = g.kinds.map(\.rawValue)
                results[i]["properties"] = props
            }
            run["results"] = results
        }
        if let inv = invocation { run["invocations"] = [inv] }
        if let root = sourceRoot.map(absolutePath) {
            let rootSlash = root.hasSuffix("/") ? root : root + "/"
            run = Self.rewriteURIs(run, rootSlash: rootSlash) as? [String: Any] ?? run
            run["originalUriBaseIds"] = ["%SRCROOT%": ["uri": Self.fileURI(rootSlash)]]
        }
        runs[0] = run
        log["runs"] = runs
        guard let out = try? JSONSerialization.data(withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
              let s = String(data: out, encoding: .utf8) else { return base + "\n" }
        return s + "\n"
    }
}
