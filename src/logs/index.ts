/**
 * (not yet implemented)
 *
 * @module logs
 */
export {};
