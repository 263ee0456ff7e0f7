/**
 * What a Node.js function's worker thread and its parent say to each other. Kept apart from
 * the worker's own module, which must only ever run inside a worker.
 */

export interface InvokeMessage {
  id: number;
  eventJson: string;
  requestId: string;
  deadlineMs: number;
  traceId?: string;
  clientContext?: string;
}

/**
 * Invocations and their results cross the thread boundary as single strings: cloning one
 * string is a copy, while cloning an object walks its properties — on the warm path that
 * difference is a measurable share of an invocation.
 *   to the worker:   id NUL requestId NUL deadlineMs NUL traceId NUL clientContext NUL eventJson
 *   to the parent:   id NUL memoryMb NUL resultJson   (a successful invocation)
 */
export const SEP = '\u0000';

export function encodeInvoke(msg: InvokeMessage): string {
  return `${msg.id}${SEP}${msg.requestId}${SEP}${msg.deadlineMs}${SEP}${msg.traceId ?? ''}${SEP}${msg.clientContext ?? ''}${SEP}${msg.eventJson}`;
}

export function decodeInvoke(text: string): InvokeMessage {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const at = text.indexOf(SEP, from);
    parts.push(text.slice(from, at));
    from = at + 1;
  }
  return {
    id: Number(parts[0]),
    requestId: parts[1]!,
    deadlineMs: Number(parts[2]),
    traceId: parts[3] || undefined,
    clientContext: parts[4] || undefined,
    eventJson: text.slice(from),
  };
}

/** Decodes a successful result sent as a string (see above). */
export function decodeResponse(text: string): { id: number; memoryMb: number; json: string } {
  const first = text.indexOf(SEP);
  const second = text.indexOf(SEP, first + 1);
  return { id: Number(text.slice(0, first)), memoryMb: Number(text.slice(first + 1, second)), json: text.slice(second + 1) };
}

/** Messages from the worker besides successful results: output, init completion, errors. */
export type WorkerMessage =
  | { type: 'output'; text: string }
  | { type: 'ready'; error?: ErrorPayload }
  | { type: 'error'; id: number; error: ErrorPayload; memoryMb: number };

export interface ErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

