// JVM workload for Scripts/realworld.
//
// A fixed pool of 4 threads runs 64 tasks that sum slices of 0..N-1 into a
// synchronized counter and a ConcurrentHashMap; two producers and two
// consumers move N items through a bounded buffer built on ReentrantLock and
// two Conditions; a CountDownLatch gates the start; a parallel stream sums
// again on the common ForkJoinPool. The output is deterministic.
//
// usage: java JThreads.java N   (or javac, then java -cp DIR JThreads N)
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.LongStream;

public class JThreads {
    static final class Bounded {
        private final ArrayDeque<Long> items = new ArrayDeque<>();
        private final int capacity;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition();
        private final Condition notFull = lock.newCondition();

        Bounded(int capacity) { this.capacity = capacity; }

        void put(long x) throws InterruptedException {
            lock.lock();
            try {
                while (items.size() == capacity) notFull.await();
                items.addLast(x);
                notEmpty.signal();
            } finally {
                lock.unlock();
            }
        }

        long take() throws InterruptedException {
            lock.lock();
            try {
                while (items.isEmpty()) notEmpty.await();
                long x = items.removeFirst();
                notFull.signal();
                return x;
            } finally {
                lock.unlock();
            }
        }
    }

    static long total = 0;
    static synchronized void add(long s) { total += s; }

    public static void main(String[] args) throws Exception {
        final long n = args.length > 0 ? Long.parseLong(args[0]) : 200000;
        final int slices = 64;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ConcurrentHashMap<Integer, Long> bySlice = new ConcurrentHashMap<>();
        List<Future<Long>> futures = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            final int slice = i;
            futures.add(pool.submit(() -> {
                long s = 0;
                for (long k = slice; k < n; k += slices) s += (k * 7919) % 1000003;
                add(s);
                bySlice.merge(slice % 8, s, Long::sum);
                return s;
            }));
        }
        long fromFutures = 0;
        for (Future<Long> f : futures) fromFutures += f.get();
        pool.shutdown();

        Bounded buf = new Bounded(256);
        CountDownLatch go = new CountDownLatch(1);
        final long[] consumed = new long[2];
        final long[] xors = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            final int start = p;
            threads.add(new Thread(() -> {
                try {
                    go.await();
                    for (long x = start; x < n; x += 2) buf.put(x);
                    buf.put(-1);
                } catch (InterruptedException e) { throw new RuntimeException(e); }
            }, "producer-" + p));
        }
        for (int c = 0; c < 2; c++) {
            final int me = c;
            threads.add(new Thread(() -> {
                try {
                    go.await();
                    long x;
                    while ((x = buf.take()) >= 0) {
                        consumed[me] += x;
                        xors[me] ^= (x * 2654435761L) & 0xFFFFFFFFL;
                    }
                } catch (InterruptedException e) { throw new RuntimeException(e); }
            }, "consumer-" + c));
        }
        for (Thread t : threads) t.start();
        go.countDown();
        for (Thread t : threads) t.join();

        long parallel = LongStream.range(0, n).parallel().map(k -> (k * 7919) % 1000003).sum();
        long mapSum = bySlice.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("pool total %d futures %d map %d parallel %d%n", total, fromFutures, mapSum, parallel);
        System.out.printf("buffer sum %d xor %08x%n", consumed[0] + consumed[1], xors[0] ^ xors[1]);
        boolean ok = total == fromFutures && total == parallel && consumed[0] + consumed[1] == n * (n - 1) / 2;
        System.exit(ok ? 0 : 1);
    }
}
