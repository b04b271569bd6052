/** The callback SSRF guard: which addresses are refused, and why. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallbackRefused, checkCallbackUrl, refusedReason, resolveCallbackTarget, type HostLookup } from '../../src/delivery/ssrf.js';
import { RailError } from '../../src/contracts/errors.js';

test('private, loopback, link-local, unspecified, multicast and mapped addresses are refused', () => {
  const refused: [string, RegExp][] = [
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /shared/],
    ['169.254.169.254', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fc00::1', /private/],
    ['fd12:3456::1', /private/],
    ['fe80::1', /link-local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
    ['::ffff:7f00:1', /IPv4-mapped loopback/],
    ['::ffff:a9fe:a9fe', /IPv4-mapped link-local/],
    ['64:ff9b::10.0.0.1', /IPv4-mapped private/],
  ];
  for (const [address, reason] of refused) assert.match(refusedReason(address) ?? 'null', reason, address);
});

test('public addresses pass', () => {
  for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(refusedReason(address), null, address);
  }
});

const lookup: HostLookup = async (host) => {
  const table: Record<string, string[]> = {
    'internal.example.test': ['10.0.0.7'],
    'mixed.example.test': ['93.184.216.34', '192.168.0.2'],
    'public.example.test': ['93.184.216.34', '2606:4700::1111'],
  };
  const found = table[host];
  if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const);
};

test('a name is refused when any address it resolves to is private; the refusal names host and address', async () => {
  await assert.rejects(resolveCallbackTarget('https://internal.example.test/hook', { allowPrivate: false, lookup }), (e: Error) => {
    assert.ok(e instanceof CallbackRefused);
    assert.match(e.message, /private address \(internal\.example\.test resolves to 10\.0\.0\.7\)/);
    return true;
  });
  await assert.rejects(resolveCallbackTarget('https://mixed.example.test/', { allowPrivate: false, lookup }), /192\.168\.0\.2/);
  await assert.rejects(resolveCallbackTarget('https://nowhere.example.test/', { allowPrivate: false, lookup }), /does not resolve \(ENOTFOUND\)/);
  const ok = await resolveCallbackTarget('https://public.example.test/hook', { allowPrivate: false, lookup });
  assert.deepEqual(ok.addresses.map((a) => a.address), ['93.184.216.34', '2606:4700::1111']);
});

test('URL forms that hide an address are normalised before the check', async () => {
  for (const url of ['http://0x7f.0.0.1/', 'http://2130706433/', 'http://[::ffff:127.0.0.1]/', 'http://127.1/', 'http://[0:0:0:0:0:0:0:1]/']) {
    await assert.rejects(resolveCallbackTarget(url, { allowPrivate: false, lookup }), CallbackRefused, url);
  }
});

test('only http and https; the allow flag lets private addresses through', async () => {
  await assert.rejects(resolveCallbackTarget('ftp://93.184.216.34/', { allowPrivate: false, lookup }), /scheme ftp:/);
  await assert.rejects(resolveCallbackTarget('file:///etc/passwd', { allowPrivate: true, lookup }), /scheme file:/);
  const allowed = await resolveCallbackTarget('http://127.0.0.1:9/', { allowPrivate: true, lookup });
  assert.deepEqual(allowed.addresses, []);
});

test('intake refusals are callback_url_refused problems naming /return/callback_url', async () => {
  await assert.rejects(checkCallbackUrl('http://169.254.169.254/latest/meta-data', { allowPrivate: false, lookup }), (e: Error) => {
    assert.ok(e instanceof RailError);
    assert.equal(e.code, 'callback_url_refused');
    assert.equal(e.status, 422);
    assert.deepEqual(e.errors?.map((x) => x.pointer), ['/return/callback_url']);
    return true;
  });
});
