/**
 * A bounded open-loop load generator: requests leave on a fixed schedule (request i of a
 * target at about i / rate seconds) whatever the answers are doing, which wrk, a closed loop, cannot
 * do. That is what a rate limit has to be measured with: a closed loop slows down as soon as
 * responses do and never holds the offer above the limit.
 *
 * Each target gets its own undici Pool of keep-alive connections, sized so that requests never
 * wait for a free connection at the offered rate; the pool's queue would otherwise turn the
 * schedule back into a closed loop. Answers are counted per 1-second window of the time the
 * request was sent, so a window holds what was offered in that second, however late its
 * answers came. The run is bounded: it sends exactly rate x duration requests per target, gives
 * every request `timeoutMs`, and stops by itself at a hard deadline after the last send.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { assertLoopbackUrl } from './net.js';

export interface OpenLoopTarget {
  url: string;
  /** Requests per second, sent evenly spaced. */
  rate: number;
  headers?: Readonly<Record<string, string>>;
}

export interface OpenLoopOptions {
  targets: readonly OpenLoopTarget[];
  durationSec: number;
  /** Per request: headers and body must arrive within this. */
  timeoutMs: number;
  /** Keep-alive connections per target (default 64). */
  connections?: number;
}

/** Answers to the requests sent in one second of the run, over every target. */
export interface OpenLoopWindow {
  sent: number;
  /** HTTP 200. */
  ok: number;
  /** HTTP 429. */
  throttled: number;
  /** Any other status. */
  other: number;
  /** No answer: connection error or timeout. */
  failed: number;
}

export interface OpenLoopResult {
  /** One per second of the run, in order. */
  windows: OpenLoopWindow[];
  /** The same counts per target, for a check that each process got its share. */
  perTarget: Omit<OpenLoopWindow, 'sent'>[];
  sent: number;
  /** Latest a request left after its scheduled time, in ms (timer granularity is about 1 ms). */
  maxLagMs: number;
  /** Requests that left more than LATE_MS after their scheduled time. */
  late: number;
  /** Most requests in flight at once, over every target. */
  maxInFlight: number;
  /** Statuses other than 200 and 429, with counts, for the notes. */
  otherStatuses: Record<string, number>;
  /** The first connection error or timeout, for the notes. */
  firstError?: string;
}

/** A request this late has left its window's schedule noticeably; reported, not fatal. */
export const LATE_MS = 10;
/** Most requests one run may send, whatever the options say. */
const MAX_REQUESTS = 200_000;

export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  const { durationSec, timeoutMs } = opts;
  const total = opts.targets.map((t) => Math.round(t.rate * durationSec));
  const requests = total.reduce((a, b) => a + b, 0);
  if (requests > MAX_REQUESTS) throw new Error(`open-loop run of ${requests} requests exceeds the bound of ${MAX_REQUESTS}`);
  const connections = opts.connections ?? 64;
  const pools = opts.targets.map((t) => {
    const u = assertLoopbackUrl(t.url);
    return {
      pool: new Pool(u.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
      path: u.pathname + u.search,
      headers: t.headers ?? {},
      rate: t.rate,
      sent: 0,
      counts: { ok: 0, throttled: 0, other: 0, failed: 0 },
    };
  });
  const windows: OpenLoopWindow[] = Array.from({ length: durationSec }, () => ({ sent: 0, ok: 0, throttled: 0, other: 0, failed: 0 }));
  const result: OpenLoopResult = {
    windows,
    perTarget: pools.map((p) => p.counts),
    sent: 0,
    maxLagMs: 0,
    late: 0,
    maxInFlight: 0,
    otherStatuses: {},
  };
  let inFlight = 0;
  const pending = new Set<Promise<void>>();

  const send = (target: (typeof pools)[number], window: OpenLoopWindow): void => {
    inFlight++;
    if (inFlight > result.maxInFlight) result.maxInFlight = inFlight;
    const done = target.pool
      .request({ path: target.path, method: 'GET', headers: target.headers })
      .then(async ({ statusCode, body }) => {
        await body.dump();
        if (statusCode === 200) {
          window.ok++;
          target.counts.ok++;
        } else if (statusCode === 429) {
          window.throttled++;
          target.counts.throttled++;
        } else {
          window.other++;
          target.counts.other++;
          result.otherStatuses[statusCode] = (result.otherStatuses[statusCode] ?? 0) + 1;
        }
      })
      .catch((err: unknown) => {
        window.failed++;
        target.counts.failed++;
        result.firstError ??= (err as Error).message;
      })
      .finally(() => {
        inFlight--;
        pending.delete(done);
      });
    pending.add(done);
  };

  const start = performance.now();
  const endMs = durationSec * 1000;
  try {
    // A 1 ms timer catches up with every request due since the last tick: the schedule, not the
    // answers, decides when a request leaves.
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now() - start;
        let remaining = false;
        for (let t = 0; t < pools.length; t++) {
          const target = pools[t];
          // Targets' schedules are offset by equal fractions of an interval, so their requests
          // interleave instead of leaving in pairs with the first target always ahead.
          const phase = t / pools.length;
          const due = Math.min(total[t], Math.max(0, Math.floor((now * target.rate) / 1000 - phase) + 1));
          while (target.sent < due) {
            const scheduled = ((target.sent + phase) * 1000) / target.rate;
            const lag = now - scheduled;
            if (lag > result.maxLagMs) result.maxLagMs = lag;
            if (lag > LATE_MS) result.late++;
            // The window of the time it actually leaves, which is what the limit sees.
            const w = windows[Math.min(windows.length - 1, Math.floor(now / 1000))];
            w.sent++;
            target.sent++;
            result.sent++;
            send(target, w);
          }
          if (target.sent < total[t]) remaining = true;
        }
        if (remaining && now < endMs + timeoutMs) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
    // Every request has its own timeout; this bounds the wait for the last of them regardless.
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...pending]),
      new Promise<void>((resolve) => {
        deadline = setTimeout(resolve, timeoutMs + 2000);
      }),
    ]);
    clearTimeout(deadline);
  } finally {
    await Promise.allSettled(pools.map((p) => p.pool.destroy()));
  }
  return result;
}
