/**
 * (not yet implemented)
 *
 * @module process
 */
export {};
