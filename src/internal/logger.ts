/**
 * Any pino-style logger: `logger.info({ host }, 'connected')`. pino, bunyan-style
 * wrappers and sre-kit's own `main()` logger fit.
 */
export interface Logger {
  debug(object: Record<string, unknown>, message?: string): void;
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
}

/** A logger that drops everything: the default, since the library never prints by itself. */
export const noopLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
