// Moved to the platform library so the time subgraph does date arithmetic the same way.
export * from '../../shared/dates.ts';
