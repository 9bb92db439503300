import DeptCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches a `dept run` log directory while the command runs: prints each
/// distinct report (by key, once) as soon as a process writes it, so a CI
/// log shows it before a long build ends, and keeps a progress line on a
/// terminal ("dept: 12 processes seen, 1 report so far").
final class RunWatcher {
    let dir: String
    let progress: Bool
    /// Where streamed reports go (nil: not streamed).
    let streamTo: Int32?
    let style: TextReport.Style

    private let lock = NSLock()
    private var done = false
    private var printedProgress = false
    private let finished = DispatchSemaphore(value: 0)
    /// Ends the watcher's pause early when the command has finished: with a
    /// plain sleep, every `dept run` outlived its command by up to one
    /// pause (200 ms), which short commands run many times over (a test
    /// runner's steps) paid each time.
    private let wake = DispatchSemaphore(value: 0)
    private var started = false
    /// Per file: bytes consumed, and an incomplete last line.
    private var offsets: [String: UInt64] = [:]
    private var partial: [String: String] = [:]
    private var keys: Set<String> = []
    /// A cycle of a family printed before is no new report (ReportFamily).
    private var families = ReportFamilies()
    private var reports = 0

    init(dir: String, progress: Bool, streamTo: Int32?, style: TextReport.Style) {
        self.dir = dir; self.progress = progress; self.streamTo = streamTo; self.style = style
    }

    func start() {
        guard progress || streamTo != nil else { return }
        started = true
        Thread.detachNewThread { [self] in
            loop()
            finished.signal()
        }
    }

    private func loop() {
        let begin = Date()
        var last = ""
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(200))
            lock.lock()
            if done { lock.unlock(); return }
            let processes = poll()
            if progress && Date().timeIntervalSince(begin) >= 1 {
                let line = "dept: \(processes) process\(processes == 1 ? "" : "es") seen, \(reports) report\(reports == 1 ? "" : "s") so far"
                if line != last { writeStderr("\r\u{1B}[K" + line); printedProgress = true; last = line }
            }
            lock.unlock()
        }
    }

    /// Reads what the processes appended since the last look; prints each
    /// report whose key is new. Returns how many processes have a file.
    /// Called with the lock held.
    private func poll() -> Int {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("report.") }.sorted()
        for n in names { read(dir + "/" + n) }
        return names.count
    }

    private func read(_ path: String) {
        guard let h = FileHandle(forReadingAtPath: path) else { return }
        defer { try? h.close() }
        let from = offsets[path] ?? 0
        do { try h.seek(toOffset: from) } catch { return }
        guard let data = try? h.readToEnd(), !data.isEmpty else { return }
        offsets[path] = from + UInt64(data.count)
        var text = (partial[path] ?? "") + String(decoding: data, as: UTF8.self)
        var rest = ""
        if !text.hasSuffix("\n"), let nl = text.lastIndex(of: "\n") {
            rest = String(text[text.index(after: nl)...])
            text = String(text[...nl])
        } else if !text.hasSuffix("\n") {
            partial[path] = text
            return
        }
        partial[path] = rest
        for line in text.split(separator: "\n") where line.hasPrefix("{") {
            guard let d = line.data(using: .utf8),
                  let o = (try? JSONSerialization.jsonObject(with: d)) as? [String: Any],
                  let record = try? ReportJSON.record(o), case .report(let r, _, _) = record else { continue }
            reports += 1
            let key = r.key.isEmpty ? r.headline : r.key
            if keys.contains(key) { continue }
            keys.insert(key)
            if families.printedBefore(r) != nil { continue }
            guard let fd = streamTo else { continue }
            if printedProgress && fd == 2 { writeStderr("\r\u{1B}[K"); printedProgress = false }
            let exe = r.modules.first.map { " (\(basename($0.path)))" } ?? ""
            writeAll(fd, TextReport.render(r, style: style) + "first seen in pid \(r.pid)\(exe)\n\n")
        }
    }

    /// Stops watching after a last look, so every report has been printed.
    func stop() {
        lock.lock()
        done = true
        _ = poll()
        if printedProgress { writeStderr("\r\u{1B}[K") }
        lock.unlock()
        wake.signal()
        if started { finished.wait() }
    }
}
