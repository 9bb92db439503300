import RWLib

var histogram = Histogram<Int>()
var lengths: [Int] = []
for n in 1...10_000 {
    let length = collatzLength(n)
    lengths.append(length)
    histogram.add(length / 25)
}
for (bucket, count) in histogram.sortedPairs {
    print("collatz length \(bucket * 25)..<\(bucket * 25 + 25): \(count)")
}
print("checksum \(String(Checksum.fnv1a(lengths), radix: 16))")
