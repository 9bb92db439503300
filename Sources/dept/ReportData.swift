import DeptCore
import Foundation

// Reading the JSON that libdept.so writes with `format=json` (one object per
// line, schema `dept-report`, docs/report-schema.json) back into DeptCore's
// report model, so the CLI renders with the library's own renderers.

/// Where a report (or warning) appeared: a process, and the program it ran.
struct Occurrence: Hashable {
    var pid: Int32
    var executable: String?

    var description: String {
        if let exe = executable, !exe.isEmpty { return "pid \(pid) (\(basename(exe)))" }
        return "pid \(pid)"
    }
}

/// One record of a report file.
enum Record {
    /// A deadlock/hang report. `text` is the stored text rendering.
    case report(Report, text: String, appearedIn: [Occurrence]?)
    /// A `DEPT: warning:` diagnostic in JSON form.
    case warning(Warn)
    /// A plain-text diagnostic line (with its continuation lines), written
    /// by the library outside the JSON stream (option problems, the
    /// `print_suppressions` list, `help=1`).
    case diagnostic(pid: Int32?, text: String)
    /// A JSON object of another schema or a newer version: kept as is.
    case foreign(line: String)
}

struct Warn {
    var pid: Int32
    var message: String
    var stack: [Frame]
    var text: String
    var appearedIn: [Occurrence]?
    /// `"kind": "info"`: a held-back cycle (`verbosity=2`) or a cycle
    /// through a timed wait; shown, but no warning.
    var isInfo = false
}

/// One file of reports.
struct ReportFile {
    var path: String
    /// The pid from a `<prefix>.<pid>` file name, if it has one.
    var pid: Int32?
    var records: [Record]
    /// The file held one JSON array (the output of `dept run --format json`)
    /// rather than one object per line.
    var isArray: Bool
    /// Lines that are neither dept's JSON nor its `DEPT:` diagnostics.
    var otherLines = 0

    /// Anything dept wrote: a report or warning object, a `DEPT:` line, or
    /// the array `dept run --format json` prints (empty when all was well).
    var isDeptReport: Bool {
        if isArray { return records.allSatisfy { if case .foreign = $0 { return false } else { return true } } }
        return records.contains { r in
            switch r {
            case .report, .warning: return true
            case .diagnostic(_, let text): return text.hasPrefix("DEPT:")
            case .foreign: return false
            }
        }
    }
}

struct DecodeError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum ReportJSON {
    // MARK: decoding

    static func uint(_ v: Any?) -> UInt? {
        if let s = v as? String {
            if s.hasPrefix("0x") || s.hasPrefix("0X") { return UInt(s.dropFirst(2), radix: 16) }
            return UInt(s)
        }
        if let n = v as? NSNumber { return n.uintValue }
        if let i = v as? Int, i >= 0 { return UInt(i) }
        return nil
    }

    static func int(_ v: Any?) -> Int? {
        if let n = v as? NSNumber { return n.intValue }
        if let i = v as? Int { return i }
        if let s = v as? String { return Int(s) }
        return nil
    }

    static func string(_ v: Any?) -> String? {
        v as? String
    }

    static func object(_ v: Any?, _ what: String) throws -> [String: Any] {
        guard let o = v as? [String: Any] else { throw DecodeError("\(what): expected an object") }
        return o
    }

    static func frame(_ v: Any?) throws -> Frame {
        let o = try object(v, "frame")
        return Frame(pc: uint(o["pc"]) ?? 0, module: string(o["module"]) ?? "", offset: uint(o["offset"]) ?? 0,
                     function: string(o["function"]), file: string(o["file"]), line: int(o["line"]) ?? 0)
    }

    static func stack(_ v: Any?) throws -> [Frame] {
        guard let a = v as? [Any] else { return [] }
        return try a.map(frame)
    }

    static func point(_ v: Any?, _ what: String) throws -> Point {
        let o = try object(v, what)
        var p = Point(operation: string(o["operation"]) ?? "?", object: string(o["object"]) ?? "?",
                      instance: UInt32(truncatingIfNeeded: uint(o["instance"]) ?? 0), stack: try stack(o["stack"]))
        p.stackThread = string(o["stack_thread"])
        return p
    }

    static func thread(_ v: Any?) throws -> ThreadRef {
        let o = try object(v, "thread")
        return ThreadRef(tid: UInt32(truncatingIfNeeded: uint(o["id"]) ?? 0), osTid: Int32(truncatingIfNeeded: int(o["os_tid"]) ?? 0),
                         name: string(o["name"]), createdAt: try stack(o["created_at"]))
    }

    static func occurrences(_ v: Any?) -> [Occurrence]? {
        guard let a = v as? [Any] else { return nil }
        return a.compactMap { e in
            guard let o = e as? [String: Any], let pid = int(o["pid"]) else { return nil }
            return Occurrence(pid: Int32(truncatingIfNeeded: pid), executable: string(o["executable"]))
        }
    }

    /// Decodes one `dept-report` object (a report or a warning).
    static func record(_ o: [String: Any]) throws -> Record {
        guard string(o["schema"]) == "dept-report" else { throw DecodeError("not a dept-report object") }
        let pid = Int32(truncatingIfNeeded: int(o["pid"]) ?? 0)
        let kindText = string(o["kind"]) ?? ""
        if kindText == "warning" || kindText == "info" {
            let message = string(o["message"]) ?? ""
            let st = try stack(o["stack"])
            let text = string(o["text"]) ?? TextReport.warning(message, stack: st)
            return .warning(Warn(pid: pid, message: message, stack: st, text: text, appearedIn: occurrences(o["appeared_in"]),
                                 isInfo: kindText == "info"))
        }
        guard let kind = Report.Kind(rawValue: kindText) else { throw DecodeError("unknown kind '\(kindText)'") }
        var contexts: [Context] = []
        for (i, c) in ((o["contexts"] as? [Any]) ?? []).enumerated() {
            let co = try object(c, "contexts[\(i)]")
            var ctx = Context(label: string(co["label"]) ?? "\(i)", thread: try thread(co["thread"]),
                              start: try point(co["start"], "start"), wait: try point(co["wait"], "wait"),
                              event: try point(co["event"], "event"))
            ctx.sentence = string(co["sentence"]) ?? ""
            contexts.append(ctx)
        }
        var summaryFrame: Frame?
        if let s = o["summary"] as? [String: Any], let f = s["frame"], !(f is NSNull) {
            summaryFrame = try frame(f)
        }
        var r = Report(kind: kind, pid: pid, contexts: contexts, key: string(o["key"]) ?? "", summaryFrame: summaryFrame)
        r.hangMs = int(o["hang_ms"]) ?? 0
        r.family = string(o["family"])
        r.sentence = string(o["sentence"]) ?? ""
        for step in (o["scenario"] as? [Any]) ?? [] {
            guard let so = step as? [String: Any], let col = int(so["column"]), let text = string(so["text"]) else { continue }
            r.scenario.append(ScenarioStep(column: col, text: text))
        }
        r.notes = ((o["notes"] as? [Any]) ?? []).compactMap { $0 as? String }
        r.suppression = string(o["suppression"])
        for (i, b) in ((o["blocked"] as? [Any]) ?? []).enumerated() {
            let bo = try object(b, "blocked[\(i)]")
            var entry = BlockedThread(thread: try thread(bo["thread"]), waitsFor: try point(bo["waits_for"], "waits_for"),
                                      detail: string(bo["detail"]) ?? "", blockedMs: int(bo["blocked_ms"]) ?? 0)
            for (j, h) in ((bo["holds"] as? [Any]) ?? []).enumerated() { entry.holds.append(try point(h, "holds[\(j)]")) }
            r.blocked.append(entry)
        }
        for m in (o["modules"] as? [Any]) ?? [] {
            guard let mo = m as? [String: Any] else { continue }
            r.modules.append(Module(path: string(mo["path"]) ?? "", base: uint(mo["base"]) ?? 0, end: uint(mo["end"]) ?? 0,
                                    buildID: string(mo["build_id"]) ?? ""))
        }
        let text = string(o["text"]) ?? TextReport.render(r)
        return .report(r, text: text, appearedIn: occurrences(o["appeared_in"]))
    }

    // MARK: encoding

    static func occurrencesJSON(_ occ: [Occurrence]) -> String {
        "[" + occ.map { o in
            "{\"pid\":\(o.pid),\"executable\":\(o.executable.map(jsonString) ?? "null")}"
        }.joined(separator: ",") + "]"
    }

    /// DeptCore's rendering, plus `appeared_in` when given.
    static func encode(_ r: Report, text: String, appearedIn: [Occurrence]?) -> String {
        let base = JSONReport.render(r, text: text)
        guard let occ = appearedIn else { return base }
        return String(base.dropLast()) + ",\"appeared_in\":\(occurrencesJSON(occ))}"
    }

    static func encode(_ w: Warn, appearedIn: [Occurrence]?) -> String {
        let base = JSONReport.warning(pid: w.pid, message: w.message, stack: w.stack, text: w.text,
                                      kind: w.isInfo ? "info" : "warning")
        guard let occ = appearedIn else { return base }
        return String(base.dropLast()) + ",\"appeared_in\":\(occurrencesJSON(occ))}"
    }
}

enum ReportReader {
    /// `<prefix>.<pid>` → pid.
    static func pid(fromFileName name: String) -> Int32? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return Int32(name[name.index(after: dot)...])
    }

    /// The files `dept report DIR` reads: `*.json`, `report.*`, and other
    /// `<prefix>.<pid>` files, sorted by pid then name.
    static func files(in dir: String) throws -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
            throw DeptError("cannot list directory '\(dir)': \(error.localizedDescription)")
        }
        let picked = names.filter { n in
            guard !isDirectory(dir + "/" + n) else { return false }
            return n.hasSuffix(".json") || n.hasPrefix("report.")
        }
        return picked.sorted { a, b in
            let pa = pid(fromFileName: a), pb = pid(fromFileName: b)
            if let pa, let pb, pa != pb { return pa < pb }
            if (pa == nil) != (pb == nil) { return pa != nil }
            return a < b
        }.map { dir == "/" ? "/" + $0 : dir + "/" + $0 }
    }

    /// Expands FILE|DIR arguments.
    static func expand(_ inputs: [String]) throws -> [String] {
        var out: [String] = []
        for i in inputs {
            if isDirectory(i) { out += try files(in: i) }
            else if fileExists(i) { out.append(i) }
            else { throw DeptError("no such file or directory: '\(i)'") }
        }
        return out
    }

    static func load(_ path: String) throws -> ReportFile {
        let text = try readTextFile(path, what: "report file")
        let filePid = pid(fromFileName: basename(path))
        return parse(text, path: path, filePid: filePid)
    }

    static func parse(_ text: String, path: String, filePid: Int32?) -> ReportFile {
        var file = ReportFile(path: path, pid: filePid, records: [], isArray: false)
        let trimmed = text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        if trimmed.first == "[",
           let data = String(trimmed).data(using: .utf8),
           let array = try? JSONSerialization.jsonObject(with: data) as? [Any] {
            file.isArray = true
            for element in array {
                if let o = element as? [String: Any], let r = try? ReportJSON.record(o) {
                    file.records.append(r)
                } else if let d = try? JSONSerialization.data(withJSONObject: element), let s = String(data: d, encoding: .utf8) {
                    file.records.append(.foreign(line: s))
                }
            }
            return file
        }
        // One object per line; plain-text diagnostics between them.
        var pendingText: [String] = []
        func flushText() {
            if !pendingText.isEmpty {
                file.records.append(.diagnostic(pid: filePid, text: pendingText.joined(separator: "\n") + "\n"))
                pendingText = []
            }
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.hasPrefix("{") {
                flushText()
                if let data = line.data(using: .utf8),
                   let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
                   let r = try? ReportJSON.record(o) {
                    file.records.append(r)
                } else {
                    file.records.append(.foreign(line: line))
                }
            } else if line.hasPrefix("DEPT:") {
                flushText()
                pendingText = [line]
            } else if line.isEmpty {
                continue
            } else if !pendingText.isEmpty {
                pendingText.append(line)          // continuation of a diagnostic
            } else {
                file.otherLines += 1
            }
        }
        flushText()
        return file
    }
}
