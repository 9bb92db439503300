/// The text rendering, in the kernel DEPT's shape: headline, summary with
/// [S]/[W]/[E] per context, legend, per-context details with stacks, the
/// dedup key and a SUMMARY line.
public enum TextReport {
    static let rule = String(repeating: "-", count: 51)
    static let doubleRule = String(repeating: "=", count: 51)

    public static func frame(_ f: Frame, _ i: Int) -> String {
        let pc = String(f.pc, radix: 16)
        var s = "    #\(i) 0x\(String(repeating: "0", count: max(0, 12 - pc.count)))\(pc)"
        s += " " + (f.function ?? "??")
        if let file = f.file, f.line > 0 { s += " \(file):\(f.line)" }
        let mod = f.module.split(separator: "/").last.map(String.init) ?? f.module
        if !mod.isEmpty { s += " (\(mod)+0x\(String(f.offset, radix: 16)))" }
        return s
    }

    static func stack(_ frames: [Frame]) -> String {
        if frames.isEmpty { return "    (no stack recorded)\n" }
        return frames.enumerated().map { frame($1, $0) + "\n" }.joined()
    }

    static func summary(_ c: Context) -> String {
        "context \(c.label): thread \(c.thread.title)\n"
            + "    [S] \(c.start.text)\n    [W] \(c.wait.text)\n    [E] \(c.event.text)\n"
    }

    public static func render(_ r: Report) -> String {
        var s = doubleRule + "\n" + r.headline + "\n"
        if !r.contexts.isEmpty {
            s += rule + "\nsummary\n" + rule + "\n"
            for c in r.contexts { s += summary(c) + "\n" }
            s += "[S]: start of the event context\n[W]: the wait blocked\n[E]: the event not reachable\n"
            for c in r.contexts {
                s += rule + "\ncontext \(c.label)'s detail\n" + rule + "\n"
                s += summary(c) + "\n"
                s += "[S] \(c.start.text):\n" + stack(c.start.stack)
                s += "\n[W] \(c.wait.text):\n" + stack(c.wait.stack)
                s += "\n[E] \(c.event.text):\n" + stack(c.event.stack)
                if c.thread.tid != 1 && !c.thread.createdAt.isEmpty {
                    s += "\nthread \(c.thread.title) created at:\n" + stack(c.thread.createdAt)
                }
                s += "\n"
            }
        }
        if !r.blocked.isEmpty {
            s += rule + "\nblocked threads\n" + rule + "\n"
            for b in r.blocked {
                s += "thread \(b.thread.title) blocked for \(b.blockedMs) ms in \(b.waitsFor.text): \(b.detail)\n"
                s += stack(b.waitsFor.stack)
                if b.thread.tid != 1 && !b.thread.createdAt.isEmpty {
                    s += "  created at:\n" + stack(b.thread.createdAt)
                }
                s += "\n"
            }
        }
        s += rule + "\n"
        s += "key: \(r.key)\n"
        var where_ = "(unknown)"
        if let f = r.summaryFrame {
            where_ = f.shortLocation + " in " + (f.function ?? "??")
        }
        s += "SUMMARY: DEPT: \(r.summaryKind) \(where_)\n"
        return s
    }

    /// A cycle through a timed wait (R2.7): its headline (without the
    /// `DEPT: info: ` prefix), then the summary of its contexts and its key.
    /// It is information, never a deadlock: the timed wait ends by itself.
    public static func timedCycleMessage(_ r: Report) -> String {
        "circular dependency of \(r.contexts.count) events through a timed wait (pid \(r.pid)); "
            + "the timed wait ends by itself, so this cannot hang"
    }

    public static func timedCycle(_ r: Report) -> String {
        var s = "DEPT: info: " + timedCycleMessage(r) + "\n"
        for c in r.contexts { s += summary(c) }
        s += "key: \(r.key)\n"
        return s
    }

    public static func warning(_ text: String, stack frames: [Frame] = []) -> String {
        "DEPT: warning: " + text + "\n" + (frames.isEmpty ? "" : stack(frames))
    }
}
