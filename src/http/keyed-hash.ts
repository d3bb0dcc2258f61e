/**
 * Keyed hashes of what no log line may hold raw: seeds (often e-mail addresses) and client addresses. A plain hash
 * would not do: anyone can hash a list of e-mail addresses, or all of IPv4, and look the logged hash up. HMAC-SHA-256
 * under a key only the operator has cannot be looked up that way, yet equal values still give equal hashes, so lines
 * of one seed or one client can be found and counted.
 *
 * The key is the `LOG_HASH_KEY` secret (`wrangler secret put LOG_HASH_KEY`; docs/operations.md). Without it, each
 * isolate makes a random key on first use and keeps it in memory only: nothing can undo those hashes either, but they
 * match only within one isolate's lifetime, so they count one client's requests at one location for minutes or hours,
 * not across the network or across days. The log line says which key hashed it (`hashKey`).
 */
import { toHex } from '../runtime/hex';

/** Where a request's hash key came from: the secret, or the isolate's own random key. */
export type HashKeySource = 'secret' | 'isolate';

/** Hex digits kept of each HMAC: 64 bits, enough that two seeds of one service practically never share a hash. */
const HEX_DIGITS = 16;

const utf8 = new TextEncoder();

const importKey = (raw: Uint8Array) => crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);

let isolateKey: Promise<CryptoKey> | undefined;
let secretKey: { secret: string; key: Promise<CryptoKey> } | undefined;

/**
 * The key to hash with: `secret` when set (imported once per isolate), else the isolate's random key (made on first
 * use: Workers refuse random numbers at global scope).
 */
export function hashKey(secret: string | undefined): { source: HashKeySource; key: Promise<CryptoKey> } {
  if (secret) {
    if (secretKey?.secret !== secret) secretKey = { secret, key: importKey(utf8.encode(secret)) };
    return { source: 'secret', key: secretKey.key };
  }
  isolateKey ??= importKey(crypto.getRandomValues(new Uint8Array(32)));
  return { source: 'isolate', key: isolateKey };
}

/** The first {@link HEX_DIGITS} hex digits of HMAC-SHA-256(`key`, UTF-8 of `value`). */
export async function keyedHash(key: CryptoKey, value: string): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8.encode(value)));
  return toHex(mac.subarray(0, HEX_DIGITS / 2));
}
