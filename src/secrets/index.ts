/**
 * (not yet implemented)
 *
 * @module secrets
 */
export {};
