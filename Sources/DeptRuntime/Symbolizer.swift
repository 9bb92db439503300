import CShim
import DeptCore
import Glibc

@_silgen_name("swift_demangle")
private func _swift_demangle(_ mangled: UnsafePointer<CChar>?, _ length: Int, _ out: UnsafeMutablePointer<CChar>?,
                             _ outLength: UnsafeMutablePointer<Int>?, _ flags: UInt32) -> UnsafeMutablePointer<CChar>?

/// Demangles Swift names (llvm-symbolizer only demangles C++).
func demangleSwift(_ name: String) -> String {
    guard name.hasPrefix("$s") || name.hasPrefix("_$s") || name.hasPrefix("$S") || name.hasPrefix("_T0") else { return name }
    return name.withCString { p in
        guard let d = _swift_demangle(p, strlen(p), nil, nil, 0) else { return name }
        defer { free(d) }
        return String(cString: d)
    }
}

/// Symbolizes at report time, outside every hot path: llvm-symbolizer (the
/// Swift toolchain's, or one on PATH), else addr2line, else dladdr. The
/// helper runs as a child process without our preload.
struct ProcessSymbolizer: Symbolizing {
    let mods: [Module]
    let tool: String?
    let enabled: Bool

    init(options: Options) {
        var list: [Module] = []
        var buf = [dept_module](repeating: dept_module(), count: 1024)
        let n = Int(dept_shim_modules(&buf, UInt32(buf.count)))
        for m in buf.prefix(min(n, buf.count)) {
            var path = m.path.map { String(cString: $0) } ?? ""
            if path.isEmpty { path = Self.selfExe() }
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
        tool = options.symbolizerPath ?? Self.findTool()
    }

    static func selfExe() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        return n > 0 ? String(cString: buf) : ""
    }

    static func findTool() -> String? {
        var candidates: [String] = []
        if let p = getenv("DEPT_SYMBOLIZER") { candidates.append(String(cString: p)) }
        candidates.append("/opt/swift/usr/bin/llvm-symbolizer")
        if let path = getenv("PATH") {
            for dir in String(cString: path).split(separator: ":") {
                candidates.append("\(dir)/llvm-symbolizer")
            }
            for dir in String(cString: path).split(separator: ":") {
                candidates.append("\(dir)/addr2line")
            }
        }
        candidates += ["/usr/bin/llvm-symbolizer", "/usr/bin/addr2line"]
        return candidates.first { access($0, X_OK) == 0 }
    }

    func modules() -> [Module] { mods }

    func module(of pc: UInt) -> Module? {
        mods.first { pc >= $0.base && pc < $0.end && $0.end > 0 } ?? mods.first { pc >= $0.base && pc < $0.end }
    }

    mutating func frames(for pcs: [UInt]) -> [UInt: Frame] {
        var out: [UInt: Frame] = [:]
        var queries: [(UInt, Module, UInt)] = []
        for pc in pcs {
            guard let m = module(of: pc) else { out[pc] = Frame(pc: pc); continue }
            let off = pc - m.base
            out[pc] = Frame(pc: pc, module: m.path, offset: off)
            queries.append((pc, m, off))
        }
        guard enabled else { return out }
        if let tool, !queries.isEmpty {
            if tool.hasSuffix("addr2line") {
                addr2line(tool, queries, &out)
            } else {
                // Return addresses point after the call: look up pc-1 so the
                // line is the call's, not the next statement's.
                let answers = ask(tool, queries.map { "CODE \($0.1.path) 0x\(String($0.2 &- 1, radix: 16))" })
                for (q, a) in zip(queries, answers) {
                    let lines = a.split(separator: "\n", omittingEmptySubsequences: false)
                    guard lines.count >= 2 else { continue }
                    var f = out[q.0]!
                    let fn = String(lines[0])
                    if fn != "??" { f.function = demangleSwift(fn) }
                    let loc = lines[1].split(separator: ":")
                    if loc.count >= 2, let l = Int(loc[1]), l > 0, loc[0] != "??" {
                        f.file = String(loc[0]); f.line = l
                    }
                    out[q.0] = f
                }
            }
        }
        // dladdr for what the tools could not name.
        for pc in pcs where out[pc]?.function == nil {
            var at: UInt = 0
            if let s = dept_shim_symbol_at(pc, &at) {
                out[pc]?.function = demangleSwift(String(cString: s))
            }
        }
        return out
    }

    mutating func dataNames(for addrs: [UInt]) -> [UInt: String] {
        var out: [UInt: String] = [:]
        var queries: [(UInt, Module, UInt)] = []
        for a in addrs {
            guard let m = module(of: a) else { continue }
            queries.append((a, m, a - m.base))
        }
        if enabled, let tool, !tool.hasSuffix("addr2line"), !queries.isEmpty {
            let answers = ask(tool, queries.map { "DATA \($0.1.path) 0x\(String($0.2, radix: 16))" })
            for (q, a) in zip(queries, answers) {
                let lines = a.split(separator: "\n")
                guard lines.count >= 2, lines[0] != "??" else { continue }
                let name = demangleSwift(String(lines[0]))
                let parts = lines[1].split(separator: " ")
                // "<start> <size>", decimal.
                if let startText = parts.first, let start = UInt(startText), start <= q.2, q.2 - start > 0 {
                    out[q.0] = "\(name)+\(q.2 - start)"
                } else {
                    out[q.0] = name
                }
            }
        }
        for q in queries where out[q.0] == nil {
            var at: UInt = 0
            if let s = dept_shim_symbol_at(q.0, &at), at == q.0 {
                out[q.0] = demangleSwift(String(cString: s))
            } else {
                out[q.0] = "\(q.1.path.split(separator: "/").last.map(String.init) ?? "?")+0x\(String(q.2, radix: 16))"
            }
        }
        return out
    }

    private func addr2line(_ tool: String, _ queries: [(UInt, Module, UInt)], _ out: inout [UInt: Frame]) {
        var byModule: [String: [(UInt, UInt)]] = [:]
        for q in queries { byModule[q.1.path, default: []].append((q.0, q.2)) }
        for (path, list) in byModule {
            let args = ["-f", "-C", "-e", path] + list.map { "0x" + String($0.1 &- 1, radix: 16) }
            let text = run(tool, args, input: nil)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (i, q) in list.enumerated() where 2 * i + 1 < lines.count {
                let fn = String(lines[2 * i]), loc = lines[2 * i + 1].split(separator: ":")
                if fn != "??" { out[q.0]?.function = demangleSwift(fn) }
                if loc.count >= 2, loc[0] != "??", let l = Int(loc[1].split(separator: " ")[0]), l > 0 {
                    out[q.0]?.file = String(loc[0]); out[q.0]?.line = l
                }
            }
        }
    }

    /// One llvm-symbolizer process answers every query of a report; each
    /// answer ends with an empty line.
    private func ask(_ tool: String, _ lines: [String]) -> [String] {
        let text = run(tool, ["--inlining=false", "--functions=linkage", "--demangle"], input: lines.joined(separator: "\n") + "\n")
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

    /// Runs a helper without our preload; feeds `input` from a writer thread-
    /// free loop (input is written before output is read; queries are small
    /// and the child reads all input before exiting, so we write it through a
    /// temporary file to never block on a full pipe).
    private func run(_ tool: String, _ args: [String], input: String?) -> String {
        var inFD: Int32 = -1
        if let input {
            var tmpl = Array("/tmp/dept-sym-XXXXXX".utf8CString)
            inFD = mkstemp(&tmpl)
            guard inFD >= 0 else { return "" }
            unlink(&tmpl)
            _ = input.withCString { write(inFD, $0, strlen($0)) }
            lseek(inFD, 0, SEEK_SET)
        }
        var outPipe: [Int32] = [0, 0]
        guard dept_shim_pipe_cloexec(&outPipe) == 0 else { if inFD >= 0 { close(inFD) }; return "" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        if inFD >= 0 { posix_spawn_file_actions_adddup2(&actions, inFD, 0) }
        else { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var env: [String] = []
        var e = environ
        while let p = e.pointee {
            let s = String(cString: p)
            if !s.hasPrefix("LD_PRELOAD=") && !s.hasPrefix("DEPT_OPTIONS=") { env.append(s) }
            e += 1
        }
        let argv = ([tool] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, tool, &actions, nil, argv, envp)
        posix_spawn_file_actions_destroy(&actions)
        argv.forEach { free($0) }
        envp.forEach { free($0) }
        close(outPipe[1])
        if inFD >= 0 { close(inFD) }
        var result: [UInt8] = []
        if rc == 0 {
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(outPipe[0], &buf, buf.count)
                if n > 0 { result += buf[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        close(outPipe[0])
        return String(decoding: result, as: UTF8.self)
    }
}
