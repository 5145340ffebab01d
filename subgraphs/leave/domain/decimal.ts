// Moved to the platform library so the time subgraph computes hours the same way.
export * from '../../shared/decimal.ts';
