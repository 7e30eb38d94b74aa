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
 * starts with it; an `AggregateError` lists its errors in brackets. With `stack: true` the
 * links are printed one per paragraph with their stacks.
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
  const links: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (links.length < MAX_LINKS) {
    if (seen.has(current)) {
      links.push('[circular cause]');
      break;
    }
    seen.add(current);
    links.push(formatLink(current, options.stack === true));
    const link = current;
    if (!(link instanceof Error) || safeGet(() => 'cause' in link) !== true) break;
    current = safeGet(() => link.cause);
  }
  return links.join(options.stack === true ? '\n\ncaused by: ' : ' ← ');
}

function formatLink(value: unknown, withStack: boolean): string {
  if (!(value instanceof Error)) return `thrown value ${describeValue(value)}`;
  const name = safeString(() => value.name);
  const issues = safeGet(() => (value as { issues?: unknown }).issues);
  // A ZodError's message is its issues as multi-line JSON, which fromZodError has already
  // turned into the message of the link above; on one line, only say how many there were.
  const message =
    name === 'ZodError' && Array.isArray(issues) && !withStack
      ? `${issues.length} validation issue${issues.length === 1 ? '' : 's'}`
      : safeString(() => value.message);
  const code = safeGet(() => (value as { code?: unknown }).code);
  const label = typeof code === 'string' ? code : name !== 'Error' && name !== 'SreError' ? name : '';
  let text = label && !message.startsWith(label) ? `${label}: ${message}` : message;
  const errors = safeGet(() => (value as { errors?: unknown }).errors);
  if (Array.isArray(errors)) {
    text += ` [${errors.map((item) => formatError(item)).join('; ')}]`;
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
