/// JSON rendering (schema `dept-report`, version 1, documented in
/// docs/report-schema.json): one object per report, on one line, carrying
/// every field of the text report plus raw addresses and the module map, so
/// CI tools and `dept report` never parse text.
public enum JSONReport {
    public static let schemaVersion = 1

    public static func str(_ s: String) -> String {
        var o = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": o += "\\\""
            case "\\": o += "\\\\"
            case "\n": o += "\\n"
            case "\r": o += "\\r"
            case "\t": o += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    o += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else { o.unicodeScalars.append(u) }
            }
        }
        return o + "\""
    }
    static func opt(_ s: String?) -> String { s.map(str) ?? "null" }
    static func hex(_ v: UInt) -> String { str("0x" + String(v, radix: 16)) }

    static func frame(_ f: Frame) -> String {
        "{\"pc\":\(hex(f.pc)),\"module\":\(str(f.module)),\"offset\":\(hex(f.offset)),\"function\":\(opt(f.function)),\"file\":\(opt(f.file)),\"line\":\(f.line)}"
    }
    static func stack(_ s: [Frame]) -> String { "[" + s.map(frame).joined(separator: ",") + "]" }
    static func point(_ p: Point) -> String {
        "{\"operation\":\(str(p.operation)),\"object\":\(str(p.object)),\"instance\":\(p.instance),\"text\":\(str(p.text)),\"stack\":\(stack(p.stack)),\"stack_thread\":\(opt(p.stackThread))}"
    }
    static func thread(_ t: ThreadRef) -> String {
        "{\"id\":\(t.tid),\"os_tid\":\(t.osTid),\"name\":\(opt(t.name)),\"created_at\":\(stack(t.createdAt))}"
    }

    public static func render(_ r: Report, text: String) -> String {
        var s = "{\"schema\":\"dept-report\",\"version\":\(schemaVersion),\"kind\":\(str(r.kind.rawValue)),\"pid\":\(r.pid)"
        s += ",\"headline\":\(str(r.headline)),\"key\":\(str(r.key)),\"hang_ms\":\(r.hangMs)"
        if let family = r.family { s += ",\"family\":\(str(family))" }
        s += ",\"sentence\":\(str(r.sentence))"
        s += ",\"scenario\":[" + r.scenario.map { "{\"column\":\($0.column),\"text\":\(str($0.text))}" }.joined(separator: ",") + "]"
        s += ",\"contexts\":[" + r.contexts.map { c in
            "{\"label\":\(str(c.label)),\"thread\":\(thread(c.thread)),\"sentence\":\(str(c.sentence)),\"start\":\(point(c.start)),\"wait\":\(point(c.wait)),\"event\":\(point(c.event))}"
        }.joined(separator: ",") + "]"
        s += ",\"blocked\":[" + r.blocked.map { b in
            "{\"thread\":\(thread(b.thread)),\"waits_for\":\(point(b.waitsFor)),\"detail\":\(str(b.detail)),\"blocked_ms\":\(b.blockedMs),\"holds\":[\(b.holds.map(point).joined(separator: ","))]}"
        }.joined(separator: ",") + "]"
        s += ",\"notes\":[" + r.notes.map(str).joined(separator: ",") + "]"
        s += ",\"suppression\":\(opt(r.suppression))"
        if let f = r.summaryFrame {
            s += ",\"summary\":{\"kind\":\(str(r.summaryKind)),\"location\":\(str(f.shortLocation)),\"function\":\(opt(f.function)),\"frame\":\(frame(f))}"
        } else {
            s += ",\"summary\":{\"kind\":\(str(r.summaryKind)),\"location\":null,\"function\":null,\"frame\":null}"
        }
        s += ",\"modules\":[" + r.modules.map { m in
            "{\"path\":\(str(m.path)),\"base\":\(hex(m.base)),\"end\":\(hex(m.end)),\"build_id\":\(str(m.buildID))}"
        }.joined(separator: ",") + "]"
        s += ",\"text\":\(str(text))}"
        return s
    }

    public static func warning(pid: Int32, message: String, stack frames: [Frame], text: String, kind: String = "warning") -> String {
        "{\"schema\":\"dept-report\",\"version\":\(schemaVersion),\"kind\":\(str(kind)),\"pid\":\(pid),\"message\":\(str(message)),\"stack\":\(stack(frames)),\"text\":\(str(text))}"
    }
}
