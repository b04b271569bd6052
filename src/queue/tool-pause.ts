/** Pausing a tool's queue: claims skip a paused tool's work (it stays queued) until it is resumed. */
import { RailError } from '../contracts/errors.js';
import { audit, type Actor } from '../rail/audit.js';
import type { RailContext } from '../rail/context.js';
import type { StoreReader } from '../store/store.js';
import { PAUSED_TOOLS_SWITCH } from '../store/types.js';

const parse = (v: string | undefined): string[] => (v ? (JSON.parse(v) as string[]) : []);

export async function pausedTools(store: StoreReader): Promise<string[]> {
  return parse(await store.getSwitch(PAUSED_TOOLS_SWITCH));
}

/** Pauses or resumes `tool`; answers the paused tools after the change. */
export async function setToolPaused(ctx: RailContext, tool: string, paused: boolean, actor: Actor): Promise<string[]> {
  if (!ctx.registry.get(tool)) throw new RailError('not_found', `no tool ${tool}`);
  const now = ctx.now();
  const after = await ctx.store.write(async (tx) => {
    const set = new Set(parse(await tx.getSwitch(PAUSED_TOOLS_SWITCH)));
    if (paused) set.add(tool);
    else set.delete(tool);
    const list = [...set].sort();
    await tx.setSwitch(PAUSED_TOOLS_SWITCH, JSON.stringify(list), now);
    await audit(tx, actor, paused ? 'queue.tool.pause' : 'queue.tool.resume', tool, now);
    return list;
  });
  // Resumed work is runnable again at once.
  if (!paused) ctx.bus.emit('work');
  return after;
}
