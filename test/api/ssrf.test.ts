/**
 * The callback SSRF guard through the API: refused at intake with a clear problem, allowed by
 * --allow-private-callbacks, and checked again at delivery after a fresh DNS resolution.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { systemLookup, type HostLookup } from '../../src/delivery/ssrf.js';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { eventually } from '../helpers/webhook-receiver.js';
import { packetOrder } from '../helpers/work-orders.js';

// Names resolve through this table (no network in tests); anything else through the system resolver.
let rebindCalls = 0;
const lookup: HostLookup = async (host) => {
  if (host === 'internal.example.test') return [{ address: '10.20.30.40', family: 4 }];
  // Public at intake, private by delivery time: DNS rebinding.
  if (host === 'rebind.example.test') return [{ address: rebindCalls++ === 0 ? '93.184.216.34' : '10.0.0.9', family: 4 }];
  return systemLookup(host);
};

let strict: TestRail;
before(async () => {
  strict = await startTestRail({ 'callback-backoff': '50,100' }, { lookup });
});
after(() => strict.close());

const submit = (r: TestRail, url: string, i: number) => r.api('POST', '/v1/work-orders', packetOrder(5000 + i, { return: { callback_url: url } }));

test('loopback, link-local, and a name resolving to 10.x are refused with a problem naming /return/callback_url', async () => {
  const cases: [string, RegExp][] = [
    ['http://127.0.0.1:8080/hook', /loopback address/],
    ['http://[::1]:8080/hook', /loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /link-local address/],
    ['https://internal.example.test/hook', /private address \(internal\.example\.test resolves to 10\.20\.30\.40\)/],
    ['http://localhost:9/hook', /loopback address \(localhost resolves to/],
    ['http://[::ffff:127.0.0.1]/hook', /IPv4-mapped loopback/],
  ];
  for (const [i, [url, reason]] of cases.entries()) {
    const res = await submit(strict, url, i);
    assert.equal(res.status, 422, url);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(res.body.code, 'callback_url_refused');
    assert.equal(res.body.type, 'https://bindrail.dev/problems/callback_url_refused');
    assert.equal(res.body.errors.length, 1);
    assert.equal(res.body.errors[0].pointer, '/return/callback_url');
    assert.match(res.body.errors[0].detail, reason, url);
    assert.match(res.body.detail, /--allow-private-callbacks/);
  }
  // Nothing was stored half-way.
  assert.equal((await strict.api('GET', '/v1/bindings')).body.data.length, 0);
});

test('--allow-private-callbacks lets loopback callbacks through', async () => {
  const open = await startTestRail({ 'allow-private-callbacks': true, 'callback-backoff': '50' });
  try {
    // Nothing is sent from this rail: 169.254.169.254 is not loopback, and tests reach only loopback.
    await open.api('POST', '/v1/queue/callbacks/pause');
    for (const [i, url] of ['http://127.0.0.1:9/hook', 'http://[::1]:9/hook', 'http://169.254.169.254/x'].entries()) {
      assert.equal((await submit(open, url, 100 + i)).status, 202, url);
    }
  } finally {
    await open.close();
  }
});

test('delivery resolves the name again and refuses it when it now points inside (DNS rebinding)', async () => {
  const res = await submit(strict, 'http://rebind.example.test/hook', 200);
  assert.equal(res.status, 202);
  const id = res.body.binding_id;
  await waitForResult(strict, id);
  const cb = await eventually(async () => {
    const c = (await strict.api('GET', `/v1/bindings/${id}/callback`)).body;
    return c.state === 'failed' && c;
  }, 'the callback fails');
  // Refused before any connection: one try, no status, and no retries (another try would not help).
  assert.equal(cb.attempts, 1);
  assert.equal(cb.attempt_log[0].status_code, null);
  assert.equal(cb.attempt_log[0].outcome, 'failed');
  assert.match(cb.attempt_log[0].error, /^callback_url_refused: private address \(rebind\.example\.test resolves to 10\.0\.0\.9\)/);
});
