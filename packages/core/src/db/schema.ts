export * from '../accounts/schema.js';
export * from '../forum/schema.js';
export * from '../events/schema.js';
export * from '../ratelimit/schema.js';
export * from '../polls/schema.js';
