// Drives an example server with requests signed by LiveKit's official JS SDK
// (livekit-server-sdk, pinned by tests/interop/package.json), and verifies tokens
// produced by `lkwebhook sign` with the SDK's own WebhookReceiver.
//
// The SDK is loaded through createRequire, which honours NODE_PATH, so nothing is
// installed inside the repository.
//
//   node webhook_client.mjs post URL VECTORS_DIR IDS_OUT
//       Every vector the official SDK accepts is re-signed with the SDK's AccessToken
//       (sha256 grant, 5-minute ttl, signed now) and POSTed with LiveKit's headers: each
//       must get 200. Then forged requests (wrong secret, unknown key, no header, body
//       altered after signing, a participant-style token without sha256) must get 401,
//       and an oversized (1 MiB + 1) correctly signed body 413. Writes the ids of the
//       genuine events to IDS_OUT and prints the forged ids (prefix EV_forged) so the
//       caller can check what was dispatched.
//   node webhook_client.mjs verify BODY_FILE TOKEN
//       Exit 0 iff WebhookReceiver.receive accepts TOKEN for the exact bytes of BODY_FILE.
//   node webhook_client.mjs verify-strict BODY_FILE TOKEN
//       The same, and the SDK's canonical JSON of the event must equal the body's JSON
//       (checks that `lkwebhook send --event` writes only fields and types LiveKit's schema has).
//
// Credentials: LIVEKIT_API_KEY / LIVEKIT_API_SECRET.
import '../support/webcrypto.mjs'; // before the SDK: Node 18 lacks globalThis.crypto
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { AccessToken, WebhookReceiver } = require('livekit-server-sdk');

const apiKey = process.env.LIVEKIT_API_KEY;
const apiSecret = process.env.LIVEKIT_API_SECRET;
if (!apiKey || !apiSecret) {
  console.error('LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set');
  process.exit(2);
}

const sha256b64 = (bytes) => crypto.createHash('sha256').update(bytes).digest('base64');

// The Authorization value as the SDK mints it for a webhook body (AccessToken with the
// sha256 grant), hashed over the exact bytes that are sent.
async function sdkSign(bytes, key = apiKey, secret = apiSecret, withHash = true) {
  const at = new AccessToken(key, secret, withHash ? { ttl: 300 } : { ttl: 300, identity: 'mallory' });
  if (withHash) at.sha256 = sha256b64(bytes);
  else at.addGrant({ roomJoin: true, room: 'any' });  // a participant join token: no body hash
  return at.toJwt();
}

async function post(url, bytes, authorization) {
  const headers = {
    'Content-Type': 'application/webhook+json',
    'User-Agent': 'LiveKit',
  };
  if (authorization !== undefined) headers.Authorization = authorization;
  const res = await fetch(url, { method: 'POST', headers, body: bytes });
  await res.arrayBuffer();
  return res.status;
}

let failures = 0;
function check(what, got, want) {
  const ok = got === want;
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: HTTP ${got}${ok ? '' : ` (expected ${want})`}`);
}

async function postCommand(url, vectorsDir, idsOut) {
  const files = fs.readdirSync(vectorsDir).filter((f) => f.startsWith('ok_') && f.endsWith('.json')).sort();
  const ids = [];
  let genuine = 0;
  for (const file of files) {
    const v = JSON.parse(fs.readFileSync(path.join(vectorsDir, file), 'utf8'));
    if (v.official_behavior?.result !== 'accepted') continue;  // the SDK itself must accept the body
    const bytes = Buffer.from(v.body, 'utf8');
    if (bytes.length > 1024 * 1024) continue;
    const status = await post(url, bytes, await sdkSign(bytes));
    check(`SDK-signed ${v.name}`, status, 200);
    genuine++;
    const id = v.event?.id;
    if (id) ids.push(id);
  }
  if (genuine < 10) {
    failures++;
    console.log(`FAIL only ${genuine} genuine vectors posted`);
  }
  fs.writeFileSync(idsOut, ids.join('\n') + '\n');

  // Forged and altered requests, each with an id of its own that must never be dispatched.
  const base = JSON.parse(fs.readFileSync(path.join(vectorsDir, 'ok_room_finished_server_style.json'), 'utf8'));
  const forged = (n) => Buffer.from(base.body.replace(/"id":\s*"[^"]*"/, `"id":"EV_forged${n}"`), 'utf8');
  check('wrong secret', await post(url, forged(1), await sdkSign(forged(1), apiKey, 'not-the-secret')), 401);
  check('unknown API key', await post(url, forged(2), await sdkSign(forged(2), 'APIunknown', apiSecret)), 401);
  check('no Authorization header', await post(url, forged(3), undefined), 401);
  const signed = forged(4);
  const token = await sdkSign(signed);
  check('body altered after signing', await post(url, Buffer.concat([signed, Buffer.from(' ')]), token), 401);
  check('join token without sha256', await post(url, forged(5), await sdkSign(forged(5), apiKey, apiSecret, false)), 401);
  check('Bearer + genuine token of another body', await post(url, forged(6), `Bearer ${token}`), 401);

  // 1 MiB + 1 byte, correctly signed: refused for its size alone.
  const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
  big.write('{"event":"room_started","id":"EV_forged7"}', 0);
  check('oversized body (1 MiB + 1)', await post(url, big, await sdkSign(big)), 413);
  console.log('forged ids: EV_forged1 .. EV_forged7');
  if (failures > 0) {
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  }
  return value;
}

async function verifyCommand(bodyFile, token, strict) {
  const body = fs.readFileSync(bodyFile, 'utf8');
  const receiver = new WebhookReceiver(apiKey, apiSecret);
  try {
    const event = await receiver.receive(body, token);
    console.log(`accepted by livekit-server-sdk: ${event.event} ${event.id}`);
    if (strict) {
      // Every member of the body must be one the schema knows, with the right type: the
      // SDK's canonical re-encoding must give back the same JSON object.
      const canonical = JSON.stringify(sortKeys(event.toJson()));
      const original = JSON.stringify(sortKeys(JSON.parse(body)));
      if (canonical !== original) {
        console.log(`but its canonical form differs:\n  body: ${original}\n  sdk:  ${canonical}`);
        process.exit(1);
      }
    }
  } catch (e) {
    console.log(`rejected by livekit-server-sdk: ${e.message}`);
    process.exit(1);
  }
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'post' && args.length === 3) await postCommand(...args);
else if (cmd === 'verify' && args.length === 2) await verifyCommand(args[0], args[1], false);
else if (cmd === 'verify-strict' && args.length === 2) await verifyCommand(args[0], args[1], true);
else {
  console.error('usage: webhook_client.mjs post URL VECTORS_DIR IDS_OUT | verify[-strict] BODY_FILE TOKEN');
  process.exit(2);
}
