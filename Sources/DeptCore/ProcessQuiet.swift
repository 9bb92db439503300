/// How long the rest of the process has been quiet: using (almost) no CPU
/// outside dept's monitor.
///
/// A stall dump is there for a process that stopped: threads blocked in
/// untimed waits, and the threads that may still wake them asleep, or in
/// waits dept does not see (a test its runner will kill). A thread that
/// computes is progress: its program is slow or busy, not stopped, and
/// the idle workers a dump would list (zpaq's and RocksDB's pools while
/// their compressors run) explain nothing. So the monitor samples the CPU time
/// of everything but itself, and a stall needs `stallMs` of quiet.
///
/// Quiet is a rate, not silence: a process stuck behind a blocked thread
/// still has its timers (an event loop's ticks, a housekeeping thread's
/// timed waits), which use a few milliseconds a second at most. Progress
/// is more than `busyShareDivisor`-th of one CPU since the last progress:
/// 1%, so 2.5 ms between the monitor's looks 250 ms apart, where one
/// computing thread uses about 250 ms.
public struct ProcessQuiet: Sendable, Equatable {
    public static let busyShareDivisor: UInt64 = 100

    private var markCpuNs: UInt64 = 0
    private var markAtNs: UInt64 = 0
    private var marked = false

    public init() {}

    /// Takes a sample (`cpuNs`: the CPU time the process used outside the
    /// monitor; `nowNs`: a monotonic time) and returns for how many
    /// milliseconds the process has been quiet. A reading a little below
    /// the last one is no progress: the process's clock and the monitor's
    /// are read one after the other, a few microseconds apart.
    public mutating func sample(cpuNs: UInt64, nowNs: UInt64) -> Int {
        if !marked || nowNs < markAtNs
            || (cpuNs > markCpuNs && cpuNs - markCpuNs > (nowNs - markAtNs) / Self.busyShareDivisor) {
            markCpuNs = cpuNs
            markAtNs = nowNs
            marked = true
        }
        return Int((nowNs - markAtNs) / 1_000_000)
    }
}
