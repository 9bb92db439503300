import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Just enough ELF to read a GNU build ID (the NT_GNU_BUILD_ID note), which
/// is how `dept symbolize` matches the modules of a report with binaries.
enum ELF {
    /// Reads `count` bytes at `offset`, or nil.
    private static func read(_ fd: Int32, _ offset: UInt64, _ count: Int) -> [UInt8]? {
        guard count > 0, count < (64 << 20) else { return nil }
        var buf = [UInt8](repeating: 0, count: count)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        return n == count ? buf : nil
    }

    private static func u16(_ b: [UInt8], _ at: Int) -> UInt64 { UInt64(b[at]) | UInt64(b[at + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ at: Int) -> UInt64 { u16(b, at) | u16(b, at + 2) << 16 }
    private static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { u32(b, at) | u32(b, at + 4) << 32 }

    /// True when the file starts with the ELF magic.
    static func isELF(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard let h = read(fd, 0, 4) else { return false }
        return h == [0x7f, 0x45, 0x4c, 0x46]
    }

    /// The build ID as lowercase hex, or nil (not ELF, no note, 32-bit or
    /// big-endian file).
    static func buildID(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let h = read(fd, 0, 64), h[0] == 0x7f, h[1] == 0x45, h[2] == 0x4c, h[3] == 0x46,
              h[4] == 2 /* ELFCLASS64 */, h[5] == 1 /* little endian */ else { return nil }
        // Program headers: PT_NOTE segments.
        let phoff = u64(h, 0x20), phentsize = Int(u16(h, 0x36)), phnum = Int(u16(h, 0x38))
        if phoff > 0, phentsize >= 56, phnum > 0, let ph = read(fd, phoff, phentsize * phnum) {
            for i in 0..<phnum {
                let e = i * phentsize
                if u32(ph, e) == 4 /* PT_NOTE */, let id = note(fd, offset: u64(ph, e + 8), size: u64(ph, e + 32)) { return id }
            }
        }
        // Section headers: SHT_NOTE sections (separate debug files).
        let shoff = u64(h, 0x28), shentsize = Int(u16(h, 0x3a)), shnum = Int(u16(h, 0x3c))
        if shoff > 0, shentsize >= 64, shnum > 0, let sh = read(fd, shoff, shentsize * shnum) {
            for i in 0..<shnum {
                let e = i * shentsize
                if u32(sh, e + 4) == 7 /* SHT_NOTE */, let id = note(fd, offset: u64(sh, e + 0x18), size: u64(sh, e + 0x20)) { return id }
            }
        }
        return nil
    }

    private static func note(_ fd: Int32, offset: UInt64, size: UInt64) -> String? {
        guard size >= 12, size < (1 << 20), let b = read(fd, offset, Int(size)) else { return nil }
        var at = 0
        while at + 12 <= b.count {
            let namesz = Int(u32(b, at)), descsz = Int(u32(b, at + 4)), type = u32(b, at + 8)
            let nameAt = at + 12
            let descAt = nameAt + ((namesz + 3) & ~3)
            let next = descAt + ((descsz + 3) & ~3)
            guard next <= b.count, namesz >= 0, descsz >= 0 else { return nil }
            if type == 3 /* NT_GNU_BUILD_ID */, namesz == 4, b[nameAt..<nameAt + 3] == [0x47, 0x4e, 0x55][...] {
                return b[descAt..<descAt + descsz].map { String(format: "%02x", $0) }.joined()
            }
            at = next
        }
        return nil
    }
}
