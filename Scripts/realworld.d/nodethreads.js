// Node.js workload for Scripts/realworld.
//
// Four worker_threads wait on a SharedArrayBuffer with Atomics.wait until the
// main thread releases them, hash slices of 0..N-1 and count into the shared
// buffer with Atomics.add; meanwhile the main thread keeps libuv's thread
// pool busy with crypto.pbkdf2, zlib gzip/gunzip round trips and fs writes and
// reads of a temporary directory. The output is deterministic.
//
// usage: node nodethreads.js N DIR
'use strict';
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const crypto = require('crypto');
const zlib = require('zlib');
const fs = require('fs');
const path = require('path');
const { promisify } = require('util');

const WORKERS = 4;

if (!isMainThread) {
  const { id, n, sab } = workerData;
  const shared = new Int32Array(sab);
  while (Atomics.load(shared, 0) === 0) Atomics.wait(shared, 0, 0);
  const h = crypto.createHash('sha256');
  let count = 0;
  for (let x = id; x < n; x += WORKERS) {
    h.update(String((x * 7919) % 1000003));
    count++;
  }
  Atomics.add(shared, 1, count);
  parentPort.postMessage({ id, count, digest: h.digest('hex') });
} else {
  const n = Number(process.argv[2] || 100000);
  const dir = process.argv[3] || '.';
  const sab = new SharedArrayBuffer(8);
  const shared = new Int32Array(sab);

  const workers = [];
  for (let id = 0; id < WORKERS; id++) {
    workers.push(new Promise((resolve, reject) => {
      const w = new Worker(__filename, { workerData: { id, n, sab } });
      let result;
      w.on('message', (m) => { result = m; });
      w.on('error', reject);
      w.on('exit', (code) => code === 0 ? resolve(result) : reject(new Error(`worker ${id} exited ${code}`)));
    }));
  }

  const pool = [];
  for (let i = 0; i < 16; i++) {
    pool.push(promisify(crypto.pbkdf2)(`password-${i}`, `salt-${i}`, 2000, 32, 'sha256')
      .then((k) => `pbkdf2 ${i} ${k.toString('hex').slice(0, 16)}`));
    const payload = Buffer.from(`block ${i} `.repeat(20000 + i));
    pool.push(promisify(zlib.gzip)(payload, { level: 6 })
      .then((z) => promisify(zlib.gunzip)(z))
      .then((back) => `zlib ${i} ${back.equals(payload) ? 'same' : 'DIFFERENT'} ${back.length}`));
    const file = path.join(dir, `node-file-${i}.txt`);
    pool.push(fs.promises.writeFile(file, `file ${i}\n`.repeat(1000 + i))
      .then(() => fs.promises.readFile(file, 'utf8'))
      .then((text) => `fs ${i} ${crypto.createHash('md5').update(text).digest('hex')}`));
  }
  Atomics.store(shared, 0, 1);
  Atomics.notify(shared, 0);

  Promise.all([Promise.all(workers), Promise.all(pool)]).then(([results, lines]) => {
    results.sort((a, b) => a.id - b.id);
    for (const r of results) console.log(`worker ${r.id}: ${r.count} ${r.digest.slice(0, 16)}`);
    console.log(`shared count ${Atomics.load(shared, 1)} (expected ${n})`);
    for (const l of lines) console.log(l);
    process.exitCode = Atomics.load(shared, 1) === n ? 0 : 1;
  }, (e) => { console.error(e); process.exitCode = 2; });
}
