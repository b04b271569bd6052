/** Small, valid Work Orders for tests. */
import { readFileSync } from 'node:fs';

export function example(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../../examples/work-orders/${name}.json`, import.meta.url), 'utf8'));
}

/** A PacketOps work order over one inline file; `n` makes the body unique. */
export function packetOrder(n = 0, extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    tool: 'packetops',
    operation: 'verify_packet',
    inputs: {
      packet_name: `test packet ${n}`,
      files: [{ name: 'a.txt', media_type: 'text/plain', content_base64: Buffer.from(`hello ${n}`).toString('base64') }],
      required_items: ['a.txt'],
    },
    requester: { kind: 'agent', id: 'test-agent' },
    ...extra,
  };
}
