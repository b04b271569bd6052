/**
 * The public ledger: entries, signed checkpoints, RFC 9162 inclusion and consistency proofs, and
 * every key that ever signed. Public by design: leaves carry digests, never payloads.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ConsistencyProof, InclusionProof, KeySet } from '../../contracts/bundle.js';
import { RailError } from '../../contracts/errors.js';
import { Checkpoint, LedgerEntry } from '../../contracts/ledger.js';
import { checkpointObject } from '../../proof/checkpoint.js';
import { consistencyProof, inclusionProof, rootHash, type NodeCoord } from '../../proof/merkle.js';
import { iso } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import { presentLedgerRow } from '../ledger-present.js';
import { ListOf, pick } from '../schemas.js';
import { KEYS_PATH } from './discovery.js';

const tags = ['ledger'];
const Size = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString('hex'));

export const ledgerRoutes = (rail: Rail, origin: string): FastifyPluginAsyncTypebox => async (app) => {
  const store = rail.store;
  const nodes = (coords: NodeCoord[]) => store.ledgerNodes(coords);
  const config = { scope: 'public' as const };

  /** A tree size the ledger has reached, or a 400 naming the query parameter. */
  const reached = async (name: string, size: number): Promise<void> => {
    const current = await store.ledgerSize();
    if (size > current) {
      throw new RailError('validation_failed', `the ledger has ${current} leaves`, [{ pointer: `/query/${name}`, detail: `must be at most ${current}` }]);
    }
  };

  app.get(
    '/v1/ledger/checkpoint',
    { config, schema: { summary: 'The latest signed checkpoint', tags, response: { 200: Checkpoint, ...pick(404) } } },
    async () => {
      const cp = await store.latestCheckpoint();
      if (!cp) throw new RailError('not_found', 'no checkpoint has been signed yet');
      return checkpointObject(cp);
    },
  );

  app.get(
    '/v1/ledger/checkpoints',
    {
      config,
      schema: {
        summary: 'Signed checkpoints in ascending tree size',
        description: '`after` is a tree size; the page holds checkpoints larger than it. `next_cursor` continues the chain.',
        tags,
        querystring: Type.Object({ after: Type.Optional(Size), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
        response: { 200: ListOf(Checkpoint), ...pick(400) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const rows = await store.listCheckpoints({ after: request.query.after, limit });
      return { object: 'list' as const, data: rows.map(checkpointObject), next_cursor: rows.length === limit ? String(rows.at(-1)!.tree_size) : null };
    },
  );

  app.get(
    '/v1/ledger/entries/:seq',
    {
      config,
      schema: { summary: 'A ledger entry: the leaf and its hash', tags, params: Type.Object({ seq: Size }), response: { 200: LedgerEntry, ...pick(400, 404) } },
    },
    async (request) => {
      const row = await store.getLedgerEntry(request.params.seq);
      if (!row) throw new RailError('not_found', `no ledger entry ${request.params.seq}`);
      return presentLedgerRow(row);
    },
  );

  app.get(
    '/v1/ledger/proofs/inclusion',
    {
      config,
      schema: {
        summary: 'RFC 9162 inclusion proof of a leaf in the tree of tree_size leaves',
        description: 'Check it against the root of a signed checkpoint of the same tree_size.',
        tags,
        querystring: Type.Object({ seq: Size, tree_size: Size }),
        response: { 200: InclusionProof, ...pick(400) },
      },
    },
    async (request) => {
      const { seq, tree_size: size } = request.query;
      if (seq >= size) throw new RailError('validation_failed', 'the leaf must be inside the tree', [{ pointer: '/query/seq', detail: `must be below tree_size ${size}` }]);
      await reached('tree_size', size);
      const [leaf, proof, root] = await Promise.all([store.getLedgerEntry(seq), inclusionProof(seq, size, nodes), rootHash(size, nodes)]);
      return { object: 'inclusion_proof' as const, seq, tree_size: size, leaf_hash: leaf!.leaf_hash, root_hash: root.toString('hex'), proof: hex(proof) };
    },
  );

  app.get(
    '/v1/ledger/proofs/consistency',
    {
      config,
      schema: {
        summary: 'RFC 9162 consistency proof between two tree sizes',
        description: 'Proves the tree of `to` leaves extends the tree of `from` leaves; check it against two signed checkpoints.',
        tags,
        querystring: Type.Object({ from: Size, to: Size }),
        response: { 200: ConsistencyProof, ...pick(400) },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      if (from > to) throw new RailError('validation_failed', 'from must not exceed to', [{ pointer: '/query/from', detail: `must be at most to (${to})` }]);
      await reached('to', to);
      const [proof, fromRoot, toRoot] = await Promise.all([consistencyProof(from, to, nodes), rootHash(from, nodes), rootHash(to, nodes)]);
      return { object: 'consistency_proof' as const, from, to, from_root: fromRoot.toString('hex'), to_root: toRoot.toString('hex'), proof: hex(proof) };
    },
  );

  app.get(
    KEYS_PATH,
    {
      config,
      schema: {
        summary: 'Every key that ever signed checkpoints or attestations, with its validity window',
        description: 'Retired keys stay listed: what they signed while valid still verifies. Each process sharing the database publishes its own key.',
        tags: ['discovery'],
        response: { 200: KeySet },
      },
    },
    async (_request, reply) => {
      const keys = await store.listSigningKeys();
      reply.header('cache-control', 'public, max-age=60');
      return {
        object: 'key_set' as const,
        origin,
        keys: keys.map((k) => {
          const x = Buffer.from(k.public_key, 'base64').toString('base64url');
          const retired = k.retired_at === null ? null : iso(k.retired_at);
          return {
            key_id: k.key_id,
            algorithm: 'ed25519' as const,
            public_key: k.public_key,
            jwk: { kty: 'OKP' as const, crv: 'Ed25519' as const, x, kid: k.key_id, alg: 'EdDSA' as const, use: 'sig' as const },
            status: retired === null ? ('active' as const) : ('retired' as const),
            created_at: iso(k.created_at),
            retired_at: retired,
            valid: { from: iso(k.created_at), until: retired },
          };
        }),
      };
    },
  );
};
