/// dept's name and version, for `--version` and SARIF's tool driver.
public enum DeptInfo {
    public static let version = "0.1.0"
}

/// SARIF 2.1.0 rendering: one result per report, a related location for
/// every [S]/[W]/[E] point and blocked thread, the dedup key as a partial
/// fingerprint. Every location is the point's frame outside the runtime
/// (RuntimeFrames.best), inside `sourceRoot` when one is given, so code
/// scanning annotates the user's code rather than a system header.
public enum SARIFReport {
    public static func render(_ reports: [Report], sourceRoot: String? = nil, informationURI: String? = nil) -> String {
        let s = JSONReport.str
        func location(_ f: Frame, _ message: String) -> String {
            let uri = f.file ?? f.module
            var region = ""
            if f.line > 0 { region = ",\"region\":{\"startLine\":\(f.line)}" }
            return "{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\(s(uri))}\(region)},\"message\":{\"text\":\(s(message))}}"
        }
        func best(_ stack: [Frame]) -> Frame? { RuntimeFrames.best(stack, sourceRoot: sourceRoot) }
        var results: [String] = []
        for r in reports {
            var locs: [String] = []
            var related: [String] = []
            for c in r.contexts {
                for (tag, p) in [("S", c.start), ("W", c.wait), ("E", c.event)] {
                    if let f = best(p.stack) {
                        related.append(location(f, "context \(c.label) [\(tag)] \(p.text)"))
                    }
                }
            }
            for b in r.blocked {
                if let f = best(b.waitsFor.stack) {
                    related.append(location(f, "thread \(b.thread.title) blocked in \(b.waitsFor.text)"))
                }
            }
            let message = r.sentence.isEmpty ? r.headline : r.headline + ": " + r.sentence
            let primary = r.contexts.first.flatMap { best($0.wait.stack) } ?? r.summaryFrame.map { best([$0]) ?? $0 }
            if let f = primary ?? r.summaryFrame { locs.append(location(f, r.headline)) }
            else if let first = related.first { locs.append(first) }
            let relatedJSON = related.enumerated().map { i, l in
                "{\"id\":\(i)," + l.dropFirst()
            }
            results.append("{\"ruleId\":\(s("dept/" + r.kind.rawValue)),\"level\":\"error\",\"message\":{\"text\":\(s(message))},\"locations\":[\(locs.joined(separator: ","))],\"relatedLocations\":[\(relatedJSON.joined(separator: ","))],\"partialFingerprints\":{\"deptKey/v1\":\(s(r.key))}}")
        }
        let rules = [("deadlock", "threads blocked waiting for each other"),
                     ("hang", "every thread blocked, no progress"),
                     ("potential", "circular dependency between waits and events that can deadlock")].map { k, v in
            "{\"id\":\(s("dept/" + k)),\"shortDescription\":{\"text\":\(s(v))}}"
        }
        var driver = "\"name\":\"dept\",\"version\":\(s(DeptInfo.version)),\"semanticVersion\":\(s(DeptInfo.version))"
        if let uri = informationURI { driver += ",\"informationUri\":\(s(uri))" }
        return "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\(driver),\"rules\":[\(rules.joined(separator: ","))]}},\"results\":[\(results.joined(separator: ","))]}]}"
    }
}
