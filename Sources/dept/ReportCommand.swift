import ArgumentParser
import DeptCore
import Foundation

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, dot
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render stored JSON reports as text, JSON, SARIF or Graphviz DOT.",
        discussion: """
        Reads FILE (JSON lines as libdept.so writes them with DEPT_OPTIONS format=json, or the \
        array that `dept run --format json` prints) or every `*.json` and `report.*` file in \
        DIR (a `dept run` log directory), deduplicates the reports by key exactly as \
        `dept run` does, and prints them.

        Formats:
          text   each distinct report once (the library's text rendering),
                 the processes where it appeared, then the warnings and a
                 verdict line (the default)
          json   an array of report objects (docs/report-schema.json),
                 each with appeared_in
          sarif  one SARIF 2.1.0 log: one result per distinct report, a
                 related location for every [S]/[W]/[E] frame, the dedup
                 key as partialFingerprints
          dot    a Graphviz digraph: a cluster per report and per context
                 (thread), nodes for its [S], [W] and [E] points, edges
                 [S] -> [W] inside a context and [W] -> the [E] of the
                 context it waits for, labelled with the source file:line

        --svg FILE renders the DOT drawing with Graphviz (`dot -Tsvg`), which must be \
        installed; without --format only the SVG is written.

        Exit status: 0; 2 when an input cannot be read or is not a dept report; 64 for a \
        usage error.
        """
    )

    @Argument(help: ArgumentHelp("Report files or directories.", valueName: "file-or-dir"))
    var inputs: [String]

    @Option(help: ArgumentHelp("Output format (default text).", valueName: "text|json|sarif|dot"))
    var format: ReportFormat?

    @Option(help: ArgumentHelp("Also render the cycles as SVG into this file (needs Graphviz's `dot`).", valueName: "file"))
    var svg: String?

    @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Leave out the reports matching this suppressions file (`deadlock:<pattern>` lines).", valueName: "file"))
    var suppressions: String?

    @Option(name: .customLong("gen-suppressions"), help: ArgumentHelp("Write a suppressions file with one `deadlock:<function>` line per distinct report.", valueName: "file"))
    var genSuppressions: String?

    @Option(name: .customLong("source-root"), help: ArgumentHelp("SARIF: source paths under this directory become relative to %SRCROOT% (default: the current directory).", valueName: "dir"))
    var sourceRoot: String?

    func run() throws {
        try reportingErrors {
            var sup: Suppressions?
            if let s = suppressions {
                let (parsed, problems) = Suppressions.parse(try readTextFile(s, what: "suppressions file"))
                for p in problems { printNote("warning: suppressions file '\(s)': \(p)") }
                sup = parsed
            }
            let paths = try ReportReader.expand(inputs)
            if paths.isEmpty { printNote("warning: no report files in \(inputs.joined(separator: ", "))") }
            var files: [ReportFile] = []
            for path in paths {
                let f = try ReportReader.load(path)
                if f.isDeptReport || (f.records.isEmpty && f.otherLines == 0 && f.pid != nil) { files.append(f); continue }
                // A file named on the command line must be a report; one
                // found in a directory may just live there.
                if inputs.contains(path) {
                    throw DeptError("'\(path)' is not a dept report (no dept-report JSON object and no DEPT: line)")
                }
                printNote("info: skipped '\(path)': not a dept report")
            }
            let collection = Collection.collect(files, suppressions: sup)
            // A dept run directory has one file per process that ran.
            let ran = files.contains(where: { $0.pid != nil }) ? collection.processes.count : nil

            if let svg {
                try DotRender.writeSVG(DotRender.render(collection), to: svg)
            }
            if let g = genSuppressions { try emitOutput(collection.generatedSuppressions(), to: g) }
            if (svg != nil || genSuppressions != nil) && format == nil && output == nil { return }
            let text: String
            switch format ?? .text {
            case .text: text = collection.text(processesRan: ran)
            case .json: text = collection.json()
            case .sarif: text = collection.sarif(sourceRoot: sourceRoot ?? FileManager.default.currentDirectoryPath)
            case .dot: text = DotRender.render(collection)
            }
            try emitOutput(text, to: output)
        }
    }
}
