/// The text rendering: the headline, one plain sentence of what is wrong,
/// lockdep's scenario for a lock cycle, then each context once with the
/// stack of its [S], [W] and [E] (frames of the threading runtime folded
/// away), the blocked threads of a live report with what they hold, notes,
/// a ready suppression line, the dedup key and the SUMMARY line.
public enum TextReport {
    static let rule = String(repeating: "-", count: 51)
    static let doubleRule = String(repeating: "=", count: 51)

    /// How to print: sanitizer-style `strip_path_prefix` and terminal colour.
    public struct Style: Sendable {
        public var stripPathPrefix: String = ""
        public var color = false
        public init(stripPathPrefix: String = "", color: Bool = false) {
            self.stripPathPrefix = stripPathPrefix; self.color = color
        }

        func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m" + s + "\u{1B}[0m" : s }
        func path(_ p: String) -> String {
            if !stripPathPrefix.isEmpty && p.hasPrefix(stripPathPrefix) { return String(p.dropFirst(stripPathPrefix.count)) }
            return p
        }
    }

    /// `#i function file:line (module+0xoffset)`; `i` is the frame's index
    /// in the whole stack (JSON keeps every frame).
    public static func frame(_ f: Frame, _ i: Int, style: Style = Style()) -> String {
        var s = "    #\(i) " + style.paint(f.function ?? "??", "34")
        if let file = f.file, f.line > 0 { s += " \(style.path(file)):\(f.line)" }
        let mod = f.module.split(separator: "/").last.map(String.init) ?? f.module
        if !mod.isEmpty { s += " (\(mod)+0x\(String(f.offset, radix: 16)))" }
        return s
    }

    static func stack(_ frames: [Frame], style: Style) -> String {
        if frames.isEmpty { return "    (no stack recorded)\n" }
        return RuntimeFrames.shown(frames).map { frame($0.frame, $0.index, style: style) + "\n" }.joined()
    }

    /// A point's title line: `[W] pthread_mutex_lock(B):`, and for an [E]
    /// seen only in another thread, where it comes from.
    static func point(_ tag: String, _ p: Point, thread: ThreadRef, style: Style) -> String {
        var s = style.paint("[\(tag)]", tag == "W" ? "1;31" : "1") + " " + p.text
        if let other = p.stackThread { s += " (not seen in T\(thread.tid) yet; e.g., in \(other) at)" }
        if tag == "E" && p.stack.isEmpty { return s + ":\n    (not seen yet: no thread has done it)\n" }
        return s + ":\n" + stack(p.stack, style: style)
    }

    static func scenario(_ r: Report) -> String {
        guard !r.scenario.isEmpty else { return "" }
        let columns = r.contexts.count
        var width = 0
        for step in r.scenario { width = max(width, step.text.count) }
        for c in r.contexts { width = max(width, c.thread.shortTitle.count) }
        width += 4
        func row(_ cells: [String]) -> String {
            var line = "    "
            for (i, c) in cells.enumerated() {
                line += c
                if i + 1 < cells.count { line += String(repeating: " ", count: max(1, width - c.count)) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line + "\n"
        }
        var s = "scenario (one possible interleaving):\n"
        s += row(r.contexts.map { $0.thread.shortTitle })
        s += row(r.contexts.map { String(repeating: "-", count: $0.thread.shortTitle.count) })
        for step in r.scenario where step.column < columns {
            var cells = [String](repeating: "", count: step.column + 1)
            cells[step.column] = step.text
            s += row(cells)
        }
        s += "    *** every thread waits for the next ***\n"
        return s
    }

    /// One blocked thread of a live report (or a stall dump): what it
    /// waits for and why, its stack, what it holds, where it was created.
    /// `context`: the label of the context that already shows this
    /// thread's stacks (a deadlock's cycle), which are then not repeated.
    public static func blockedThread(_ b: BlockedThread, style: Style, context: String? = nil) -> String {
        var s = "thread \(b.thread.title) blocked for \(b.blockedMs) ms in \(b.waitsFor.text): \(b.detail)\n"
        if let label = context {
            s += "    (its stacks: context \(label) above)\n"
            if !b.holds.isEmpty { s += "  holds " + b.holds.map { $0.object }.joined(separator: ", ") + "\n" }
            return s
        }
        s += stack(b.waitsFor.stack, style: style)
        if !b.holds.isEmpty {
            s += "  holds " + b.holds.map { h -> String in
                guard let f = RuntimeFrames.best(h.stack) else { return h.object }
                return "\(h.object) (\(f.function.map { FunctionName.base($0) + " " } ?? "")\(f.shortLocation))"
            }.joined(separator: ", ") + "\n"
        }
        if b.thread.tid != 1 && !b.thread.createdAt.isEmpty {
            s += "  created at:\n" + stack(b.thread.createdAt, style: style)
        }
        return s
    }

    public static func render(_ r: Report, style: Style = Style()) -> String {
        var s = doubleRule + "\n" + style.paint(r.headline, "1;31") + "\n"
        if !r.sentence.isEmpty { s += style.paint(r.sentence, "1") + "\n" }
        if !r.scenario.isEmpty { s += "\n" + scenario(r) }
        if !r.contexts.isEmpty {
            s += rule + "\n"
            s += "[S]: the event context starts   [W]: a wait that may block   [E]: the event another context waits for\n"
            for c in r.contexts {
                s += "\n" + style.paint("context \(c.label): thread \(c.thread.title)", "1") + "\n"
                s += point("S", c.start, thread: c.thread, style: style)
                s += point("W", c.wait, thread: c.thread, style: style)
                s += point("E", c.event, thread: c.thread, style: style)
                if c.thread.tid != 1 && !c.thread.createdAt.isEmpty {
                    s += "created at:\n" + stack(c.thread.createdAt, style: style)
                }
            }
        }
        if !r.blocked.isEmpty {
            s += rule + "\nblocked threads\n" + rule + "\n"
            for (i, b) in r.blocked.enumerated() {
                if i > 0 { s += "\n" }
                let shown = r.contexts.first { $0.thread.tid == b.thread.tid }
                s += blockedThread(b, style: style, context: shown?.label)
            }
        }
        s += rule + "\n"
        for n in r.notes { s += "note: \(n)\n" }
        if let sup = r.suppression { s += "to suppress: \(sup)\n" }
        s += "key: \(r.key)\n"
        s += "SUMMARY: DEPT: \(r.summaryKind) \(summaryPlace(r.summaryFrame))\n"
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
        for c in r.contexts {
            s += "context \(c.label): thread \(c.thread.title)\n"
                + "    [S] \(c.start.text)\n    [W] \(c.wait.text)\n    [E] \(c.event.text)\n"
        }
        s += "key: \(r.key)\n"
        return s
    }

    /// Another cycle of a family already printed (ReportFamily): one line
    /// naming the report printed and this cycle's own classes and sites.
    public static func sameWaits(_ r: Report, as printed: String) -> String {
        "DEPT: info: potential deadlock \(printed) again, through other classes at the same waits "
            + "(pid \(r.pid), key \(r.key)): \(r.sentence)\n"
    }

    /// `file:line in function` of the frame the report points at.
    public static func summaryPlace(_ f: Frame?) -> String {
        guard let f else { return "(unknown)" }
        return f.shortLocation + " in " + (f.function.map { FunctionName.base($0) } ?? "??")
    }

    public static func warning(_ text: String, stack frames: [Frame] = [], style: Style = Style()) -> String {
        "DEPT: warning: " + text + "\n" + (frames.isEmpty ? "" : stack(frames, style: style))
    }
}
