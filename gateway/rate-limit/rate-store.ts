/** A leaky bucket's shape: at most `maximum` points, refilled at `restorePerSecond` points a second. */
export interface BucketShape {
  readonly maximum: number;
  readonly restorePerSecond: number;
}

/**
 * The hourly request windows one request counts in: always its organization's and, for a key
 * with a limit of its own, also the key's. The request is counted only when every window has
 * room, and then in all of them.
 */
export interface RequestWindows {
  /** The organization's window (`org:<uuid>`) and its limit. */
  readonly subject: string;
  readonly limit: number;
  /** The key's window (`key:<uuid>`) and its own, lower, limit; absent for callers without one. */
  readonly key?: { readonly subject: string; readonly limit: number } | undefined;
}

/** What one admission asks of a store; times are epoch milliseconds. */
export interface StoreAdmissionInput {
  readonly requests: RequestWindows;
  /** Start of the fixed window the request counts in. */
  readonly windowStart: number;
  readonly budgetSubject: string;
  /** Points to charge when the request is counted and the bucket holds them. */
  readonly cost: number;
  readonly bucket: BucketShape;
  readonly now: number;
}

/** Requests counted in a request's windows. */
export interface WindowCounts {
  /** In the organization's window. */
  readonly count: number;
  /** In the key's window; null when the request has no key window. */
  readonly keyCount: number | null;
}

/** What the store decided, atomically. */
export interface StoreAdmission extends WindowCounts {
  /** Whether the request was counted (in every window); false when a window was full: nothing counted, nothing charged. */
  readonly counted: boolean;
  /** Whether `cost` was taken from the bucket. */
  readonly charged: boolean;
  /** Exact points in the bucket after the admission (possibly fractional). */
  readonly available: number;
}

/**
 * Where request counts and buckets live. Every method is atomic on its own: concurrent
 * callers (other gateway instances included, for a shared store) never overshoot a limit.
 * A subject without a bucket has a full one.
 */
export interface RateStore {
  /**
   * Counts the request in all its windows unless one of them is full (then in none) and, only
   * when counted, charges the cost if the bucket (refilled to `now`) holds it. The counts
   * returned include this request when it was counted.
   */
  admit(input: StoreAdmissionInput): Promise<StoreAdmission>;
  /** Charges `cost` if the bucket (refilled to `now`) holds it, counting no request; the exact points after it. */
  spend(subject: string, cost: number, bucket: BucketShape, now: number): Promise<{ charged: boolean; available: number }>;
  /** Adds `refund` points to the bucket, never above the maximum; returns the exact points after it. */
  credit(subject: string, refund: number, bucket: BucketShape, now: number): Promise<number>;
  /** Requests counted in the windows, without counting one. */
  countRequests(requests: RequestWindows, windowStart: number): Promise<WindowCounts>;
  /** The exact points in the bucket at `now`, without charging. */
  peek(subject: string, bucket: BucketShape, now: number): Promise<number>;
  /**
   * Deletes windows that started before `before`, and buckets untouched since `before` that are
   * full at `now` (forgetting a full bucket changes nothing). Returns how many of each went.
   */
  prune(before: number, bucket: BucketShape, now: number): Promise<{ windows: number; budgets: number }>;
  /** Writes out what is not yet shared and releases timers and connections; stores without any omit it. */
  close?(): Promise<void>;
}
