/** Routing: explicit tool + operation, or a capability resolved by the registry. Pure. */
import type { Routing } from '../contracts/execution-binding.js';
import { RailError } from '../contracts/errors.js';
import type { WorkOrderRequest } from '../contracts/work-order.js';
import type { RegisteredOperation, ToolRegistry } from '../tools/registry.js';

export interface Route {
  op: RegisteredOperation;
  routing: Routing;
}

/** `allowedTools` is the tenant's allow-list (undefined: every tool). */
export function route(req: WorkOrderRequest, registry: ToolRegistry, allowedTools?: readonly string[]): Route {
  const allowed = (tool: string) => !allowedTools || allowedTools.includes(tool);
  if (req.tool || req.operation) {
    if (!req.tool || !req.operation) {
      throw new RailError('validation_failed', 'tool and operation go together', [
        { pointer: req.tool ? '/operation' : '/tool', detail: 'is required when the other is given' },
      ]);
    }
    const tool = registry.get(req.tool);
    if (!tool || !allowed(req.tool)) {
      throw new RailError('unroutable', `no tool named ${req.tool}`, [{ pointer: '/tool', detail: 'is not a registered tool' }]);
    }
    const op = tool.operations.get(req.operation);
    if (!op) {
      throw new RailError('unroutable', `${req.tool} has no operation ${req.operation}`, [
        { pointer: '/operation', detail: `is not one of: ${[...tool.operations.keys()].join(', ')}` },
      ]);
    }
    if (req.capability && req.capability !== op.capability) {
      throw new RailError('unroutable', `${req.tool}.${req.operation} offers ${op.capability}, not ${req.capability}`, [
        { pointer: '/capability', detail: 'does not match the operation' },
      ]);
    }
    return { op, routing: { rule: 'explicit', reason: `requested ${req.tool}.${req.operation}` } };
  }
  if (!req.capability) {
    throw new RailError('validation_failed', 'name a tool and operation, or a capability', [
      { pointer: '/capability', detail: 'is required when tool and operation are not given' },
    ]);
  }
  const candidates = registry.byCapability(req.capability).filter((o) => allowed(o.tool));
  const op = candidates[0];
  if (!op) {
    throw new RailError('unroutable', `no tool offers ${req.capability}`, [
      { pointer: '/capability', detail: 'no registered tool offers it' },
    ]);
  }
  const others = candidates.length > 1 ? ` (first of ${candidates.length} by tool name)` : '';
  return { op, routing: { rule: 'capability', reason: `${req.capability} → ${op.tool}.${op.name}${others}` } };
}
