/** The five reference operating tools every rail starts with. */
import { distributionops } from '../tools/ops/distributionops/index.js';
import { energyops } from '../tools/ops/energyops/index.js';
import { financeops } from '../tools/ops/financeops/index.js';
import { packetops } from '../tools/ops/packetops/index.js';
import { tokenops } from '../tools/ops/tokenops/index.js';
import { ToolRegistry } from '../tools/registry.js';

export function referenceTools(): ToolRegistry {
  return new ToolRegistry().add(tokenops).add(financeops).add(energyops).add(distributionops).add(packetops);
}
