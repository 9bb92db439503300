import CShim

/// Swift names as the symbolizers give them (llvm-symbolizer and addr2line
/// demangle C++ only).
func isSwiftMangled(_ name: String) -> Bool {
    name.hasPrefix("$s") || name.hasPrefix("_$s") || name.hasPrefix("$S") || name.hasPrefix("_$S")
        || name.hasPrefix("$e") || name.hasPrefix("_$e") || name.hasPrefix("_T0")
}

/// Whether this process already said that Swift names stay mangled (only
/// touched by the thread that prints, under the report lock).
nonisolated(unsafe) var toldDemanglerMissing = false

/// What the symbolizer answered in this process so far (SymbolMemo; only
/// touched by the thread that prints, under the report lock). A forked
/// child keeps it: its modules are its parent's.
nonisolated(unsafe) var symbolMemo = SymbolMemo()

/// Symbolizes at report time, outside every hot path: llvm-symbolizer (the
/// Swift toolchain's, or one on PATH), else addr2line, else dladdr. The
/// helper runs as a child process without our preload.
struct ProcessSymbolizer: Symbolizing {
    let mods: [Module]
    let tool: String?
    let enabled: Bool
    /// The Swift toolchain's swift-demangle: libdept.so carries no Swift
    /// runtime (and so no demangler) of its own.
    let demangler: String?
    var debugFiles = DebugFileLookup()

    init(options: Options) {
        var list: [Module] = []
        // As many as there are: a plugin host that scans its plugins
        // leaves hundreds of unloaded modules beside the mapped ones.
        var buf = [dept_module](repeating: dept_module(), count: 1024)
        var n = Int(dept_shim_modules(&buf, UInt32(buf.count)))
        while n > buf.count {
            buf = [dept_module](repeating: dept_module(), count: n + 64)
            n = Int(dept_shim_modules(&buf, UInt32(buf.count)))
        }
        // Mapped first, then the unloaded ones, the latest unload first:
        // lookups take the first module that holds an address.
        let all = buf.prefix(n)
        let ordered = all.filter { $0.unloaded == 0 } + all.filter { $0.unloaded != 0 }.sorted { $0.unloaded > $1.unloaded }
        for m in ordered {
            var path = m.path.map { String(cString: $0) } ?? ""
            if path.isEmpty { path = Self.mainProgram(base: UInt(m.base), end: UInt(m.end)) }
            var bid = ""
            withUnsafeBytes(of: m.build_id) { raw in
                for b in raw.prefix(Int(m.build_id_len)) {
                    let h = String(b, radix: 16)
                    bid += h.count == 1 ? "0" + h : h
                }
            }
            list.append(Module(path: path, base: UInt(m.base), end: UInt(m.end), buildID: bid))
        }
        mods = list
        enabled = options.symbolize
        let tool = options.symbolizerPath ?? Self.findTool()
        self.tool = tool
        demangler = Self.findDemangler(near: tool)
    }

    /// The main program's file (the loader names it ""): the file mapped
    /// where it lies. Not /proc/self/exe: when the dynamic loader was
    /// started as the program (`ld.so ./prog`, as some build systems and
    /// test runners start theirs), that link is the loader, and reports
    /// named the program's code and objects after the loader's
    /// (`ld-linux-x86-64.so.2+0x4080 (dl-close.c:106)`). The loader even
    /// rewrites the auxiliary vector to the program's, so nothing cheaper
    /// tells the two starts apart.
    static func mainProgram(base: UInt, end: UInt) -> String {
        mappedFile(from: base, to: end) ?? selfExe()
    }

    /// The lowest file-backed mapping of /proc/self/maps that starts in
    /// [lo, hi): its path.
    static func mappedFile(from lo: UInt, to hi: UInt) -> String? {
        let fd = dept_libc_open_read("/proc/self/maps")
        guard fd >= 0 else { return nil }
        defer { _ = dept_libc_close(fd) }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { dept_libc_read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            text += chunk[0..<n]
        }
        for line in text.split(separator: UInt8(ascii: "\n")) {
            // start-end perms offset dev inode path
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5].first == UInt8(ascii: "/") else { continue }
            let range = fields[0].split(separator: UInt8(ascii: "-"))
            guard range.count == 2, let start = UInt(String(decoding: range[0], as: UTF8.self), radix: 16),
                  start >= lo, start < hi else { continue }
            // The path may hold spaces: the rest of the line.
            let at = fields[5].startIndex
            return String(decoding: line[at...], as: UTF8.self)
        }
        return nil
    }

    static func selfExe() -> String {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { dept_libc_readlink("/proc/self/exe", $0.baseAddress, $0.count - 1) }
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : ""
    }

    static func pathDirectories() -> [String] {
        guard let path = dept_libc_getenv("PATH") else { return [] }
        return String(cString: path).split(separator: ":").map { String($0) }
    }

    static func findTool() -> String? {
        var candidates: [String] = []
        if let p = dept_libc_getenv("DEPT_SYMBOLIZER") { candidates.append(String(cString: p)) }
        candidates.append("/opt/swift/usr/bin/llvm-symbolizer")
        let dirs = pathDirectories()
        candidates += dirs.map { "\($0)/llvm-symbolizer" }
        candidates += dirs.map { "\($0)/addr2line" }
        candidates += ["/usr/bin/llvm-symbolizer", "/usr/bin/addr2line"]
        return candidates.first { dept_libc_is_executable($0) != 0 }
    }

    /// swift-demangle beside the symbolizer (the toolchain ships both), in
    /// the toolchain, or on PATH.
    static func findDemangler(near tool: String?) -> String? {
        var candidates: [String] = []
        if let tool, let slash = tool.lastIndex(of: "/") {
            candidates.append(String(tool[..<slash]) + "/swift-demangle")
        }
        candidates.append("/opt/swift/usr/bin/swift-demangle")
        candidates += pathDirectories().map { "\($0)/swift-demangle" }
        return candidates.first { dept_libc_is_executable($0) != 0 }
    }

    func modules() -> [Module] { mods }

    func module(of pc: UInt) -> Module? {
        mods.first { pc >= $0.base && pc < $0.end && $0.end > 0 } ?? mods.first { pc >= $0.base && pc < $0.end }
    }

    /// The module as the symbolizer should see it: its path replaced by
    /// its separate debug file's when it has one.
    mutating func queryModule(_ m: Module) -> Module {
        var q = m
        q.path = debugFiles.resolve(m).queryPath
        return q
    }

    mutating func frames(for pcs: [UInt]) -> [UInt: Frame] { symbols(code: pcs, data: []).frames }

    mutating func dataNames(for addrs: [UInt]) -> [UInt: String] { symbols(code: [], data: addrs).names }

    /// Frames for code addresses and names for static objects, from the
    /// process's memo where it has them, else by one run of the symbolizer
    /// for everything it lacks (CODE and DATA queries in one input), then
    /// kept there.
    mutating func symbols(code pcs: [UInt], data addrs: [UInt]) -> (frames: [UInt: Frame], names: [UInt: String]) {
        var frames: [UInt: Frame] = [:], names: [UInt: String] = [:]
        var codeQueries: [(UInt, Module, UInt)] = [], dataQueries: [(UInt, Module, UInt)] = []
        // The addresses asked for, each with its module as loaded (a query's
        // may be its debug file), which the memo keys its answer by.
        var askedCode: [(UInt, Module)] = [], askedData: [(UInt, Module)] = []
        for pc in pcs {
            guard let m = module(of: pc) else { frames[pc] = Frame(pc: pc); continue }
            if enabled, let f = symbolMemo.frame(at: pc, in: m) { frames[pc] = f; continue }
            let off = pc - m.base
            frames[pc] = Frame(pc: pc, module: m.path, offset: off)
            codeQueries.append((pc, enabled ? queryModule(m) : m, off))
            askedCode.append((pc, m))
        }
        let missingCode = askedCode.map { $0.0 }
        for a in addrs {
            guard let m = module(of: a) else { continue }
            if enabled, let n = symbolMemo.dataName(at: a, in: m) { names[a] = n; continue }
            dataQueries.append((a, enabled ? queryModule(m) : m, a - m.base))
            askedData.append((a, m))
        }
        if !enabled {
            // Module and offset only, as without a symbolizer; static
            // objects by the exported symbol around them, demangled: their
            // names are part of the report's key.
            nameByLoader(dataQueries, &names)
            demangleNames([], dataQueries, &frames, &names)
            return (frames, names)
        }
        // Answers are kept unless the symbolizer failed to give them (it
        // died, or was killed with a process group): a later print asks again.
        var keep = true
        if let tool, !codeQueries.isEmpty || !dataQueries.isEmpty {
            if tool.hasSuffix("addr2line") {
                // addr2line names no data: those fall to the loader below.
                if !codeQueries.isEmpty { keep = addr2line(tool, codeQueries, &frames) }
            } else {
                // Return addresses point after the call: look up pc-1 so the
                // line is the call's, not the next statement's.
                let lines = codeQueries.map { "CODE \($0.1.path) 0x\(String($0.2 &- 1, radix: 16))" }
                    + dataQueries.map { "DATA \($0.1.path) 0x\(String($0.2, radix: 16))" }
                let answers = ask(tool, lines)
                if answers.count == lines.count {
                    applyCode(zip(codeQueries, answers.prefix(codeQueries.count)), &frames)
                    applyData(zip(dataQueries, answers.dropFirst(codeQueries.count)), &names)
                } else {
                    keep = false
                }
            }
        }
        // The exported symbol around the call, for what the tools could not
        // name (a stripped module without a debug file).
        for pc in missingCode where frames[pc]?.function == nil {
            var at: UInt = 0
            if let s = dept_shim_symbol_holding(pc &- 1, &at) {
                frames[pc]?.function = String(cString: s)
            }
        }
        nameByLoader(dataQueries, &names)
        demangleNames(missingCode, dataQueries, &frames, &names)
        if !keep { return (frames, names) }
        for (pc, m) in askedCode { if let f = frames[pc] { symbolMemo.remember(f, at: pc, in: m) } }
        for (a, m) in askedData { if let n = names[a] { symbolMemo.remember(dataName: n, at: a, in: m) } }
        return (frames, names)
    }

    /// The Swift names among the functions of `pcs` and the static objects
    /// of `queries`, by one run of swift-demangle; a static object's name
    /// with or without "+offset".
    private func demangleNames(_ pcs: [UInt], _ queries: [(UInt, Module, UInt)], _ frames: inout [UInt: Frame],
                               _ names: inout [UInt: String]) {
        func base(_ n: String) -> String { n.split(separator: "+").first.map { String($0) } ?? n }
        let demangled = demangle(Set(pcs.compactMap { frames[$0]?.function }).union(queries.compactMap { names[$0.0].map(base) }))
        if demangled.isEmpty { return }
        for pc in pcs { if let fn = frames[pc]?.function, let d = demangled[fn] { frames[pc]?.function = d } }
        for q in queries {
            if let n = names[q.0], let d = demangled[base(n)] { names[q.0] = d + String(n.dropFirst(base(n).count)) }
        }
    }

    /// llvm-symbolizer's answers to CODE queries: one (function, location)
    /// pair per inlined frame, innermost first. Code inlined from system
    /// headers (std::mutex::lock into lock_guard into the user's function,
    /// at -O1 and above) is the runtime's: the frame is the first one
    /// outside them, the user's line.
    private func applyCode(_ answered: some Sequence<((UInt, Module, UInt), String)>, _ out: inout [UInt: Frame]) {
        for (q, a) in answered {
            let lines = a.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count >= 2 else { continue }
            var pairs: [(fn: String, file: String?, line: Int)] = []
            var i = 0
            while i + 1 < lines.count {
                let loc = lines[i + 1].split(separator: ":")
                var file: String? = nil, line = 0
                if loc.count >= 2, let l = Int(loc[1]), l > 0, loc[0] != "??" { file = String(loc[0]); line = l }
                pairs.append((String(lines[i]), file, line))
                i += 2
            }
            guard var pick = pairs.first else { continue }
            if let outside = pairs.first(where: { p in p.file.map { !RuntimeFrames.isRuntimeFile($0) } ?? false }) {
                pick = outside
            }
            var f = out[q.0]!
            if pick.fn != "??" { f.function = pick.fn }
            if let file = pick.file { f.file = file; f.line = pick.line }
            out[q.0] = f
        }
    }

    /// llvm-symbolizer's answers to DATA queries: "<name>" then "<start>
    /// <size>", decimal. Without a symbol table the answer is the nearest
    /// exported symbol below, whatever its size (`__bss_start+56`): only an
    /// address inside the symbol names it.
    private func applyData(_ answered: some Sequence<((UInt, Module, UInt), String)>, _ out: inout [UInt: String]) {
        for (q, a) in answered {
            let lines = a.split(separator: "\n")
            guard lines.count >= 2, lines[0] != "??" else { continue }
            let name = String(lines[0])
            let parts = lines[1].split(separator: " ")
            guard parts.count >= 2, let start = UInt(parts[0]), let size = UInt(parts[1]), start <= q.2 else { continue }
            let off = q.2 - start
            if off == 0 { out[q.0] = name } else if off < size { out[q.0] = "\(name)+\(off)" }
        }
    }

    /// Static objects the symbolizer did not name: by the loader's exported
    /// symbol around them, else as module+offset.
    private func nameByLoader(_ queries: [(UInt, Module, UInt)], _ out: inout [UInt: String]) {
        for q in queries where out[q.0] == nil {
            var at: UInt = 0
            if let s = dept_shim_symbol_holding(q.0, &at) {
                let name = String(cString: s)
                out[q.0] = at == q.0 ? name : "\(name)+\(q.0 - at)"
            } else {
                out[q.0] = "\((module(of: q.0)?.path ?? q.1.path).split(separator: "/").last.map(String.init) ?? "?")+0x\(String(q.2, radix: 16))"
            }
        }
    }

    /// For a module with no debug information anywhere: the -dbgsym
    /// package that has it, or how to build it. Asked once per module
    /// (dpkg-query is a helper start too), then kept in the memo, unless
    /// dpkg-query failed: that answer is given but asked again at the next
    /// print, or a failure of one moment would stand for the rest of the
    /// process.
    mutating func debugHint(module path: String) -> String? {
        guard enabled, let m = mods.first(where: { $0.path == path }) else { return nil }
        if let known = symbolMemo.hint(for: m) { return known }
        var hint: String? = nil
        var settled = true
        if debugFiles.resolve(m).missing {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let owner = packageOwning(path)
            switch owner {
            case .package(let pkg):
                hint = "\(name) has no debug information: install \(pkg)-dbgsym (Debian's debug archive) for function names and lines"
            case .none, .unknown:
                hint = "\(name) has no debug information: build it with -g, or keep its debug file where gdb looks (.gnu_debuglink, /usr/lib/debug/.build-id/)"
            }
            if case .unknown = owner { settled = false }
        }
        if settled { symbolMemo.remember(hint: hint, for: m) }
        return hint
    }

    /// What `dpkg-query -S` says of a file.
    private enum PackageOwner { case package(String), none, unknown }

    /// The Debian package that installed a file: .none when dpkg-query
    /// answered that none did (or the file is not where packages put
    /// theirs), .unknown when it could not answer (it did not start, a
    /// signal ended it, or it exited with an error).
    private func packageOwning(_ path: String) -> PackageOwner {
        guard path.hasPrefix("/usr/") || path.hasPrefix("/lib") || path.hasPrefix("/bin") || path.hasPrefix("/sbin"),
              dept_libc_is_executable("/usr/bin/dpkg-query") != 0 else { return .none }
        var variants = [path]
        if path.hasPrefix("/usr/") { variants.append(String(path.dropFirst(4))) } else { variants.append("/usr" + path) }
        var answered = true
        for v in variants {
            let (out, exit) = runWithStatus("/usr/bin/dpkg-query", ["-S", v], input: nil)
            // 0: found, 1: not found; anything else is no answer.
            if exit != 0 && exit != 1 { answered = false }
            // "libfoo1:amd64: /usr/lib/x86_64-linux-gnu/libfoo.so.1"
            if let line = out.split(separator: "\n").first, let sep = line.firstIndex(of: " "), sep > line.startIndex,
               line[line.index(before: sep)] == ":" {
                var pkg = String(line[..<line.index(before: sep)])
                if let comma = pkg.firstIndex(of: ",") { pkg = String(pkg[..<comma]) }
                if let colon = pkg.firstIndex(of: ":") { pkg = String(pkg[..<colon]) }
                if !pkg.isEmpty && !pkg.contains(" ") { return .package(pkg) }
            }
        }
        return answered ? .none : .unknown
    }


    /// Demangled forms of the Swift names among `names`, by one run of
    /// swift-demangle. Without it the names stay mangled, and the first
    /// report that shows one says so once.
    private func demangle(_ names: Set<String>) -> [String: String] {
        let list = names.filter(isSwiftMangled).sorted()
        if list.isEmpty { return [:] }
        guard let demangler else {
            if !toldDemanglerMissing {
                toldDemanglerMissing = true
                emit("DEPT: warning: swift-demangle not found (it comes with the Swift toolchain): Swift names in reports stay mangled; put it on PATH, or run `dept symbolize` on a JSON report where it is\n")
            }
            return [:]
        }
        let lines = run(demangler, ["-compact"], input: list.joined(separator: "\n") + "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String: String] = [:]
        if lines.count >= list.count {
            for (m, d) in zip(list, lines) where !d.isEmpty { out[m] = String(d) }
        }
        return out
    }

    /// Whether addr2line answered for every module.
    private func addr2line(_ tool: String, _ queries: [(UInt, Module, UInt)], _ out: inout [UInt: Frame]) -> Bool {
        var byModule: [String: [(UInt, UInt)]] = [:]
        for q in queries { byModule[q.1.path, default: []].append((q.0, q.2)) }
        var answered = true
        for (path, list) in byModule {
            let args = ["-f", "-C", "-e", path] + list.map { "0x" + String($0.1 &- 1, radix: 16) }
            let text = run(tool, args, input: nil)
            if text.isEmpty { answered = false }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (i, q) in list.enumerated() where 2 * i + 1 < lines.count {
                let fn = String(lines[2 * i]), loc = lines[2 * i + 1].split(separator: ":")
                if fn != "??" { out[q.0]?.function = fn }
                if loc.count >= 2, loc[0] != "??", let l = Int(loc[1].split(separator: " ")[0]), l > 0 {
                    out[q.0]?.file = String(loc[0]); out[q.0]?.line = l
                }
            }
        }
        return answered
    }

    /// One llvm-symbolizer process answers every query of a report; each
    /// answer ends with an empty line.
    private func ask(_ tool: String, _ lines: [String]) -> [String] {
        let text = run(tool, ["--inlining=true", "--functions=linkage", "--demangle"], input: lines.joined(separator: "\n") + "\n")
        var answers: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !current.isEmpty { answers.append(current); current = "" }
            } else {
                current += current.isEmpty ? String(line) : "\n" + line
            }
        }
        if !current.isEmpty { answers.append(current) }
        return answers.count == lines.count ? answers : []
    }

    /// Runs a helper without our preload, to its end, its input from an
    /// unlinked temporary file and its output into another (the calling
    /// thread waits meanwhile: helper_process.c).
    private func run(_ tool: String, _ args: [String], input: String?) -> String {
        runWithStatus(tool, args, input: input).output
    }

    /// The tool's output, and its exit status when it ran and exited (nil:
    /// it could not be started, or a signal ended it).
    private func runWithStatus(_ tool: String, _ args: [String], input: String?) -> (output: String, exit: Int32?) {
        var inFD: Int32 = -1
        if let input {
            inFD = dept_libc_temp_file()
            guard inFD >= 0 else { return ("", nil) }
            _ = writeAll(inFD, input)
            _ = dept_libc_rewind(inFD)
        }
        let outFD = dept_libc_temp_file()
        guard outFD >= 0 else { if inFD >= 0 { dept_libc_close(inFD) }; return ("", nil) }
        var env: [String] = []
        if let environ = dept_libc_environ() {
            var e = environ
            while let p = e.pointee {
                let s = String(cString: p)
                if !s.hasPrefix("LD_PRELOAD=") && !s.hasPrefix("DEPT_OPTIONS=") { env.append(s) }
                e += 1
            }
        }
        let argv = CStringArray([tool] + args), envp = CStringArray(env)
        var status: Int32 = 0
        let rc = dept_libc_run_helper(tool, argv.pointers, envp.pointers, inFD, outFD, &status)
        argv.free(); envp.free()
        if inFD >= 0 { dept_libc_close(inFD) }
        var result: [UInt8] = []
        if rc == 0, dept_libc_rewind(outFD) == 0 { result = readAll(outFD) }
        dept_libc_close(outFD)
        // A wait status: exited normally when its low 7 bits are 0.
        let exit: Int32? = rc == 0 && status & 0x7f == 0 ? (status >> 8) & 0xff : nil
        return (String(decoding: result, as: UTF8.self), exit)
    }
}

/// A NULL-terminated array of C strings (argv, envp) in memory of our own.
struct CStringArray {
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: count + 1)
        for (i, s) in strings.enumerated() {
            let bytes = Array(s.utf8)
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (j, b) in bytes.enumerated() { p[j] = CChar(bitPattern: b) }
            p[bytes.count] = 0
            pointers[i] = p
        }
        pointers[count] = nil
    }

    func free() {
        for i in 0..<count { pointers[i]?.deallocate() }
        pointers.deallocate()
    }
}
