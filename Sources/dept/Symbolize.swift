import ArgumentParser
import DeptCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

@_silgen_name("swift_demangle")
private func _swift_demangle(_ mangled: UnsafePointer<CChar>?, _ length: Int, _ out: UnsafeMutablePointer<CChar>?,
                             _ outLength: UnsafeMutablePointer<Int>?, _ flags: UInt32) -> UnsafeMutablePointer<CChar>?

struct Symbolize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "symbolize",
        abstract: "Symbolize a JSON report taken on another machine (or with DEPT_OPTIONS symbolize=0).",
        discussion: """
        Every frame in the JSON carries its module (path), the module's build ID (in the \
        report's module map) and the offset into it. For each module dept looks for the binary:

          1. the module's own path, when it exists here with the same
             build ID (or either has none);
          2. a file with the same build ID among the files under each
             --binary-dir (searched recursively);
          3. a file with the same name under a --binary-dir (a note says
             when its build ID differs);
          4. the module's own path even though its build ID differs (with
             a note).

        Then llvm-symbolizer (the Swift toolchain's /opt/swift/usr/bin/llvm-symbolizer, else one \
        on PATH; addr2line as a fallback; --symbolizer picks one) fills in function, file and \
        line; Swift names are demangled with swift-demangle when present (else with the Swift \
        runtime). Object classes named by address (`init@module+0x...`, `module+0x...`) get \
        their source names back, the dedup key is recomputed when they change, and the `text` \
        rendering is rebuilt.

        The result has the shape of the input (JSON lines, or one array) and goes to stdout, \
        --output FILE, or back into FILE with --in-place.
        """
    )

    @Argument(help: ArgumentHelp("The JSON report file.", valueName: "file"))
    var file: String

    @Option(name: .customLong("binary-dir"), help: ArgumentHelp("A directory holding the binaries (and shared libraries) of the reporting program; repeatable.", valueName: "dir"))
    var binaryDirs: [String] = []

    @Option(help: ArgumentHelp("Write the updated JSON here instead of stdout.", valueName: "file"))
    var output: String?

    @Flag(name: .customLong("in-place"), help: "Rewrite FILE.")
    var inPlace = false

    @Option(help: ArgumentHelp("The llvm-symbolizer or addr2line to use.", valueName: "path"))
    var symbolizer: String?

    mutating func validate() throws {
        if inPlace && output != nil { throw ValidationError("--in-place and --output exclude each other") }
    }

    func run() throws {
        try reportingErrors {
            for d in binaryDirs where !isDirectory(d) { throw DeptError("--binary-dir '\(d)' is not a directory") }
            var reportFile = try ReportReader.load(file)
            guard let tool = symbolizer.map(absolutePath) ?? OfflineSymbolizer.findTool() else {
                throw DeptError("no symbolizer found: install llvm-symbolizer (or binutils' addr2line), or pass --symbolizer PATH")
            }
            if symbolizer != nil, access(tool, X_OK) != 0 { throw DeptError("--symbolizer '\(tool)' is not executable") }
            let engine = OfflineSymbolizer(binaryDirs: binaryDirs.map(absolutePath), tool: tool)
            engine.symbolize(&reportFile.records)
            for n in engine.notes { printNote(n) }
            let text = Self.serialize(reportFile)
            try emitOutput(text, to: inPlace ? file : output)
        }
    }

    static func serialize(_ f: ReportFile) -> String {
        var items: [String] = []
        for r in f.records {
            switch r {
            case .report(let rep, let text, let occ): items.append(ReportJSON.encode(rep, text: text, appearedIn: occ))
            case .warning(let w): items.append(ReportJSON.encode(w, appearedIn: w.appearedIn))
            case .diagnostic(_, let text): if !f.isArray { items.append(String(text.dropLast(text.hasSuffix("\n") ? 1 : 0))) }
            case .foreign(let line): items.append(line)
            }
        }
        if f.isArray { return items.isEmpty ? "[]\n" : "[\n" + items.joined(separator: ",\n") + "\n]\n" }
        return items.map { $0 + "\n" }.joined()
    }
}

/// Symbolizes frames and object names of decoded records with local binaries.
final class OfflineSymbolizer {
    let binaryDirs: [String]
    let tool: String
    var notes: [String] = []

    private var byBuildID: [String: String] = [:]
    private var byName: [String: [String]] = [:]
    private var indexed = false
    private var resolved: [String: String?] = [:]

    init(binaryDirs: [String], tool: String) {
        self.binaryDirs = binaryDirs
        self.tool = tool
    }

    static func findTool() -> String? {
        if let env = ProcessInfo.processInfo.environment["DEPT_SYMBOLIZER"], access(env, X_OK) == 0 { return env }
        return findExecutable("llvm-symbolizer", extra: ["/opt/swift/usr/bin/llvm-symbolizer"]) ?? findExecutable("addr2line")
    }

    // MARK: binaries

    private func buildIndex() {
        guard !indexed else { return }
        indexed = true
        for dir in binaryDirs {
            guard let e = FileManager.default.enumerator(atPath: dir) else { continue }
            while let rel = e.nextObject() as? String {
                let path = dir + "/" + rel
                guard !isDirectory(path), ELF.isELF(path) else { continue }
                if let id = ELF.buildID(path), byBuildID[id] == nil { byBuildID[id] = path }
                byName[basename(path), default: []].append(path)
            }
        }
    }

    /// The local file to symbolize `module` with (see the command's help).
    func binary(for module: String, buildID: String) -> String? {
        if let cached = resolved[module] { return cached }
        let want = buildID.lowercased()
        var result: String?
        let localExists = module.hasPrefix("/") && fileExists(module) && !isDirectory(module)
        let localID = localExists ? ELF.buildID(module) : nil
        if localExists && (want.isEmpty || localID == nil || localID == want) {
            result = module
        } else {
            buildIndex()
            if !want.isEmpty, let p = byBuildID[want] {
                result = p
            } else if let p = byName[basename(module)]?.first {
                result = p
                if !want.isEmpty, let id = ELF.buildID(p), id != want {
                    notes.append("warning: \(p) has build id \(id), the report's \(basename(module)) had \(want): its lines may be wrong")
                }
            } else if localExists {
                result = module
                notes.append("warning: \(module) has build id \(localID ?? "?"), the report's had \(want): its lines may be wrong")
            } else if !module.hasPrefix("linux-vdso") && !module.hasPrefix("[") && !module.isEmpty {
                notes.append("no binary for \(module)\(want.isEmpty ? "" : " (build id \(want))"): its frames are left as they were; pass --binary-dir")
            }
        }
        resolved[module] = result
        return result
    }

    // MARK: queries

    struct CodeAnswer { var function: String?; var file: String?; var line: Int }

    private struct Query: Hashable { var module: String; var offset: UInt; var data: Bool }

    /// Asks the tool about every query of one binary.
    private func ask(_ binary: String, _ queries: [Query]) -> [Query: Any] {
        var out: [Query: Any] = [:]
        if tool.hasSuffix("addr2line") {
            let code = queries.filter { !$0.data }
            guard !code.isEmpty else { return out }
            let args = ["-f", "-C", "-e", binary] + code.map { "0x" + String($0.offset &- ($0.offset > 0 ? 1 : 0), radix: 16) }
            let lines = runTool(tool, args).output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for (i, q) in code.enumerated() where 2 * i + 1 < lines.count {
                out[q] = Self.codeAnswer(lines[2 * i], lines[2 * i + 1])
            }
            return out
        }
        let input = queries.map { q in
            q.data ? "DATA 0x" + String(q.offset, radix: 16) : "CODE 0x" + String(q.offset &- (q.offset > 0 ? 1 : 0), radix: 16)
        }.joined(separator: "\n") + "\n"
        let text = runTool(tool, ["--obj=" + binary, "--inlining=false", "--functions=linkage", "--demangle"], input: input).output
        var answers: [[String]] = []
        var current: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { if !current.isEmpty { answers.append(current); current = [] } }
            else { current.append(String(line)) }
        }
        if !current.isEmpty { answers.append(current) }
        guard answers.count == queries.count else {
            notes.append("warning: \(basename(tool)) gave \(answers.count) answers for \(queries.count) addresses in \(binary); skipped")
            return out
        }
        for (q, a) in zip(queries, answers) {
            if q.data {
                guard a.count >= 2, a[0] != "??" else { continue }
                let parts = a[1].split(separator: " ")
                if let s = parts.first, let start = UInt(s), start < q.offset { out[q] = "\(a[0])+\(q.offset - start)" }
                else { out[q] = a[0] }
            } else if a.count >= 2 {
                out[q] = Self.codeAnswer(a[0], a[1])
            }
        }
        return out
    }

    static func codeAnswer(_ fn: String, _ loc: String) -> CodeAnswer {
        var a = CodeAnswer(function: fn == "??" ? nil : fn, file: nil, line: 0)
        let parts = loc.split(separator: ":")
        if parts.count >= 2, parts[0] != "??", let l = Int(parts[1].split(separator: " ")[0]), l > 0 {
            a.file = String(parts[0]); a.line = l
        }
        return a
    }

    // MARK: demangling

    static func isSwiftMangled(_ s: String) -> Bool {
        ["$s", "_$s", "$S", "_$S", "$e", "_$e", "_T0"].contains { s.hasPrefix($0) }
    }

    func demangle(_ names: Set<String>) -> [String: String] {
        let list = names.filter(Self.isSwiftMangled).sorted()
        guard !list.isEmpty else { return [:] }
        var out: [String: String] = [:]
        if let tool = findExecutable("swift-demangle", extra: ["/opt/swift/usr/bin/swift-demangle"]) {
            let lines = runTool(tool, ["-compact"], input: list.joined(separator: "\n") + "\n").output
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.count >= list.count {
                for (m, d) in zip(list, lines) where !d.isEmpty { out[m] = d }
                return out
            }
        }
        for m in list {
            m.withCString { p in
                if let d = _swift_demangle(p, strlen(p), nil, nil, 0) {
                    out[m] = String(cString: d)
                    free(d)
                }
            }
        }
        return out
    }

    // MARK: object names

    /// What an address-named class refers to: (module path, offset, is data, prefix).
    private func parseObject(_ name: String, modules: [Module]) -> (module: String, offset: UInt, data: Bool, prefix: String)? {
        var prefix = "", rest = Substring(name), data = true
        for p in ["init@", "first-use@", "thread@"] where name.hasPrefix(p) {
            prefix = p; rest = name.dropFirst(p.count); data = false
        }
        if rest.hasPrefix("0x"), let addr = UInt(rest.dropFirst(2), radix: 16) {
            guard let m = modules.first(where: { addr >= $0.base && addr < $0.end && $0.end > 0 }) else { return nil }
            return (m.path, addr - m.base, data, prefix)
        }
        guard let plus = rest.range(of: "+0x", options: .backwards),
              let off = UInt(rest[plus.upperBound...], radix: 16) else { return nil }
        let modName = String(rest[..<plus.lowerBound])
        guard let m = modules.first(where: { basename($0.path) == modName }) else { return nil }
        return (m.path, off, data, prefix)
    }

    // MARK: the pass

    func symbolize(_ records: inout [Record]) {
        // Build IDs of every module of every report.
        var buildIDs: [String: String] = [:]
        for r in records { if case .report(let rep, _, _) = r { for m in rep.modules where buildIDs[m.path] == nil { buildIDs[m.path] = m.buildID } } }

        // Every query, per module.
        var queries: Set<Query> = []
        func frames(_ fs: [Frame]) { for f in fs where !f.module.isEmpty { queries.insert(Query(module: f.module, offset: f.offset, data: false)) } }
        func point(_ p: Point, _ mods: [Module]) {
            frames(p.stack)
            if let o = parseObject(p.object, modules: mods) { queries.insert(Query(module: o.module, offset: o.offset, data: o.data)) }
        }
        for r in records {
            switch r {
            case .report(let rep, _, _):
                for c in rep.contexts {
                    point(c.start, rep.modules); point(c.wait, rep.modules); point(c.event, rep.modules)
                    frames(c.thread.createdAt)
                }
                for b in rep.blocked { point(b.waitsFor, rep.modules); frames(b.thread.createdAt) }
                if let f = rep.summaryFrame { frames([f]) }
            case .warning(let w): frames(w.stack)
            default: break
            }
        }
        var answers: [Query: Any] = [:]
        let byModule = Dictionary(grouping: queries, by: \.module)
        for (module, qs) in byModule.sorted(by: { $0.key < $1.key }) {
            guard let bin = binary(for: module, buildID: buildIDs[module] ?? "") else { continue }
            let sorted = qs.sorted { ($0.data ? 1 : 0, $0.offset) < ($1.data ? 1 : 0, $1.offset) }
            answers.merge(ask(bin, sorted)) { a, _ in a }
        }
        var mangled: Set<String> = []
        for a in answers.values { if let c = a as? CodeAnswer, let f = c.function { mangled.insert(f) } else if let s = a as? String { mangled.insert(String(s.split(separator: "+")[0])) } }
        let demangled = demangle(mangled)

        func fix(_ f: Frame) -> Frame {
            guard !f.module.isEmpty, let a = answers[Query(module: f.module, offset: f.offset, data: false)] as? CodeAnswer else { return f }
            var g = f
            if let fn = a.function { g.function = demangled[fn] ?? fn }
            if let file = a.file { g.file = file; g.line = a.line }
            return g
        }
        func fixObject(_ name: String, _ mods: [Module]) -> String {
            guard let o = parseObject(name, modules: mods), let a = answers[Query(module: o.module, offset: o.offset, data: o.data)] else { return name }
            if o.data, let s = a as? String {
                let base = String(s.split(separator: "+")[0])
                return (demangled[base] ?? base) + s.dropFirst(base.count)
            }
            if let c = a as? CodeAnswer, let file = c.file, c.line > 0 {
                return o.prefix + "\(basename(file)):\(c.line)"
            }
            return name
        }
        func fixPoint(_ p: Point, _ mods: [Module]) -> Point {
            var q = p
            q.stack = p.stack.map(fix)
            q.object = fixObject(p.object, mods)
            return q
        }

        for i in records.indices {
            switch records[i] {
            case .report(var rep, _, let occ):
                let oldKey = ReportBuilder.key(rep.contexts)
                let mods = rep.modules
                rep.contexts = rep.contexts.map { c in
                    var d = c
                    d.start = fixPoint(c.start, mods); d.wait = fixPoint(c.wait, mods); d.event = fixPoint(c.event, mods)
                    d.thread.createdAt = c.thread.createdAt.map(fix)
                    return d
                }
                rep.blocked = rep.blocked.map { b in
                    var d = b
                    d.waitsFor = fixPoint(b.waitsFor, mods)
                    d.thread.createdAt = b.thread.createdAt.map(fix)
                    return d
                }
                rep.summaryFrame = rep.summaryFrame.map(fix)
                // Names changed: the key the library would have printed.
                let newKey = ReportBuilder.key(rep.contexts)
                if newKey != oldKey && rep.key == oldKey { rep.key = newKey }
                records[i] = .report(rep, text: TextReport.render(rep), appearedIn: occ)
            case .warning(var w):
                w.stack = w.stack.map(fix)
                w.text = TextReport.warning(w.message, stack: w.stack)
                records[i] = .warning(w)
            default: break
            }
        }
    }
}
