import { safeGet, safeString } from '../internal/json-safe.js';
import { describeValue } from './serialize.js';

/** Options of {@link formatError}. */
export interface FormatErrorOptions {
  /**
   * Append each link's stack trace.
   * @default false
   */
  stack?: boolean;
}

const MAX_LINKS = 16;

/**
 * Renders an error and its causes for humans on one line: `message ← cause ← cause`. A
 * link shows its code (`SRE_LOCK_TIMEOUT: …`, `ENOENT: …`) unless the message already
 * starts with it; an `AggregateError` lists its errors in brackets. A cause whose message
 * the link above already contains is left out, and so is a `ZodError` cause, since
 * `fromZodError` already put its issues in the message. With
 * `stack: true` every link is printed, one per paragraph, with its stack.
 *
 * @example
 * ```ts
 * import { formatError } from 'sre-kit/errors';
 *
 * const error = new Error('deploy failed', { cause: new Error('disk full') });
 * formatError(error); // 'deploy failed ← disk full'
 * ```
 */
export function formatError(error: unknown, options: FormatErrorOptions = {}): string {
  return formatChain(error, options.stack === true, new Set());
}

/** `seen` holds the links already shown above, so that cycles end, also through an AggregateError. */
function formatChain(error: unknown, withStack: boolean, seen: Set<unknown>): string {
  const links: string[] = [];
  let current: unknown = error;
  let previous: string | undefined;
  while (links.length < MAX_LINKS) {
    if (seen.has(current)) {
      links.push('[circular cause]');
      break;
    }
    seen.add(current);
    // A wrapper often repeats its cause's message; the cause then adds nothing on one line.
    const message = current instanceof Error ? safeString(() => (current as Error).message) : undefined;
    if (withStack || links.length === 0 || !message || !previous?.includes(message)) {
      links.push(formatLink(current, withStack, seen));
    }
    previous = message;
    const link = current;
    if (!(link instanceof Error) || safeGet(() => 'cause' in link) !== true) break;
    current = safeGet(() => link.cause);
    // fromZodError's message already lists every issue; the ZodError itself only repeats it.
    const next = current;
    if (!withStack && next instanceof Error && safeGet(() => next.name) === 'ZodError') break;
  }
  return links.join(withStack ? '\n\ncaused by: ' : ' ← ');
}

function formatLink(value: unknown, withStack: boolean, seen: Set<unknown>): string {
  if (!(value instanceof Error)) return `thrown value ${describeValue(value)}`;
  const name = safeString(() => value.name);
  let message = safeString(() => value.message);
  if (!withStack) {
    // One line. A ZodError's message is its issues as multi-line JSON, which fromZodError
    // has already named in the link above: only count them.
    const issues = safeGet(() => (value as { issues?: unknown }).issues);
    message =
      name === 'ZodError' && Array.isArray(issues)
        ? `${issues.length} validation issue${issues.length === 1 ? '' : 's'}`
        : message.replace(/\s*[\r\n]+\s*/g, ' ');
  }
  const code = safeGet(() => (value as { code?: unknown }).code);
  const label = typeof code === 'string' ? code : name !== 'Error' && name !== 'SreError' ? name : '';
  let text = label && !message.startsWith(label) ? `${label}: ${message}` : message;
  const errors = safeGet(() => (value as { errors?: unknown }).errors);
  if (Array.isArray(errors)) {
    // Each item gets its own copy of `seen`: siblings may share a cause without it being a cycle.
    text += ` [${errors.map((item) => formatChain(item, false, new Set(seen))).join('; ')}]`;
  }
  if (withStack) {
    const stack = safeGet(() => value.stack);
    // The frames start after the `name: message` header, which is several lines long when
    // the message is; cutting at the first frame keeps such a message from printing twice.
    const frames = typeof stack === 'string' ? stack.search(/\n\s+at /) : -1;
    if (typeof stack === 'string' && frames !== -1) text += stack.slice(frames);
  }
  return text;
}
