/// Separate debug files, found the way gdb finds them. Packaged software is
/// stripped; its debug information lives in another file, named by the
/// module's build ID (`/usr/lib/debug/.build-id/ab/cdef....debug`, what
/// Debian's -dbgsym packages install) or by its `.gnu_debuglink` section (a
/// file name looked up next to the module, in its `.debug` directory, and
/// under `/usr/lib/debug` + the module's directory). The symbolizer is then
/// asked about that file: it has the same addresses, plus names and lines.
public enum DebugFiles {
    /// What a module's section headers say about its debug information.
    public struct Sections: Sendable, Equatable {
        public var hasDebugInfo: Bool
        public var debugLink: String?
        public init(hasDebugInfo: Bool, debugLink: String?) { self.hasDebugInfo = hasDebugInfo; self.debugLink = debugLink }
    }

    static func u16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> Int { u16(b, o) | u16(b, o + 2) << 16 }
    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 { UInt64(u32(b, o)) | UInt64(u32(b, o + 4)) << 32 }

    /// Reads the section headers of a 64-bit little-endian ELF file through
    /// `read(offset, count)` (which returns fewer bytes at the end of the
    /// file); nil when it is not one.
    public static func sections(read: (UInt64, Int) -> [UInt8]) -> Sections? {
        let h = read(0, 64)
        guard h.count == 64, h[0] == 0x7f, h[1] == 0x45, h[2] == 0x4c, h[3] == 0x46, h[4] == 2, h[5] == 1 else { return nil }
        let shoff = u64(h, 0x28), shentsize = u16(h, 0x3a), shnum = u16(h, 0x3c), shstrndx = u16(h, 0x3e)
        guard shoff > 0, shentsize >= 64, shnum > 0, shnum < 65536, shstrndx < shnum else { return nil }
        let table = read(shoff, shnum * shentsize)
        guard table.count == shnum * shentsize else { return nil }
        func header(_ i: Int) -> (name: Int, type: Int, offset: UInt64, size: Int) {
            let o = i * shentsize
            return (u32(table, o), u32(table, o + 4), u64(table, o + 0x18), Int(min(u64(table, o + 0x20), 1 << 24)))
        }
        let strtab = header(shstrndx)
        let names = read(strtab.offset, strtab.size)
        func name(_ at: Int) -> String {
            guard at < names.count else { return "" }
            var end = at
            while end < names.count && names[end] != 0 { end += 1 }
            return String(decoding: names[at..<end], as: UTF8.self)
        }
        var result = Sections(hasDebugInfo: false, debugLink: nil)
        for i in 0..<shnum {
            let s = header(i)
            let n = name(s.name)
            // SHT_NOBITS (8): a stripped debug file keeps the headers only.
            if n == ".debug_info" && s.type != 8 && s.size > 0 { result.hasDebugInfo = true }
            if n == ".gnu_debuglink" && s.size > 4 {
                let d = read(s.offset, s.size)
                var end = 0
                while end < d.count && d[end] != 0 { end += 1 }
                if end > 0 { result.debugLink = String(decoding: d[0..<end], as: UTF8.self) }
            }
        }
        return result
    }

    /// The files that may hold `module`'s debug information, in gdb's order.
    public static func candidates(module: String, buildID: String, debugLink: String?,
                                  debugRoot: String = "/usr/lib/debug") -> [String] {
        var out: [String] = []
        if buildID.count > 2 {
            let id = Array(buildID)
            out.append("\(debugRoot)/.build-id/\(String(id[0..<2]))/\(String(id[2...])).debug")
        }
        if let link = debugLink, !link.contains("/") {
            var dir = "."
            if let slash = module.lastIndex(of: "/") { dir = String(module[..<slash]) }
            out.append("\(dir)/\(link)")
            out.append("\(dir)/.debug/\(link)")
            out.append("\(debugRoot)\(dir.hasPrefix("/") ? dir : "/" + dir)/\(link)")
        }
        return out
    }
}
