/**
 * GET /metrics: Prometheus text. Behind the admin scope, because queue depth per tool spans every
 * tenant (configure the scraper with `authorization: { credentials: <admin key> }`).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Rail } from '../../rail/rail.js';
import { RailMetrics } from '../metrics.js';

export const metricsRoutes = (rail: Rail): FastifyPluginAsync => {
  const plugin: FastifyPluginAsync = async (app: FastifyInstance) => {
    const metrics = new RailMetrics(rail);
    app.addHook('onClose', async () => metrics.close());
    // Times every route of the app, not only this plugin's (see skip-override below).
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
    app.get(
      '/metrics',
      { config: { scope: 'admin' }, schema: { summary: 'Prometheus metrics (names prefixed bindrail_)', tags: ['meta'], produces: ['text/plain'] } },
      async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  };
  // What fastify-plugin does: register in the parent's context, so the onResponse hook sees every route.
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
};
