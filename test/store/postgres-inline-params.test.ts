/**
 * Parameters written as literals (src/store/postgres/inline-params.ts): whatever the value, the
 * server reads the rewritten statement exactly as it reads the statement with its parameters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { inlineParams, stringLiteral } from '../../src/store/postgres/inline-params.js';
import { createTestDatabase, whenPostgres, type TestDatabase } from './pg-database.js';

const NASTY = [
  '',
  "it's",
  "''",
  'back\\slash',
  '\\x41',
  "\\'; DROP TABLE t; --",
  "E'",
  'line\nbreak\ttab\r',
  '$1 and $2',
  '-- not a comment',
  'naïve ✓ 𝄞 日本',
  '{"json": [1, "two"]}',
  '"quoted"',
];

await whenPostgres(() => {
  describe('PostgreSQL: parameters inlined as literals', () => {
    let db: TestDatabase;
    let client: pg.Client;
    before(async () => {
      db = await createTestDatabase();
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
    });
    after(async () => {
      await client?.end();
      await db?.drop();
    });

    const same = async (text: string, values: unknown[]) => {
      const inlined = inlineParams(text, values);
      assert.ok(inlined, 'inlinable');
      assert.deepEqual((await client.query(inlined)).rows, (await client.query(text, values)).rows, inlined);
    };

    test('strings read back exactly, whatever they contain', async () => {
      for (const s of NASTY) await same('SELECT $1::text AS s, length($1) AS n', [s]);
      // A backslash reads the same with standard_conforming_strings off.
      await client.query('SET standard_conforming_strings = off');
      try {
        for (const s of NASTY) await same('SELECT $1::text AS s', [s]);
      } finally {
        await client.query('SET standard_conforming_strings = on');
      }
    });

    test('numbers (a negative one next to a minus), booleans and null', async () => {
      await same('SELECT 10-$1 AS d, $2::bigint AS big, $3::float8 AS f, $4::boolean AS t, $5::boolean AS f2, $6::text IS NULL AS isnull', [
        -5,
        1_700_000_000_000,
        1.5,
        true,
        false,
        null,
      ]);
    });

    test('arrays of strings, numbers and nulls', async () => {
      await same('SELECT $1::text[] AS a, $2::int[] AS i, $3::text[] AS e, $4::bigint[] AS n', [
        [...NASTY, null, 'NULL', 'a,b', '{x}', ' spaced '],
        [1, -2, 3],
        [],
        [null, 1_700_000_000_000],
      ]);
      await same('SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS u(x, o) ORDER BY o', [NASTY]);
    });

    test('a string literal is written exactly as node-postgres escapes it', () => {
      for (const s of [...NASTY, '\\', "\\'\\''", 'x'.repeat(10_000) + "'\\"]) assert.equal(stringLiteral(s), pg.escapeLiteral(s), s);
    });

    test('values it cannot write as literals are left to the parameters', () => {
      for (const v of [Buffer.from('x'), { a: 1 }, Number.NaN, Infinity, [[1]], [{ a: 1 }], new Date(0), 'nul \u0000 inside', ['nul \u0000']]) {
        assert.equal(inlineParams('SELECT $1', [v]), undefined, String(v));
      }
      assert.equal(inlineParams('SELECT $2', [1]), undefined, 'a placeholder without a value');
      assert.equal(inlineParams('SELECT $1, $10', [1, 2, 3, 4, 5, 6, 7, 8, 9, 'ten']), "SELECT (1), ('ten')");
    });
  });
});
