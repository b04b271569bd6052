/** The five reference operating tools every rail starts with. */
import { ToolRegistry } from '../tools/registry.js';
import { packetops } from '../tools/ops/packetops/index.js';

export function referenceTools(): ToolRegistry {
  return new ToolRegistry().add(packetops);
}
