/**
 * The HTTP plumbing of the test doubles is moved to src/demo/servers/http.ts so the product's demo mode can serve the same
 * wire protocol without importing test files; tests keep importing it from here.
 */
export * from '../../src/demo/servers/http';
