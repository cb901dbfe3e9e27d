// Runs LiveKit's official WebhookReceiver (livekit-server-sdk) on request
// cases, for the interop test. Usage:
//   NODE_PATH=<dir>/node_modules node receive.mjs cases.json
// cases.json: [{name, api_key, api_secret, body, authorization, now, leeway_s}]
// For each case it prints one JSON line:
//   {"name":..,"result":"accepted","event":<event name>} or
//   {"name":..,"result":"rejected","error":..,"message":..}
// The clock is fixed to `now` as in the SDK run recorded in the vectors
// (tests/vectors/data/README.md): jose reads new Date()/Date.now(), so the
// global Date is swapped for the call.
import '../support/webcrypto.mjs'; // before the SDK: Node 18 lacks globalThis.crypto
import { createRequire } from 'node:module';
import fs from 'node:fs';

const require = createRequire(import.meta.url); // honours NODE_PATH
const sdk = require('livekit-server-sdk');

const RealDate = globalThis.Date;
async function withClock(unixSeconds, fn) {
  const ms = unixSeconds * 1000;
  class FixedDate extends RealDate {
    constructor(...a) {
      if (a.length === 0) super(ms);
      else super(...a);
    }
    static now() {
      return ms;
    }
  }
  globalThis.Date = FixedDate;
  try {
    return await fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
for (const c of cases) {
  const out = await withClock(c.now, async () => {
    try {
      const receiver = new sdk.WebhookReceiver(c.api_key, c.api_secret);
      const ev = await receiver.receive(c.body, c.authorization ?? undefined, false, c.leeway_s ?? 10);
      return { name: c.name, result: 'accepted', event: ev.event };
    } catch (e) {
      return { name: c.name, result: 'rejected', error: e?.code ?? e?.constructor?.name ?? typeof e, message: String(e?.message ?? e) };
    }
  });
  process.stdout.write(JSON.stringify(out) + '\n');
}
