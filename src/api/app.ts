/** Builds the Fastify app: validation, problems, auth, OpenAPI, and one plugin per resource. */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/settings.js';
import type { Rail } from '../rail/rail.js';
import { installAuth } from './auth.js';
import { installJsonBodies } from './json-body.js';
import { openapiFinish, openapiTransform } from './openapi.js';
import { frameworkProblem, installProblemHandlers } from './problems.js';
import { rateLimiter } from './rate-limit.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { bindingRoutes } from './routes/bindings.js';
import { bundleRoutes } from './routes/bundle.js';
import { callbackRoutes } from './routes/callbacks.js';
import { consoleRoutes } from './routes/console.js';
import { contractRoutes } from './routes/contracts.js';
import { discoveryRoutes } from './routes/discovery.js';
import { eventRoutes } from './routes/events.js';
import { exceptionRoutes } from './routes/exceptions.js';
import { healthRoutes } from './routes/health.js';
import { ledgerRoutes } from './routes/ledger.js';
import { meRoutes } from './routes/me.js';
import { metricsRoutes } from './routes/metrics.js';
import { queueRoutes } from './routes/queue.js';
import { receiptRoutes } from './routes/receipts.js';
import { tenantRoutes } from './routes/tenants.js';
import { toolTaskRoutes } from './routes/tool-tasks.js';
import { toolRoutes } from './routes/tools.js';
import { workOrderRoutes } from './routes/work-orders.js';
import { installValidation } from './validation.js';
import { VERSION } from '../version.js';
import { mcpRoutes } from '../mcp/http.js';

export type AppPlugin = (app: FastifyInstance) => Promise<void>;

export async function buildApp(rail: Rail, config: Pick<Config, 'bodyLimit' | 'origin' | 'rateLimit'>, logger: Logger, extra: AppPlugin[] = []): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimit,
    return503OnClosing: true,
    requestTimeout: 60_000,
    frameworkErrors: frameworkProblem,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // The install helpers take the plain instance; the TypeBox provider only types route handlers.
  const base = app as unknown as FastifyInstance;
  installValidation(base);
  installProblemHandlers(base);
  installJsonBodies(base);
  const auth = installAuth(base, rail.store, rail.ctx.now, await rateLimiter(base, config.rateLimit));
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
    // OpenAPI 3.1 is JSON Schema 2020-12: keep `const`, so the contracts appear exactly as published.
    convertConstToEnum: false,
    transform: openapiTransform as never,
    transformObject: openapiFinish as never,
  });
  app.get('/openapi.json', { config: { scope: 'public' }, schema: { summary: 'This OpenAPI 3.1 document', tags: ['discovery'], response: { 200: { description: 'OpenAPI 3.1', type: 'object', additionalProperties: true } } } }, async () => app.swagger() as unknown as Record<string, unknown>);
  await app.register(metricsRoutes(rail));
  await app.register(healthRoutes(rail, VERSION));
  await app.register(workOrderRoutes(rail));
  await app.register(bindingRoutes(rail));
  await app.register(bundleRoutes(rail, config.origin));
  await app.register(ledgerRoutes(rail, config.origin));
  await app.register(receiptRoutes(rail));
  await app.register(toolRoutes(rail));
  await app.register(toolTaskRoutes(rail));
  await app.register(callbackRoutes(rail));
  await app.register(eventRoutes(rail));
  await app.register(exceptionRoutes(rail));
  await app.register(queueRoutes(rail));
  await app.register(auditRoutes(rail));
  await app.register(tenantRoutes(rail));
  await app.register(apiKeyRoutes(rail, auth));
  await app.register(contractRoutes());
  await app.register(discoveryRoutes(rail, VERSION));
  await app.register(mcpRoutes());
  await app.register(meRoutes());
  await app.register(consoleRoutes());
  for (const plugin of extra) await app.register(plugin);
  return base;
}
