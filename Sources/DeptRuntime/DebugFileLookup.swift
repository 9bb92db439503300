import CShim

/// The file to ask the symbolizer about for a module: the module itself
/// when it carries debug information, else its separate debug file
/// (DebugFiles: build ID, .gnu_debuglink), else the module.
struct DebugFileLookup {
    struct Answer {
        var queryPath: String
        /// Neither the module nor a debug file has debug information.
        var missing: Bool
    }
    private var cache: [String: Answer] = [:]

    mutating func resolve(_ m: Module) -> Answer {
        if let a = cache[m.path] { return a }
        var answer = Answer(queryPath: m.path, missing: false)
        if let s = Self.sections(m.path), !s.hasDebugInfo {
            answer.missing = true
            for c in DebugFiles.candidates(module: m.path, buildID: m.buildID, debugLink: s.debugLink) where c != m.path {
                if dept_libc_is_readable(c) != 0, Self.sections(c)?.hasDebugInfo == true {
                    answer = Answer(queryPath: c, missing: false)
                    break
                }
            }
        }
        cache[m.path] = answer
        return answer
    }

    static func sections(_ path: String) -> DebugFiles.Sections? {
        let fd = dept_libc_open_read(path)
        guard fd >= 0 else { return nil }
        defer { _ = dept_libc_close(fd) }
        return DebugFiles.sections { offset, count in
            guard count > 0 else { return [] }
            var buf = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = buf.withUnsafeMutableBytes { dept_libc_pread(fd, $0.baseAddress! + got, count - got, Int64(offset) + Int64(got)) }
                if n < 0 && dept_libc_errno() == EINTR { continue }
                if n <= 0 { break }
                got += n
            }
            return Array(buf[0..<got])
        }
    }
}
