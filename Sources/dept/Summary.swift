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
    }

    struct WarningGroup {
        var warning: Warn
        var occurrences: [Occurrence]
    }

    struct Diagnostic {
        var text: String
        var occurrences: [Occurrence]
    }

    var groups: [Group] = []
    var warnings: [WarningGroup] = []
    var diagnostics: [Diagnostic] = []
    /// `deadlock:<pattern>` → how many reports it suppressed, summed over
    /// the processes (from the library's `print_suppressions` lists and from
    /// suppressions the CLI applied itself).
    var suppressionHits: [(pattern: String, hits: Int)] = []
    /// Pids that wrote a report file (every process that ran, when the
    /// library was asked to write a start-up line).
    var processes: Set<Int32> = []
    /// JSON lines of another schema or version, passed through.
    var foreign: [String] = []

    static func severity(_ k: Report.Kind) -> Int {
        switch k { case .deadlock: return 3; case .hang: return 2; case .potential: return 1 }
    }

    /// Collects `files`; reports matching `suppressions` are left out.
    /// Plain-text diagnostics in `ignoring` (already shown once by the CLI,
    /// e.g. DEPT_OPTIONS problems that every process repeats) are dropped.
    static func collect(_ files: [ReportFile], suppressions: Suppressions? = nil, ignoring: Set<String> = []) -> Collection {
        var c = Collection()
        var sup = suppressions
        var groupIndex: [String: Int] = [:]
        var warningIndex: [String: Int] = [:]
        var diagnosticIndex: [String: Int] = [:]
        var hits: [String: Int] = [:]
        var hitOrder: [String] = []
        func hit(_ pattern: String, _ n: Int) {
            if hits[pattern] == nil { hitOrder.append(pattern) }
            hits[pattern, default: 0] += n
        }
        // pid → program, from the module maps of the reports.
        var executables: [Int32: String] = [:]
        for f in files {
            for r in f.records {
                if case .report(let rep, _, _) = r, let exe = rep.modules.first?.path, !exe.isEmpty, executables[rep.pid] == nil {
                    executables[rep.pid] = exe
                }
            }
        }
        func add(_ list: inout [Occurrence], _ more: [Occurrence]) {
            for o in more where !list.contains(where: { $0.pid == o.pid && ($0.executable == o.executable || o.executable == nil) }) {
                list.append(o)
            }
        }

        for f in files {
            if let p = f.pid { c.processes.insert(p) }
            for record in f.records {
                switch record {
                case .report(let r, let text, let appearedIn):
                    if sup != nil, let i = sup!.match(r) { hit(sup!.rules[i].pattern, 1); continue }
                    let occ = appearedIn ?? [Occurrence(pid: r.pid, executable: r.modules.first?.path ?? executables[r.pid])]
                    for o in occ { c.processes.insert(o.pid) }
                    let key = r.key.isEmpty ? "\(r.kind.rawValue):\(r.headline)" : r.key
                    if let i = groupIndex[key] {
                        add(&c.groups[i].occurrences, occ)
                        if !c.groups[i].kinds.contains(r.kind) {
                            c.groups[i].kinds.append(r.kind)
                            c.groups[i].kinds.sort { severity($0) > severity($1) }
                        }
                        if severity(r.kind) > severity(c.groups[i].report.kind) {
                            c.groups[i].report = r; c.groups[i].text = text
                        }
                    } else {
                        groupIndex[key] = c.groups.count
                        c.groups.append(Group(key: key, report: r, text: text, occurrences: occ, kinds: [r.kind]))
                    }
                case .warning(let w):
                    let occ = w.appearedIn ?? [Occurrence(pid: w.pid, executable: executables[w.pid])]
                    for o in occ { c.processes.insert(o.pid) }
                    // Stable across processes: module offsets, not addresses.
                    let key = w.message + "|" + w.stack.map { "\(basename($0.module))+\($0.offset)" }.joined(separator: ",")
                    if let i = warningIndex[key] { add(&c.warnings[i].occurrences, occ) }
                    else { warningIndex[key] = c.warnings.count; c.warnings.append(WarningGroup(warning: w, occurrences: occ)) }
                case .diagnostic(let pid, let text):
                    if text.hasPrefix("DEPT: warning: info:") { continue }   // start-up lines (verbosity=2)
                    if ignoring.contains(text.trimmingCharacters(in: .newlines)) { continue }
                    if text.hasPrefix("DEPT: warning: suppressions used:") {
                        for line in text.split(separator: "\n").dropFirst() {
                            let t = line.drop(while: { $0 == " " })
                            guard let sp = t.firstIndex(of: " "), let n = Int(t[..<sp]) else { continue }
                            let rest = t[t.index(after: sp)...]
                            guard rest.hasPrefix("deadlock:") else { continue }
                            hit(String(rest.dropFirst("deadlock:".count)), n)
                        }
                        continue
                    }
                    let occ = pid.map { [Occurrence(pid: $0, executable: executables[$0])] } ?? []
                    if let i = diagnosticIndex[text] { add(&c.diagnostics[i].occurrences, occ) }
                    else { diagnosticIndex[text] = c.diagnostics.count; c.diagnostics.append(Diagnostic(text: text, occurrences: occ)) }
                case .foreign(let line):
                    c.foreign.append(line)
                }
            }
        }
        if let s = sup { for r in s.rules where hits[r.pattern] == nil { hit(r.pattern, 0) } }
        c.suppressionHits = hitOrder.map { ($0, hits[$0]!) }
        return c
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
        let w = warnings.count + diagnostics.filter { $0.text.hasPrefix("DEPT: warning:") }.count
        let warned = w > 0 ? ", \(w) distinct warning(s)" : ""
        if groups.isEmpty { return "dept: no deadlock report\(warned)\(ran)" }
        return "dept: \(groups.count) distinct deadlock report(s) in \(reportingProcesses.count) process(es)\(warned)\(ran)"
    }

    // MARK: renderings

    func text(processesRan: Int?) -> String {
        var s = ""
        for g in groups {
            s += g.text.hasSuffix("\n") ? g.text : g.text + "\n"
            s += Self.appearedLine(g.occurrences) + "\n"
            if g.kinds.count > 1 {
                s += "reported as: " + g.kinds.map { k -> String in
                    switch k { case .potential: return "potential deadlock"; case .deadlock: return "deadlock"; case .hang: return "hang" }
                }.joined(separator: ", ") + "\n"
            }
            s += "\n"
        }
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
        s += verdict(processesRan: processesRan) + "\n"
        return s
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
        let base = SARIFReport.render(groups.map(\.report))
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
