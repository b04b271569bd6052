/** Wires one bindrail process from a Config: store, keys, tools, rail, workers, reaper, HTTP. */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, type AppPlugin } from '../api/app.js';
import type { Config } from '../config/settings.js';
import { CallbackDispatcher } from '../delivery/callback-dispatcher.js';
import type { HostLookup } from '../delivery/ssrf.js';
import { loadOrCreateSigningKey, type SigningKey } from '../proof/keys.js';
import { Reaper } from '../queue/reaper.js';
import { InProcessWorker } from '../queue/worker.js';
import { RailBus } from '../rail/bus.js';
import { Checkpointer } from '../rail/checkpointer.js';
import { DEFAULT_RAIL_OPTIONS, type RailContext } from '../rail/context.js';
import { Rail } from '../rail/rail.js';
import type { Store } from '../store/store.js';
import type { ToolRegistry } from '../tools/registry.js';
import { ensureAdminKey } from './first-start.js';
import { loadToolModules } from './load-tools.js';
import { workerIdentity } from './worker-identity.js';
import { makeLogger } from './logger.js';
import { openStore } from './open-store.js';
import { referenceTools } from './tools.js';

/** How soon a remote tool registered or retired through another process reaches this one. */
const REMOTE_TOOL_RELOAD_MS = 2_000;

export interface Runtime {
  config: Readonly<Config>;
  store: Store;
  rail: Rail;
  key: SigningKey;
  logger: Logger;
  app?: FastifyInstance;
  worker?: InProcessWorker;
  checkpointer?: Checkpointer;
  reaper?: Reaper;
  callbacks?: CallbackDispatcher;
  /** http://host:port once listening. */
  url?: string;
  /** The admin key, when this start created it. */
  createdAdminKey?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  registry?: ToolRegistry;
  logger?: Logger;
  now?: () => number;
  random?: () => number;
  listen?: boolean;
  plugins?: AppPlugin[];
  backoff?: RailContext['options']['backoff'];
  /** DNS for the callback SSRF guard (tests resolve names without a network). */
  lookup?: HostLookup;
}

export async function startRail(config: Readonly<Config>, opts: StartOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? makeLogger(config.logLevel);
  const now = opts.now ?? Date.now;
  const store = await openStore(config.store, config.dataDir);
  const key = loadOrCreateSigningKey(config.dataDir, now);
  await store.write((tx) =>
    tx.upsertSigningKey({ key_id: key.keyId, algorithm: 'ed25519', public_key: key.publicKeyRaw.toString('base64'), created_at: key.createdAt, retired_at: null }),
  );
  const createdAdminKey = await ensureAdminKey(store, config.dataDir, config.adminKey, now());
  const registry = opts.registry ?? referenceTools();
  await loadToolModules(registry, config.tools);
  const ctx: RailContext = {
    store,
    registry,
    key,
    bus: new RailBus(),
    now,
    random: opts.random ?? Math.random,
    options: {
      ...DEFAULT_RAIL_OPTIONS,
      maxBatch: config.maxBatch,
      backoff: opts.backoff ?? DEFAULT_RAIL_OPTIONS.backoff,
      allowPrivateCallbacks: config.allowPrivateCallbacks,
      callbackBackoff: config.callbackBackoff,
      callbackTimeoutMs: config.callbackTimeoutMs,
    },
    lookup: opts.lookup,
  };
  const rail = new Rail(ctx);
  const toolLog = {
    info: (msg: string, fields?: Record<string, unknown>) => logger.info(fields ?? {}, msg),
    warn: (msg: string, fields?: Record<string, unknown>) => logger.warn(fields ?? {}, msg),
  };
  const runtime: Runtime = { config, store, rail, key, logger, createdAdminKey, close: async () => undefined };
  // Every role appends leaves (intake or finalize), so every process signs checkpoints.
  runtime.checkpointer = new Checkpointer({ store, key, origin: config.origin, now }, { every: config.checkpointEvery, intervalMs: config.checkpointIntervalMs, bus: ctx.bus, log: toolLog });
  runtime.checkpointer.start();
  // Remote tools registered through any process sharing the store: loaded now, then kept in step.
  await rail.remoteTools.start(REMOTE_TOOL_RELOAD_MS, toolLog);

  if (config.role !== 'api') {
    const identity = workerIdentity(config.dataDir);
    if (identity.recoverOrphans) {
      const recovered = await rail.attempts.recoverOrphans(identity.owner);
      if (recovered > 0) logger.warn({ recovered, owner: identity.owner }, 'failed the attempts this worker held before it restarted');
    }
    runtime.worker = new InProcessWorker(ctx, rail.attempts, {
      concurrency: config.concurrency,
      pollMs: config.pollMs,
      owner: identity.owner,
      log: toolLog,
    });
    runtime.reaper = new Reaper(rail.attempts, config.reaperIntervalMs, now, toolLog);
    // Work committed by other processes sharing the database wakes this process's worker too.
    if (store.dialect === 'postgres') store.onWork?.(() => ctx.bus.emit('work'));
    runtime.worker.start();
    runtime.reaper.start();
    if (identity.recoverOrphans) await store.write((tx) => tx.releaseCallbackLeases(identity.owner));
    runtime.callbacks = new CallbackDispatcher(ctx, { owner: identity.owner, pollMs: config.pollMs, concurrency: config.concurrency, log: toolLog });
    runtime.callbacks.start();
    ctx.loops = { reaper: runtime.reaper, callbacks: runtime.callbacks };
  }
  if (config.role !== 'worker') {
    // Event streams of this API process hear of events other processes commit at once, not on their poll.
    if (store.dialect === 'postgres') store.onEvents?.(() => ctx.bus.emit('stored'));
    runtime.app = await buildApp(rail, config, logger, opts.plugins);
    if (opts.listen !== false) {
      await runtime.app.listen({ host: config.host, port: config.port });
      const addr = runtime.app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      runtime.url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    }
  }

  let closing: Promise<void> | undefined;
  runtime.close = () =>
    (closing ??= (async () => {
      await runtime.app?.close();
      await rail.remoteTools.stop();
      runtime.reaper?.stop();
      await runtime.worker?.stop(config.shutdownGraceMs);
      await runtime.callbacks?.stop();
      await runtime.checkpointer?.stop();
      await store.close();
    })());
  return runtime;
}
