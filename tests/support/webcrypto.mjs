// Debian 12's Node.js 18 has no global Web Crypto object, which LiveKit's
// server SDK (through jose) expects; Node 20 has one. Import this module
// before loading the SDK so the same scripts run on both.
import { webcrypto } from 'node:crypto';

if (globalThis.crypto === undefined) {
  globalThis.crypto = webcrypto;
}
