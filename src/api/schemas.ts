/** Route-level schema pieces shared by the resource files: params, pages, problem responses. */
import { Type } from 'typebox';
import { Problem } from '../contracts/problem.js';

export const BindingParams = Type.Object({ binding_id: Type.String({ pattern: '^bnd_[0-9a-f]{32}$' }) });
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
};

const problem = (description: string) => ({ ...Problem, description });
export const Problems = {
  400: problem('The request is not valid; errors[] names each bad field by JSON pointer.'),
  401: problem('Missing or unknown API key.'),
  403: problem('The key lacks the scope.'),
  404: problem('Not found (or another tenant\'s).'),
  409: problem('Conflict: idempotency key reuse, stale task token, or a state that forbids this.'),
  422: problem('Unroutable: no registered tool can take it.'),
};

export const pick = <K extends keyof typeof Problems>(...codes: K[]) =>
  Object.fromEntries(codes.map((c) => [c, Problems[c]])) as Pick<typeof Problems, K>;

/** A page of objects; `next_cursor` continues it, null at the end. */
export const ListOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ object: Type.Literal('list'), data: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });
