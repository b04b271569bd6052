/** Builds the Fastify app: validation, problems, auth, OpenAPI, and one plugin per resource. */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/settings.js';
import type { Rail } from '../rail/rail.js';
import { installAuth } from './auth.js';
import { openapiFinish, openapiTransform } from './openapi.js';
import { installProblemHandlers } from './problems.js';
import { bindingRoutes } from './routes/bindings.js';
import { contractRoutes } from './routes/contracts.js';
import { discoveryRoutes } from './routes/discovery.js';
import { healthRoutes } from './routes/health.js';
import { receiptRoutes } from './routes/receipts.js';
import { toolRoutes } from './routes/tools.js';
import { workOrderRoutes } from './routes/work-orders.js';
import { installValidation } from './validation.js';
import { VERSION } from '../version.js';
import { mcpRoutes } from '../mcp/http.js';

export type AppPlugin = (app: FastifyInstance) => Promise<void>;

export async function buildApp(rail: Rail, config: Pick<Config, 'bodyLimit'>, logger: Logger, extra: AppPlugin[] = []): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimit,
    return503OnClosing: true,
    requestTimeout: 60_000,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // The install helpers take the plain instance; the TypeBox provider only types route handlers.
  const base = app as unknown as FastifyInstance;
  installValidation(base);
  installProblemHandlers(base);
  installAuth(base, rail.store, rail.ctx.now);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'bindrail',
        version: VERSION,
        description: 'Execution binding rail: routed Work Orders become operating-tool commands with receipts, a Merkle ledger and signed attestations.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key: Authorization: Bearer br_…' } } },
      security: [{ apiKey: [] }],
    },
    transform: openapiTransform as never,
    transformObject: openapiFinish as never,
  });
  app.get('/openapi.json', { config: { scope: 'public' }, schema: { summary: 'This OpenAPI 3.1 document', tags: ['discovery'] } }, async () => app.swagger());
  await app.register(healthRoutes(rail, VERSION));
  await app.register(workOrderRoutes(rail));
  await app.register(bindingRoutes(rail));
  await app.register(receiptRoutes(rail));
  await app.register(toolRoutes(rail));
  await app.register(contractRoutes());
  await app.register(discoveryRoutes(rail, VERSION));
  await app.register(mcpRoutes());
  for (const plugin of extra) await app.register(plugin);
  return base;
}
