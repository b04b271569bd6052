/**
 * Every API operation the client calls, as "METHOD /path" in OpenAPI's path syntax. The client's
 * methods send through this table only, so a test can hold it against /openapi.json.
 */
export const ROUTES = {
  health: 'GET /healthz',
  me: 'GET /v1/me',
  openapi: 'GET /openapi.json',
  discovery: 'GET /.well-known/bindrail.json',
  llmsTxt: 'GET /llms.txt',
  listContracts: 'GET /v1/contracts',
  getContract: 'GET /v1/contracts/{name}.schema.json',
  getContractExample: 'GET /v1/contracts/examples/{name}.json',
  getSqlScaffold: 'GET /v1/contracts/sql/{dialect}.sql',
  submitWorkOrder: 'POST /v1/work-orders',
  submitBatch: 'POST /v1/work-orders/batch',
  preflightWorkOrder: 'POST /v1/work-orders/preflight',
  getWorkOrder: 'GET /v1/work-orders/{work_order_id}',
  listBindings: 'GET /v1/bindings',
  getBinding: 'GET /v1/bindings/{binding_id}',
  getCommand: 'GET /v1/bindings/{binding_id}/command',
  getResult: 'GET /v1/bindings/{binding_id}/result',
  listEvents: 'GET /v1/bindings/{binding_id}/events',
  listReceipts: 'GET /v1/bindings/{binding_id}/receipts',
  getAttestation: 'GET /v1/bindings/{binding_id}/attestation',
  listBindingLedger: 'GET /v1/bindings/{binding_id}/ledger',
  getBundle: 'GET /v1/bindings/{binding_id}/bundle',
  getCheckpoint: 'GET /v1/ledger/checkpoint',
  listCheckpoints: 'GET /v1/ledger/checkpoints',
  getLedgerEntry: 'GET /v1/ledger/entries/{seq}',
  getInclusionProof: 'GET /v1/ledger/proofs/inclusion',
  getConsistencyProof: 'GET /v1/ledger/proofs/consistency',
  getKeys: 'GET /.well-known/bindrail/keys.json',
  cancelBinding: 'POST /v1/bindings/{binding_id}/cancel',
  retryBinding: 'POST /v1/bindings/{binding_id}/retry',
  replayBinding: 'POST /v1/bindings/{binding_id}/replay',
  getReceipt: 'GET /v1/receipts/{receipt_id}',
  listTools: 'GET /v1/tools',
  getTool: 'GET /v1/tools/{name}',
  registerTool: 'PUT /v1/tools/{name}',
  retireTool: 'DELETE /v1/tools/{name}',
  getCallback: 'GET /v1/bindings/{binding_id}/callback',
  redeliverCallback: 'POST /v1/bindings/{binding_id}/callback/redeliver',
  getCallbackSecret: 'GET /v1/callbacks/secret',
  rotateCallbackSecret: 'POST /v1/callbacks/secret/rotate',
  listAllEvents: 'GET /v1/events',
  listExceptions: 'GET /v1/exceptions',
  getException: 'GET /v1/exceptions/{exception_id}',
  getQueue: 'GET /v1/queue',
  pauseTool: 'POST /v1/queue/tools/{name}/pause',
  resumeTool: 'POST /v1/queue/tools/{name}/resume',
  pauseCallbacks: 'POST /v1/queue/callbacks/pause',
  resumeCallbacks: 'POST /v1/queue/callbacks/resume',
  listAudit: 'GET /v1/audit',
  metrics: 'GET /metrics',
} as const;

/**
 * Operations the client leaves out on purpose: the remote-tool worker protocol (a worker SDK's job,
 * with task tokens instead of API keys) and the MCP transport (use an MCP client).
 */
export const NOT_IN_CLIENT = [
  'POST /v1/tool-tasks/claim',
  'POST /v1/tool-tasks/{task_token}/heartbeat',
  'POST /v1/tool-tasks/{task_token}/complete',
  'POST /v1/tool-tasks/{task_token}/fail',
  'POST /mcp',
  'GET /mcp',
  'DELETE /mcp',
  // Tenant and key administration: the operator's job (`bindrail keys create|list|revoke`), not an agent's.
  'POST /v1/tenants',
  'GET /v1/tenants',
  'POST /v1/api-keys',
  'GET /v1/api-keys',
  'DELETE /v1/api-keys/{key_id}',
] as const;

export type Operation = keyof typeof ROUTES;

/** Fills `{name}` placeholders; every value is URL-encoded. */
export function expandPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new TypeError(`missing path parameter ${key}`);
    return encodeURIComponent(value);
  });
}
