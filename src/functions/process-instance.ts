/**
 * A function instance for the runtimes that are not Node.js: python3.x and provided.al2/al2023.
 * The runtime is a child process (Portico's Python runtime client, or the function's own
 * `bootstrap`) that speaks the Lambda Runtime API to a server of its own on loopback. Like a
 * Lambda sandbox, the process sees a Lambda environment rather than Portico's, is bounded by the
 * function's memory size, and is killed with its whole process group when the instance goes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { access, stat, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionArn } from '../model/function.js';
import {
  hostEnvironment,
  lambdaEnvironment,
  runtimeError,
  type FunctionInstance,
  type InstanceEnvironment,
  type InstanceInvocation,
  type InstanceOutcome,
} from './instance.js';
import type { LambdaErrorPayload } from './invoker.js';
import { RuntimeApiServer, type RuntimeApiResult } from './runtime-api.js';

export interface ProcessInstanceOptions {
  /** Longest the runtime may take to ask for its first invocation; Lambda's init phase gets 10 s. */
  initTimeoutMs?: number;
  /** How often memory use is sampled while the runtime initialises or runs an invocation. */
  memoryPollMs?: number;
}

const DEFAULT_INIT_TIMEOUT_MS = 10_000;
const DEFAULT_MEMORY_POLL_MS = 100;
/** How long to wait after an exit for the last of the process's output. */
const OUTPUT_DRAIN_MS = 100;

/** Host variables a runtime needs to find its interpreter and tools; nothing else leaks in. */
const INHERITED_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'LD_LIBRARY_PATH',
  'PYENV_ROOT',
  'PYENV_VERSION',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

/** The ends of an invocation's answer, as the pool asks for them. */
type Reason = (requestId: string) => LambdaErrorPayload;

interface Command {
  file: string;
  args: string[];
  env: Record<string, string>;
}

export class ProcessInstance implements FunctionInstance {
  initDurationMs = 0;
  private isStopped = false;
  private readonly initTimeoutMs: number;
  private readonly memoryPollMs: number;
  private child?: ChildProcess;
  private api?: RuntimeApiServer;
  private startPromise?: Promise<void>;
  /** Settles the pending start(); set while the runtime initialises. */
  private settleStart?: () => void;
  private ready = false;
  /** Why the instance can no longer run invocations; the first cause wins. */
  private failure?: Reason;
  private current?: { requestId: string; resolve(outcome: InstanceOutcome): void };
  private startedAt = 0;
  private spawnedAt = 0;
  private exited = false;
  /** The process exited and its output was read to the end. */
  private finished = false;
  private exitNotified = false;
  private outOfMemory = false;
  private memoryTimer?: NodeJS.Timeout;
  private initTimer?: NodeJS.Timeout;
  private maxMemoryKb = 0;

  constructor(private readonly env: InstanceEnvironment, options: ProcessInstanceOptions = {}) {
    this.initTimeoutMs = options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
    this.memoryPollMs = options.memoryPollMs ?? DEFAULT_MEMORY_POLL_MS;
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  /** The runtime process's ID while it runs (its process group's, too). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    this.startPromise ??= this.initialise();
    return this.startPromise;
  }

  invoke(invocation: InstanceInvocation): Promise<InstanceOutcome> {
    const { requestId } = invocation;
    if (this.failure) return Promise.resolve({ kind: 'fatal', error: this.failure(requestId) });
    if (this.isStopped || !this.api) {
      return Promise.resolve({ kind: 'fatal', error: runtimeError(requestId, 'Runtime.Unknown', 'The instance is not running') });
    }
    if (this.current) {
      return Promise.resolve({ kind: 'error', error: runtimeError(requestId, 'Runtime.Unknown', 'The instance is busy') });
    }
    return new Promise((resolve) => {
      this.current = { requestId, resolve };
      this.watchMemory();
      this.api!.deliver(invocation);
    });
  }

  maxMemoryUsedMb(): number {
    this.sampleMemory();
    return Math.ceil(this.maxMemoryKb / 1024);
  }

  stop(): void {
    if (this.isStopped) return;
    // Stopped before it was ready: the init phase ran out of time (or Portico is going away).
    if (!this.ready) this.fail(this.initTimedOut());
    this.fail((id) => runtimeError(id, 'Runtime.ExitError', 'Runtime exited with error: signal: killed'));
    this.teardown();
  }

  private async initialise(): Promise<void> {
    const began = performance.now();
    this.startedAt = began;
    // Armed before anything else, so that this bound, not a caller's equal one, fires first.
    this.initTimer = setTimeout(() => this.onInitTimeout(), this.initTimeoutMs);
    try {
      const command = await this.command();
      if (!command || this.isStopped) {
        this.teardown();
        return;
      }
      const api = new RuntimeApiServer({
        functionArn: functionArn(this.env.account.region, this.env.account.accountId, this.env.definition.functionName),
        handlers: {
          onReady: () => this.onReady(),
          onInitError: (error) => this.onInitError(error),
          onResult: (requestId, result) => this.onResult(requestId, result),
        },
      });
      this.api = api;
      const address = await api.listen();
      if (this.isStopped) {
        api.close();
        return;
      }
      command.env.AWS_LAMBDA_RUNTIME_API = address;
      const settled = new Promise<void>((resolve) => (this.settleStart = resolve));
      this.spawnRuntime(command);
      if (!this.isStopped) this.watchMemory();
      await settled;
    } catch (err) {
      this.fail((id) => runtimeError(id, 'Runtime.Unknown', `Runtime failed to start: ${(err as Error).message}`));
      this.teardown();
    } finally {
      this.initDurationMs = performance.now() - (this.spawnedAt || began);
    }
  }

  /** What to run, or undefined (with the failure recorded) when there is nothing runnable. */
  private async command(): Promise<Command | undefined> {
    const def = this.env.definition;
    const env = this.environment();
    if (def.runtime.startsWith('provided')) {
      const bootstrap = join(def.codeDirectory, 'bootstrap');
      const isFile = await stat(bootstrap).then((s) => s.isFile(), () => false);
      if (!isFile) {
        this.fail((id) => runtimeError(id, 'Runtime.InvalidEntrypoint', `Couldn't find valid bootstrap(s): [${bootstrap}]`));
        return undefined;
      }
      const executable = await access(bootstrap, constants.X_OK).then(() => true, () => false);
      if (!executable) {
        this.fail((id) => runtimeError(id, 'Runtime.InvalidEntrypoint', `fork/exec ${bootstrap}: permission denied`));
        return undefined;
      }
      return { file: bootstrap, args: [], env };
    }
    if (def.runtime.startsWith('python')) {
      // The runtime client writes nothing into the code directory, as /var/task is read-only.
      return { file: 'python3', args: ['-u', pythonBootstrap()], env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...env } };
    }
    this.fail((id) => runtimeError(id, 'Runtime.InvalidEntrypoint', `Runtime ${def.runtime} does not run as a process`));
    return undefined;
  }

  private environment(): Record<string, string> {
    const env = hostEnvironment(INHERITED_VARIABLES);
    return {
      ...env,
      ...lambdaEnvironment(this.env.definition, this.env.account),
      ...this.env.baseEnvironment,
      ...this.env.definition.environment,
    };
  }

  private spawnRuntime(command: Command): void {
    this.spawnedAt = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(command.file, command.args, {
        cwd: this.env.definition.codeDirectory,
        env: command.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so that stopping it also stops whatever it started.
        detached: true,
      });
    } catch (err) {
      this.onSpawnError(command.file, err as NodeJS.ErrnoException);
      return;
    }
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => this.output(text));
      stream?.on('error', () => {});
    }
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) this.onSpawnError(command.file, err);
    });
    child.on('exit', (code, signal) => this.onExitStatus(code, signal));
  }

  private onSpawnError(file: string, err: NodeJS.ErrnoException): void {
    const reason = goErrno(err.code) ?? err.message;
    this.fail((id) => runtimeError(id, 'Runtime.InvalidEntrypoint', `fork/exec ${file}: ${reason}`));
    this.exited = true;
    this.finished = true;
    this.teardown();
  }

  private onReady(): void {
    if (this.ready) return;
    this.ready = true;
    clearTimeout(this.initTimer);
    this.sampleMemory();
    if (!this.current) this.unwatchMemory();
    this.settle();
  }

  private onInitError(error: LambdaErrorPayload): void {
    // Lambda answers the invocation with the runtime's own account of what went wrong.
    this.fail(() => error);
    clearTimeout(this.initTimer);
    this.settle();
  }

  private onInitTimeout(): void {
    if (this.ready || this.isStopped) return;
    const elapsed = performance.now() - (this.spawnedAt || this.startedAt);
    this.output(`INIT_REPORT Init Duration: ${elapsed.toFixed(2)} ms\tPhase: init\tStatus: timeout\n`);
    this.stop();
  }

  private initTimedOut(): Reason {
    const seconds = ((performance.now() - (this.spawnedAt || this.startedAt || performance.now())) / 1000).toFixed(2);
    return (id) => runtimeError(id, 'Runtime.Unknown', `Init timed out after ${seconds} seconds`);
  }

  private onResult(requestId: string, result: RuntimeApiResult): void {
    const current = this.current;
    if (!current || current.requestId !== requestId) return;
    this.current = undefined;
    this.sampleMemory();
    this.unwatchMemory();
    const outcome: InstanceOutcome =
      result.kind === 'response' ? { kind: 'response', payloadJson: result.body } : { kind: 'error', error: result.error };
    // The runtime wrote its output before answering; let that output reach onOutput first.
    setImmediate(() => current.resolve(outcome));
  }

  private onExitStatus(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    const status = signal ? `signal: ${goSignal(signal)}` : `exit status ${code}`;
    const killedForMemory = this.outOfMemory;
    this.fail((id) =>
      killedForMemory
        ? runtimeError(id, 'Runtime.OutOfMemory', `Runtime exited with error: ${status}`)
        : code === 0
          ? runtimeError(id, 'Runtime.ExitError', 'Runtime exited without providing a reason')
          : runtimeError(id, 'Runtime.ExitError', `Runtime exited with error: ${status}`),
    );
    // The last lines (a traceback, say) may still be in the pipes; give them a moment.
    const child = this.child;
    const finish = (): void => {
      clearTimeout(drain);
      if (this.finished) return;
      this.finished = true;
      child?.stdout?.destroy();
      child?.stderr?.destroy();
      this.teardown();
    };
    const drain = setTimeout(finish, OUTPUT_DRAIN_MS);
    child?.once('close', finish);
  }

  private fail(reason: Reason): void {
    this.failure ??= reason;
  }

  private settle(): void {
    const settle = this.settleStart;
    this.settleStart = undefined;
    settle?.();
  }

  /** Ends everything but the wait for the process to exit; idempotent. */
  private teardown(): void {
    this.isStopped = true;
    clearTimeout(this.initTimer);
    this.unwatchMemory();
    this.kill();
    this.api?.close();
    this.settle();
    const current = this.current;
    this.current = undefined;
    if (current) {
      const reason = this.failure ?? ((id: string) => runtimeError(id, 'Runtime.Unknown', 'The instance stopped'));
      current.resolve({ kind: 'fatal', error: reason(current.requestId) });
    }
    // The instance has ended once its process has, output and all (see onExitStatus).
    if (this.finished || this.child?.pid === undefined) this.notifyExit();
  }

  private notifyExit(): void {
    if (this.exitNotified) return;
    this.exitNotified = true;
    try {
      this.env.onExit();
    } catch {
      // The pool's bookkeeping must not take the process down with it.
    }
  }

  /**
   * Kills the process group: the runtime and anything it started. Also after the runtime
   * itself exited, so that nothing it left running outlives the instance.
   */
  private kill(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      if (!this.exited) this.child?.kill('SIGKILL');
    }
  }

  private output(text: string): void {
    try {
      this.env.onOutput(text);
    } catch {
      // A failing log consumer loses the line, not the instance.
    }
  }

  private watchMemory(): void {
    if (this.memoryTimer || this.isStopped) return;
    this.memoryTimer = setInterval(() => {
      const usedKb = this.sampleMemory();
      if (usedKb > this.env.definition.memorySize * 1024 && !this.outOfMemory) {
        this.outOfMemory = true;
        this.kill();
      }
    }, this.memoryPollMs);
    this.memoryTimer.unref();
  }

  private unwatchMemory(): void {
    clearInterval(this.memoryTimer);
    this.memoryTimer = undefined;
  }

  /**
   * The resident memory of the runtime and everything it started, in kB, as a sandbox's memory
   * accounting sees it; also raises the high-water mark. 0 where /proc is unavailable.
   */
  private sampleMemory(): number {
    const root = this.child?.pid;
    if (root === undefined || this.exited) return 0;
    let totalKb = 0;
    const pending = [root];
    const seen = new Set<number>();
    while (pending.length > 0 && seen.size < 256) {
      const pid = pending.pop()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      let status: string;
      try {
        status = readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch {
        continue;
      }
      totalKb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      if (pid === root) this.maxMemoryKb = Math.max(this.maxMemoryKb, Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      try {
        for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ')) {
          if (child.trim()) pending.push(Number(child));
        }
      } catch {
        // No children file on this kernel: the runtime's own process is what is counted.
      }
    }
    this.maxMemoryKb = Math.max(this.maxMemoryKb, totalKb);
    return totalKb;
  }
}

let pythonBootstrapPath: string | undefined;
/** Portico's Python runtime client: beside this module in src/, or from dist/ back to src/. */
function pythonBootstrap(): string {
  pythonBootstrapPath ??= [
    new URL('./runtimes/python/bootstrap.py', import.meta.url),
    new URL('../../../src/functions/runtimes/python/bootstrap.py', import.meta.url),
  ]
    .map((url) => fileURLToPath(url))
    .find((path) => existsSync(path));
  if (!pythonBootstrapPath) throw new Error('The Python runtime client (runtimes/python/bootstrap.py) is missing');
  return pythonBootstrapPath;
}

/** How Lambda's Go-written sandbox names a signal in "Runtime exited with error: signal: …". */
function goSignal(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGTERM: 'terminated',
    SIGSEGV: 'segmentation fault',
    SIGABRT: 'aborted',
    SIGBUS: 'bus error',
    SIGFPE: 'floating point exception',
    SIGILL: 'illegal instruction',
    SIGINT: 'interrupt',
    SIGHUP: 'hangup',
    SIGQUIT: 'quit',
    SIGPIPE: 'broken pipe',
    SIGTRAP: 'trace/breakpoint trap',
    SIGALRM: 'alarm clock',
    SIGUSR1: 'user defined signal 1',
    SIGUSR2: 'user defined signal 2',
    SIGXCPU: 'CPU time limit exceeded',
    SIGXFSZ: 'file size limit exceeded',
  };
  return names[signal] ?? signal;
}

/** Go's wording for the errors an exec can fail with. */
function goErrno(code: string | undefined): string | undefined {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied';
    case 'ENOEXEC':
      return 'exec format error';
    default:
      return undefined;
  }
}
