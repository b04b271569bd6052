/**
 * Each system's worker runs in a child process of its own, so its CPU and peak RSS can be read
 * from /proc without the harness's load mixed in. The child says {type:'ready'} over IPC when it
 * can take work and exits on {type:'stop'}.
 */
import { fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** True when `moduleUrl` is the script node was started with (not imported by the harness). */
export const isMain = (moduleUrl) => process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;

export async function startChild(modulePath, args, { env = {}, execArgv = [], readyTimeoutMs = 60_000 } = {}) {
  const child = fork(modulePath, args, { execArgv, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-20_000)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${modulePath} did not get ready in ${readyTimeoutMs} ms:\n${output}`)), readyTimeoutMs);
    child.on('message', (m) => {
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${modulePath} exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    pid: child.pid,
    output: () => output,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** In the child: tell the parent we are ready, and run `stop` when asked to (then exit). */
export function serveChild(stop) {
  process.on('message', async (m) => {
    if (m?.type !== 'stop') return;
    try {
      await stop();
    } finally {
      process.exit(0);
    }
  });
  process.send({ type: 'ready' });
}
