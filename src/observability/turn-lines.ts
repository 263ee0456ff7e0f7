/**
 * Text log events held per destination until the code that wrote them is done (a microtask),
 * then handed over together, so a destination encodes a turn's events in one call instead of
 * one per event. Both sides of the file destination batch this way: the gateway thread before
 * the ring (log-sink-worker.ts), the writer thread before the files (log-sink-file.ts).
 */

/** One destination's waiting events. */
export interface WaitingLines {
  lines: string[];
  /** UTF-16 units of `lines`, a newline each included. */
  units: number;
}

export class TurnLines<W extends WaitingLines> {
  private readonly waiting: W[] = [];
  private scheduled = false;

  constructor(
    /** Takes a destination's waiting events; `take` empties them first. */
    private readonly flushOne: (waiting: W) => void,
    /**
     * A destination with this many units waiting is handed over at once, so a caller writing a
     * flood without returning still holds a bounded list.
     */
    private readonly maxUnits: number,
  ) {}

  /** Holds `line` for `to` until the microtask, or hands `to` over now if it holds enough. */
  add(to: W, line: string): void {
    if (to.units === 0) {
      this.waiting.push(to);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(this.flush);
      }
    }
    to.lines.push(line);
    to.units += line.length + 1;
    if (to.units >= this.maxUnits) this.flushOne(to);
  }

  /** Hands over every destination's waiting events now. */
  readonly flush = (): void => {
    this.scheduled = false;
    for (const to of this.waiting) this.flushOne(to);
    this.waiting.length = 0;
  };
}

/** Empties `from`: its events joined by newlines, how many, and their units. */
export function take(from: WaitingLines): { text: string; count: number; units: number } {
  const count = from.lines.length;
  const units = from.units;
  const text = count === 0 ? '' : from.lines.join('\n');
  from.lines.length = 0;
  from.units = 0;
  return { text, count, units };
}
