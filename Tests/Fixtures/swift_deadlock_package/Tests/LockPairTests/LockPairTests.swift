import Foundation
import LockPair
import XCTest

/// Counts transfers; only touched with the pair's locks held.
final class Counter: @unchecked Sendable { var value = 0 }

final class LockPairTests: XCTestCase {
    /// One thread takes the locks forward, then (after it finished) another
    /// takes them backward: this run completes, another interleaving hangs.
    func testTransfersInBothDirections() {
        let pair = LockPair()
        let count = Counter()
        let done1 = DispatchSemaphore(value: 0)
        Thread { pair.transferForward { count.value += 1 }; done1.signal() }.start()
        done1.wait()
        let done2 = DispatchSemaphore(value: 0)
        Thread { pair.transferBackward { count.value += 1 }; done2.signal() }.start()
        done2.wait()
        XCTAssertEqual(count.value, 2)
    }
}
