import ArgumentParser
import DeptCore

/// `dept`: the command-line side of dept. The detector itself is
/// libdept.so, preloaded into the programs it watches.
struct Dept: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dept",
        abstract: "Find deadlocks in unmodified programs: potential ones (circular dependencies between waits and events) and actual hangs.",
        discussion: """
        dept tracks waits ([W]), the events that end them ([E]) and where each event's context \
        starts ([S]) in pthread mutexes, rwlocks, condition variables, POSIX semaphores, \
        eventfds and pthread_join, in programs that were not recompiled (LD_PRELOAD=libdept.so). \
        A cycle in the dependency graph is reported as a potential deadlock, even when this \
        run did not hang; a real hang is reported while the program is stuck.

        Typical use: `dept run -- ./app` (or `dept run -- ctest -j2`, `dept run -- swift test`) \
        runs the command with libdept.so preloaded into every process it starts and prints \
        each distinct report once; `dept report DIR` re-renders the stored reports as text, \
        JSON, SARIF or Graphviz DOT; `dept symbolize FILE --binary-dir DIR` symbolizes a \
        report taken on another machine.

        The library alone: LD_PRELOAD=/path/to/libdept.so DEPT_OPTIONS=help=1 ./app lists \
        its options (log_path, format, exitcode, hang_ms, stall_ms, on_hang, suppressions, \
        print_suppressions, stack_depth, verbosity, detect_potential, detect_hangs, ...).

        `dept <command> --help` documents each command. Exit status 64 means a usage error \
        (an unknown or malformed option), 2 an error of dept itself.
        """,
        version: DeptInfo.version,
        subcommands: [Run.self, ReportCommand.self, Symbolize.self]
    )
}

Dept.main()
