/** Prefixed, time-sortable ids: `<prefix>_<uuidv7 as 32 hex>`. */
import { v7 } from 'uuid';

export type IdPrefix = 'wo' | 'bnd' | 'cmd' | 'rcp' | 'evt' | 'exc' | 'key' | 'cbd';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${v7().replaceAll('-', '')}`;
}
