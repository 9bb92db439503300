import XCTest
@testable import DeptCore

/// The process's memo of symbolizer answers: an answer is reused only while
/// its address still lies in the module it was given for.
final class SymbolMemoTests: XCTestCase {
    let lib = Module(path: "/usr/lib/libwork.so", base: 0x7f00_0000_0000, end: 0x7f00_0010_0000, buildID: "aa11")
    var pc: UInt { lib.base + 0x1234 }

    func testAnswerReusedInTheSameModule() {
        var memo = SymbolMemo()
        let f = Frame(pc: pc, module: lib.path, offset: 0x1234, function: "work", file: "work.c", line: 12)
        XCTAssertNil(memo.frame(at: pc, in: lib))
        memo.remember(f, at: pc, in: lib)
        XCTAssertEqual(memo.frame(at: pc, in: lib), f)
        memo.remember(dataName: "table_lock", at: pc + 0x10, in: lib)
        XCTAssertEqual(memo.dataName(at: pc + 0x10, in: lib), "table_lock")
        XCTAssertNil(memo.dataName(at: pc, in: lib), "code and data answers are apart")
    }

    /// After a dlclose another library, or a rebuilt one, may lie at the
    /// same address: its answers are not the old module's.
    func testAnswerNotReusedWhenTheModuleChanged() {
        var memo = SymbolMemo()
        memo.remember(Frame(pc: pc, module: lib.path, function: "work"), at: pc, in: lib)
        memo.remember(dataName: "table_lock", at: pc, in: lib)
        var other = lib
        other.path = "/usr/lib/libother.so"
        XCTAssertNil(memo.frame(at: pc, in: other))
        XCTAssertNil(memo.dataName(at: pc, in: other))
        var rebuilt = lib
        rebuilt.buildID = "bb22"
        XCTAssertNil(memo.frame(at: pc, in: rebuilt))
        var moved = lib
        moved.base += 0x10_0000
        XCTAssertNil(memo.frame(at: pc, in: moved))
        XCTAssertNil(memo.frame(at: pc, in: nil), "an address in no module is never answered")
    }

    /// "No hint to give" is an answer too: the module is not asked about again.
    func testHintsIncludingNone() {
        var memo = SymbolMemo()
        XCTAssertNil(memo.hint(for: lib))
        memo.remember(hint: nil, for: lib)
        XCTAssertEqual(memo.hint(for: lib), .some(nil))
        memo.remember(hint: "libwork.so has no debug information", for: lib)
        XCTAssertEqual(memo.hint(for: lib), .some("libwork.so has no debug information"))
        var rebuilt = lib
        rebuilt.buildID = "bb22"
        XCTAssertNil(memo.hint(for: rebuilt))
    }

    /// Bounded: at its limit it starts over instead of growing.
    func testStartsOverAtItsLimit() {
        var memo = SymbolMemo(limit: 4)
        for i in 0..<4 { memo.remember(Frame(pc: pc + UInt(i)), at: pc + UInt(i), in: lib) }
        XCTAssertEqual(memo.count, 4)
        XCTAssertNotNil(memo.frame(at: pc, in: lib))
        memo.remember(Frame(pc: pc + 9), at: pc + 9, in: lib)
        XCTAssertEqual(memo.count, 1)
        XCTAssertNil(memo.frame(at: pc, in: lib))
        XCTAssertNotNil(memo.frame(at: pc + 9, in: lib))
    }
}
