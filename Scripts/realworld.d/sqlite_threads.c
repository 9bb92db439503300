/* Multi-threaded SQLite workload for Scripts/realworld.
 *
 * usage: sqlite_threads DB ROWS_PER_THREAD
 *
 * 4 threads share one database file in WAL mode. Each thread has its own
 * connection and inserts ROWS_PER_THREAD rows in transactions of 100
 * (BEGIN IMMEDIATE, busy timeout), reading back its own rows after each
 * transaction; all threads also run aggregate queries through one shared
 * connection opened in serialized mode (SQLite's own mutexes). The output is
 * deterministic: per-thread counts and sums, then totals and integrity_check.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define BATCH 100

static const char *db_path;
static long rows_per_thread;
static sqlite3 *shared;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void die(sqlite3 *db, const char *what) {
    pthread_mutex_lock(&print_lock);
    fprintf(stderr, "sqlite_threads: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
    pthread_mutex_unlock(&print_lock);
    exit(2);
}

static void exec(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite_threads: %s: %s\n", sql, err ? err : "?");
        exit(2);
    }
}

static sqlite3 *open_db(int flags) {
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | flags, NULL) != SQLITE_OK)
        die(db, "open");
    sqlite3_busy_timeout(db, 30000);
    return db;
}

static long long query_ll(sqlite3 *db, const char *sql, long bind) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(db, sql);
    if (bind >= 0) sqlite3_bind_int64(st, 1, bind);
    long long v = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_BUSY) {}
    if (rc == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE) die(db, sql);
    sqlite3_finalize(st);
    return v;
}

static void *worker(void *arg) {
    long id = (long)arg;
    sqlite3 *db = open_db(SQLITE_OPEN_NOMUTEX);
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO t(thread, n, v, s) VALUES (?1, ?2, ?3, ?4)", -1, &ins, NULL) != SQLITE_OK)
        die(db, "prepare insert");
    char text[64];
    long long seen = 0;
    for (long n = 0; n < rows_per_thread; n++) {
        if (n % BATCH == 0) exec(db, "BEGIN IMMEDIATE");
        long long v = (id * 1000003LL + n * 7919LL) % 1000000007LL;
        snprintf(text, sizeof text, "row-%ld-%ld", id, n);
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_int64(ins, 2, n);
        sqlite3_bind_int64(ins, 3, v);
        sqlite3_bind_text(ins, 4, text, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) die(db, "insert");
        sqlite3_reset(ins);
        if (n % BATCH == BATCH - 1 || n == rows_per_thread - 1) {
            exec(db, "COMMIT");
            seen = query_ll(db, "SELECT count(*) FROM t WHERE thread = ?1", id);
            if (seen != n + 1) {
                fprintf(stderr, "sqlite_threads: thread %ld sees %lld rows, expected %ld\n", id, seen, n + 1);
                exit(3);
            }
            /* Shared serialized connection: all threads at once. */
            (void)query_ll(shared, "SELECT count(*) FROM t WHERE v % 7 = ?1", id);
        }
    }
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s DB ROWS_PER_THREAD\n", argv[0]); return 2; }
    db_path = argv[1];
    rows_per_thread = atol(argv[2]);
    if (!sqlite3_threadsafe()) { fprintf(stderr, "sqlite_threads: libsqlite3 is not thread-safe\n"); return 2; }

    sqlite3 *setup = open_db(0);
    exec(setup, "PRAGMA journal_mode=WAL");
    exec(setup, "PRAGMA synchronous=NORMAL");
    exec(setup, "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, thread INT, n INT, v INT, s TEXT)");
    exec(setup, "CREATE INDEX IF NOT EXISTS t_thread ON t(thread)");
    shared = open_db(SQLITE_OPEN_FULLMUTEX);

    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) { perror("pthread_create"); return 2; }
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);

    for (long i = 0; i < THREADS; i++)
        printf("thread %ld: rows %lld sum %lld\n", i,
               query_ll(setup, "SELECT count(*) FROM t WHERE thread = ?1", i),
               query_ll(setup, "SELECT total(v) FROM t WHERE thread = ?1", i));
    printf("total rows %lld, distinct texts %lld\n",
           query_ll(setup, "SELECT count(*) FROM t", -1),
           query_ll(setup, "SELECT count(DISTINCT s) FROM t", -1));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(setup, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) die(setup, "integrity_check");
    while (sqlite3_step(st) == SQLITE_ROW) printf("integrity_check: %s\n", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(shared);
    sqlite3_close(setup);
    return 0;
}
