/**
 * Work done by the batch-wide steps of normalization (linking, spawn-call matching, nearest and last-resort
 * merges), counted in elementary steps (ancestor hops, list probes, candidates looked at): tests assert it
 * grows linearly (or n log n) with a group's operations rather than timing it, clocks on a shared machine
 * being noise. A plain counter: incrementing it costs nothing worth measuring.
 */
export const normalizeWork = { steps: 0 };
