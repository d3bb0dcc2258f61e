/** The limiter's client key, and wrangler.toml's limiter settings (the binding and the numbers the worker reports). */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { clientKey, NO_CLIENT_IP } from '../../src/http/rate-limit';
import { RATE_LIMIT_BINDING, rateLimitConfig } from '../../src/http/rate-limit-config';

describe('clientKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8:9'],
    ['1::2::3', '1::2::3'],
    ['', NO_CLIENT_IP],
    [undefined, NO_CLIENT_IP],
  ])('%s → %s', (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });
});

describe('wrangler.toml', () => {
  const config = unstable_readConfig({ config: resolve(import.meta.dirname, '../../wrangler.toml') });

  it('binds the limiter and repeats its numbers in [vars] RATE_LIMIT, which /healthz and Retry-After use', () => {
    const binding = config.ratelimits.find((r: { name: string }) => r.name === RATE_LIMIT_BINDING);
    expect(binding).toBeDefined();
    expect(rateLimitConfig.parse(config.vars.RATE_LIMIT)).toEqual(binding!.simple);
  });

  it('lets a page of 100 never-seen avatars, loaded at once, through', () => {
    expect(rateLimitConfig.parse(config.vars.RATE_LIMIT).limit).toBeGreaterThanOrEqual(100);
  });
});
