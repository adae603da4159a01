/**
 * PLACEHOLDER (infra helper, issue 10): exists only so `lib/connectors.ts` can bundle and synth.
 * The lead replaces this file with the real handler (see /work/wt/BRIEF.md, "Handler contract").
 */
export const handler = async (): Promise<never> => {
  throw new Error('functions/handlers/shopify.ts: not implemented (placeholder from the infra branch)');
};
