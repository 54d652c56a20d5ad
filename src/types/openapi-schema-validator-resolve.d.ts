// The package ships no types for its resolve.js (its index.d.ts covers index.js only).
declare module "@seriousme/openapi-schema-validator/resolve.js" {
  export function replaceRefs(tree: unknown): Record<string, unknown> | undefined;
  export function checkRefs(tree: Record<string, unknown>): { valid: boolean; errors?: string };
}
