// Runs LiveKit's official JS server SDK (livekit-server-sdk WebhookReceiver.receive:
// jose JWT verification + SHA-256 check + WebhookEvent.fromJson(JSON.parse(body)))
// over the workloads dumped by `lkwebhook_bench --dump-workloads=DIR` and prints
// events/s per CPU second per workload as JSON lines. The clock is fixed at each workload's `now`
// by swapping the global Date (jose reads new Date()/Date.now()), as the SDK run that recorded
// the vectors' official_behavior did (tests/vectors/data/README.md). Driven by compare_js_sdk.sh.
//
//   NODE_PATH=<scratch>/node_modules node compare_js_sdk.mjs DIR [seconds-per-workload]
import '../support/webcrypto.mjs'; // before the SDK: Node 18 lacks globalThis.crypto
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { WebhookReceiver } = require('livekit-server-sdk');

const dir = process.argv[2];
const seconds = Number(process.argv[3] ?? 2);
const RealDate = globalThis.Date;

async function measure(w) {
  const ms = w.now * 1000;
  class FixedDate extends RealDate {
    constructor(...a) {
      if (a.length === 0) super(ms);
      else super(...a);
    }
    static now() {
      return ms;
    }
  }
  const receiver = new WebhookReceiver(w.api_key, w.api_secret);
  globalThis.Date = FixedDate;
  try {
    const first = await receiver.receive(w.body, w.authorization, false, 10);
    if (!first) throw new Error('no event');
    for (let i = 0; i < 200; i++) await receiver.receive(w.body, w.authorization, false, 10); // warm-up (JIT)
    // CPU time of the process (user + system, all threads: GC included), as
    // the C++ side reports per CPU time too; wall time on a shared machine
    // would measure the other processes.
    let n = 0;
    const start = process.cpuUsage();
    const budget = seconds * 1e6;
    let elapsed = 0;
    while (elapsed < budget) {
      for (let i = 0; i < 50; i++) await receiver.receive(w.body, w.authorization, false, 10);
      n += 50;
      const used = process.cpuUsage(start);
      elapsed = used.user + used.system;
    }
    return (n * 1e6) / elapsed;
  } finally {
    globalThis.Date = RealDate;
  }
}

for (const name of ['small', 'mid', 'large', 'huge']) {
  const file = path.join(dir, `${name}.json`);
  if (!fs.existsSync(file)) continue;
  const w = JSON.parse(fs.readFileSync(file, 'utf8'));
  const perSecond = await measure(w);
  console.log(JSON.stringify({ workload: name, bytes: Buffer.byteLength(w.body), events_per_s: perSecond }));
}
