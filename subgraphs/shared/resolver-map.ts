/** Resolvers by typename and field, as the merge walks them. */
type ResolverMap = Record<string, Record<string, unknown>>;

/**
 * Merges per-type resolver maps of one subgraph (each typed by its generated `Resolvers`);
 * a field defined twice is a programming error.
 */
export function mergeResolvers<TResolvers extends object>(...maps: readonly TResolvers[]): TResolvers {
  const merged: ResolverMap = {};
  // Walked untyped: each map is typename -> field -> resolver whatever TResolvers is.
  for (const map of maps as readonly object[] as readonly ResolverMap[]) {
    for (const [type, fields] of Object.entries(map)) {
      const target = (merged[type] ??= {});
      for (const [field, resolver] of Object.entries(fields)) {
        if (field in target) throw new Error(`resolver ${type}.${field} is defined twice`);
        target[field] = resolver;
      }
    }
  }
  // The union of maps that each satisfy TResolvers, with no field twice, satisfies it too.
  return merged as TResolvers;
}

/**
 * What a subgraph's resolvers receive for an entity another subgraph owns (a `@key`
 * representation): its key, and nothing of its data.
 */
export interface EntityRef {
  readonly id: string;
}
