import DeptCore
import Foundation

/// Graphviz rendering of cycles: one cluster per report, inside it one
/// cluster per context (thread) with its [S], [W] and [E] nodes; an edge
/// [S] -> [W] inside a context, and an edge from a context's [W] to the [E]
/// of the context it waits for (the next one in the cycle), each labelled
/// with the source line of the target point.
enum DotRender {
    static func escape(_ s: String) -> String {
        var o = ""
        for ch in s {
            switch ch {
            case "\\": o += "\\\\"
            case "\"": o += "\\\""
            case "\n": o += "\\n"
            case "\r": continue
            default: o.append(ch)
            }
        }
        return o
    }

    static func quoted(_ s: String) -> String { "\"" + escape(s) + "\"" }

    /// The frame a point is "at": the first one outside the threading
    /// runtime (RuntimeFrames.best).
    static func topFrame(_ stack: [Frame]) -> Frame? {
        RuntimeFrames.best(stack)
    }

    static func location(_ stack: [Frame]) -> String {
        topFrame(stack).map { $0.shortLocation } ?? "?"
    }

    static func nodeLabel(_ tag: String, _ p: Point) -> String {
        var s = "[\(tag)] \(p.text)"
        if let f = topFrame(p.stack) {
            s += "\n" + (f.function ?? "??") + " " + f.shortLocation
        }
        return s
    }

    static func render(_ collection: Collection) -> String {
        var s = "digraph dept {\n"
        s += "  graph [fontname=\"Helvetica\", fontsize=11, labelloc=t, compound=true, nodesep=0.4];\n"
        s += "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=10];\n"
        s += "  edge [fontname=\"Helvetica\", fontsize=9];\n"
        for (ri, g) in collection.groups.enumerated() {
            let r = g.report
            let rid = "r\(ri)"
            s += "  subgraph cluster_\(rid) {\n"
            var title = r.headline + "\nkey \(r.key)"
            if !g.occurrences.isEmpty { title += "\n" + Collection.appearedLine(g.occurrences, limit: 8) }
            s += "    label=\(quoted(title));\n"
            s += "    style=rounded; color=gray40;\n"
            for (ci, c) in r.contexts.enumerated() {
                let cid = "\(rid)_c\(ci)"
                s += "    subgraph cluster_\(cid) {\n"
                s += "      label=\(quoted("context \(c.label): thread \(c.thread.title)"));\n"
                s += "      style=filled; color=gray92;\n"
                s += "      \(cid)_S [label=\(quoted(nodeLabel("S", c.start)))];\n"
                s += "      \(cid)_W [label=\(quoted(nodeLabel("W", c.wait))), fillcolor=\"#ffe0e0\"];\n"
                s += "      \(cid)_E [label=\(quoted(nodeLabel("E", c.event))), fillcolor=\"#e0f0ff\"];\n"
                s += "      \(cid)_S -> \(cid)_W [label=\(quoted(location(c.wait.stack)))];\n"
                s += "      \(cid)_W -> \(cid)_E [style=invis];\n"
                s += "    }\n"
            }
            // Each context waits for the event of the next one; in a hang
            // report the contexts are the blocked threads and need not form
            // a cycle.
            if r.kind != .hang && r.contexts.count > 0 {
                for ci in r.contexts.indices {
                    let next = (ci + 1) % r.contexts.count
                    let target = r.contexts[next]
                    s += "    \(rid)_c\(ci)_W -> \(rid)_c\(next)_E [label=\(quoted("waits for " + location(target.event.stack))), color=red, fontcolor=red, constraint=false];\n"
                }
            }
            for (bi, b) in r.blocked.enumerated() {
                var label = "\(b.thread.title) blocked \(b.blockedMs) ms in \(b.waitsFor.text)"
                if !b.detail.isEmpty { label += "\n" + b.detail }
                label += "\nat " + location(b.waitsFor.stack)
                s += "    \(rid)_b\(bi) [shape=note, style=filled, fillcolor=\"#fff4d0\", label=\(quoted(label))];\n"
            }
            if r.contexts.isEmpty && r.blocked.isEmpty {
                s += "    \(rid)_empty [shape=plaintext, label=\"(no contexts recorded)\"];\n"
            }
            s += "  }\n"
        }
        if collection.groups.isEmpty {
            s += "  none [shape=plaintext, label=\"no deadlock report\"];\n"
        }
        s += "}\n"
        return s
    }

    /// Renders DOT to an SVG file with Graphviz's `dot`.
    static func writeSVG(_ dot: String, to path: String) throws {
        guard let tool = findExecutable("dot") else {
            throw DeptError("--svg needs Graphviz's `dot`, which is not on PATH (install graphviz, e.g. `apt-get install graphviz`), or use --format dot and render it elsewhere")
        }
        let (status, _) = runTool(tool, ["-Tsvg", "-o", path], input: dot)
        if status != 0 { throw DeptError("`\(tool) -Tsvg -o \(path)` failed with status \(status)") }
    }
}
