/** RFC 9457 problem details, with the JSON pointer of every bad field. */
import { Type, type Static } from 'typebox';

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI naming the error code, e.g. https://bindrail.dev/problems/validation_failed' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ pointer: Type.String(), detail: Type.String() }, { additionalProperties: false }),
      ),
    ),
  },
  { additionalProperties: true },
);
export type Problem = Static<typeof Problem>;
