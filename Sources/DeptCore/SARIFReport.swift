/// SARIF 2.1.0 rendering: one result per report, a location for every
/// [S]/[W]/[E] frame that has a source line, the dedup key as a partial
/// fingerprint.
public enum SARIFReport {
    public static func render(_ reports: [Report]) -> String {
        let s = JSONReport.str
        func location(_ f: Frame, _ message: String) -> String {
            let uri = f.file ?? f.module
            var region = ""
            if f.line > 0 { region = ",\"region\":{\"startLine\":\(f.line)}" }
            return "{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\(s(uri))}\(region)},\"message\":{\"text\":\(s(message))}}"
        }
        var results: [String] = []
        for r in reports {
            var locs: [String] = []
            var related: [String] = []
            for c in r.contexts {
                for (tag, p) in [("S", c.start), ("W", c.wait), ("E", c.event)] {
                    if let f = p.stack.first(where: { $0.file != nil }) ?? p.stack.first {
                        related.append(location(f, "context \(c.label) [\(tag)] \(p.text)"))
                    }
                }
            }
            for b in r.blocked {
                if let f = b.waitsFor.stack.first(where: { $0.file != nil }) ?? b.waitsFor.stack.first {
                    related.append(location(f, "thread \(b.thread.title) blocked in \(b.waitsFor.text)"))
                }
            }
            if let f = r.summaryFrame { locs.append(location(f, r.headline)) }
            else if let first = related.first { locs.append(first) }
            let relatedJSON = related.enumerated().map { i, l in
                "{\"id\":\(i)," + l.dropFirst()
            }
            results.append("{\"ruleId\":\(s("dept/" + r.kind.rawValue)),\"level\":\"error\",\"message\":{\"text\":\(s(r.headline))},\"locations\":[\(locs.joined(separator: ","))],\"relatedLocations\":[\(relatedJSON.joined(separator: ","))],\"partialFingerprints\":{\"deptKey/v1\":\(s(r.key))}}")
        }
        let rules = ["potential": "circular dependency between waits and events that can deadlock",
                     "deadlock": "threads blocked waiting for each other",
                     "hang": "every thread blocked, no progress"].sorted(by: { $0.key < $1.key }).map { k, v in
            "{\"id\":\(s("dept/" + k)),\"shortDescription\":{\"text\":\(s(v))}}"
        }
        return "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"dept\",\"informationUri\":\"https://example.invalid/dept\",\"rules\":[\(rules.joined(separator: ","))]}},\"results\":[\(results.joined(separator: ","))]}]}"
    }
}
