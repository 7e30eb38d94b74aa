import { createHash, timingSafeEqual } from 'node:crypto';

const SECRET_BRAND = Symbol.for('sre-kit.Secret');
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const MASK = '[REDACTED]';

/**
 * A secret value that does not print. `String(s)`, template literals, `JSON.stringify`,
 * `util.inspect` and `console.log` all show `[REDACTED]`; only {@link Secret.reveal} gives
 * the value back. Compare two secrets with {@link Secret.equals}, in constant time.
 *
 * @example
 * ```ts
 * import { Secret } from 'sre-kit/secrets';
 *
 * const token = new Secret(process.env.API_TOKEN ?? '');
 * console.log(`using ${token}`); // using [REDACTED]
 * await fetch(url, { headers: { authorization: `Bearer ${token.reveal()}` } });
 * ```
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    if (typeof value !== 'string') {
      throw new TypeError(
        `new Secret(value): expected a string, received ${value === null ? 'null' : typeof value}`,
      );
    }
    this.#value = value;
    Object.defineProperty(this, SECRET_BRAND, { value: true });
  }

  /** The secret value. Call it at the last moment, where the value is handed over. */
  reveal(): string {
    return this.#value;
  }

  /** Compares with another secret or string in constant time (for values of any length). */
  equals(other: Secret | string): boolean {
    const theirs = typeof other === 'string' ? other : other.reveal();
    return timingSafeEqual(digest(this.#value), digest(theirs));
  }

  /** A short, non-reversible fingerprint (`sha256:1a2b3c4d5e6f`) to tell versions apart in logs. */
  fingerprint(): string {
    return `sha256:${digest(this.#value).toString('hex').slice(0, 12)}`;
  }

  /** The length of the value, in UTF-16 code units. */
  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [Symbol.toPrimitive](): string {
    return MASK;
  }

  [INSPECT](): string {
    return `Secret(${MASK})`;
  }
}

/** Whether `value` is a {@link Secret} from this copy of the package or another. */
export function isSecret(value: unknown): value is Secret {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SECRET_BRAND] === true
  );
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
