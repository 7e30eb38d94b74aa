/**
 * The brand that marks an sre-kit error. `Symbol.for` makes it the same symbol in every
 * copy of the package loaded into one process, so `isSreError` works across copies where
 * `instanceof` does not.
 */
export const SRE_ERROR_BRAND: unique symbol = Symbol.for('sre-kit.SreError') as never;

/** Whether `value` carries the brand (from any copy of the package). */
export function hasBrand(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [SRE_ERROR_BRAND]?: unknown })[SRE_ERROR_BRAND] === true
  );
}
