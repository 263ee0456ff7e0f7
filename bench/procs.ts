/**
 * Child-process bookkeeping for the benchmark: every server and wrk run is started through
 * here so that all of them are stopped on success, on error, on SIGINT/SIGTERM and on exit.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Tracked {
  name: string;
  child: ChildProcess;
  /** Servers run in their own process group so grandchildren (nginx workers, Lambda runtimes) die with them. */
  group: boolean;
  /** Last lines of stdout/stderr, for failure messages. */
  tail: string[];
  exited: Promise<void>;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
}

const live = new Set<Tracked>();
const TAIL_LINES = 40;

function signal(t: Tracked, sig: NodeJS.Signals): void {
  const pid = t.child.pid;
  if (pid === undefined || t.child.exitCode !== null || t.child.signalCode !== null) return;
  try {
    if (t.group) process.kill(-pid, sig);
    else t.child.kill(sig);
  } catch {
    // ESRCH: already gone between the check and the kill.
  }
}

export function start(name: string, cmd: string, args: string[], opts: SpawnOptions & { group?: boolean } = {}): Tracked {
  const group = opts.group ?? false;
  const child = spawn(cmd, args, { ...opts, detached: group, stdio: ['ignore', 'pipe', 'pipe'] });
  const tracked: Tracked = {
    name,
    child,
    group,
    tail: [],
    exitCode: null,
    exitSignal: null,
    exited: new Promise<void>((resolve) => {
      child.once('exit', (code, sig) => {
        tracked.exitCode = code;
        tracked.exitSignal = sig;
        live.delete(tracked);
        resolve();
      });
      child.once('error', (err) => {
        tracked.tail.push(`spawn error: ${err.message}`);
        live.delete(tracked);
        resolve();
      });
    }),
  };
  // Always drain both pipes: a chatty server whose pipe fills up would block and skew results.
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tracked.tail.push(line);
      if (tracked.tail.length > TAIL_LINES) tracked.tail.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  live.add(tracked);
  return tracked;
}

export function isRunning(t: Tracked): boolean {
  return live.has(t);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stop(t: Tracked, graceMs = 3000): Promise<void> {
  if (!live.has(t)) {
    // The leader may be gone while its group lives on (e.g. orphaned Lambda runtimes).
    if (t.group) signal(t, 'SIGKILL');
    return;
  }
  signal(t, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signal(t, 'SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([t.exited, killed]);
  clearTimeout(timer);
  await t.exited;
  if (t.group) {
    try {
      process.kill(-t.child.pid!, 'SIGKILL');
    } catch {
      // No members left in the group, which is the normal case.
    }
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((t) => stop(t)));
}

/** Synchronous last resort for paths where awaiting is impossible ('exit', fatal signals). */
export function killAllNow(): void {
  for (const t of live) signal(t, 'SIGKILL');
}

/** Resolves with the first stdout/stderr line matching `re`; rejects on exit or timeout. */
export function waitForLine(t: Tracked, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const m = buffered.match(re);
      if (m) {
        done();
        resolve(m);
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${t.name}: no line matching ${re} within ${timeoutMs} ms; last output: ${t.tail.slice(-5).join(' | ')}`));
    }, timeoutMs);
    const onExit = () => {
      done();
      reject(new Error(`${t.name} exited (code ${t.exitCode}, signal ${t.exitSignal}); last output: ${t.tail.slice(-5).join(' | ')}`));
    };
    const done = () => {
      clearTimeout(timer);
      t.child.stdout?.off('data', onData);
      t.child.stderr?.off('data', onData);
      t.child.off('exit', onExit);
    };
    t.child.stdout?.on('data', onData);
    t.child.stderr?.on('data', onData);
    t.child.once('exit', onExit);
  });
}

let installed = false;

/** Makes sure no child outlives the driver, whichever way the driver ends. */
export function installExitHandlers(cleanupDirs: () => void): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAllNow();
    cleanupDirs();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping children\n`);
      killAllNow();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`bench: uncaught ${err.stack ?? err}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`bench: unhandled rejection ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  });
}
