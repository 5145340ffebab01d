/** A leaky bucket's shape: at most `maximum` points, refilled at `restorePerSecond` points a second. */
export interface BucketShape {
  readonly maximum: number;
  readonly restorePerSecond: number;
}

/** What one admission asks of a store; times are epoch milliseconds. */
export interface StoreAdmissionInput {
  readonly requestSubject: string;
  /** Start of the fixed window the request counts in. */
  readonly windowStart: number;
  /** Requests allowed in the window. */
  readonly limit: number;
  readonly budgetSubject: string;
  /** Points to charge when the request is counted and the bucket holds them. */
  readonly cost: number;
  readonly bucket: BucketShape;
  readonly now: number;
}

/** What the store decided, atomically. */
export interface StoreAdmission {
  /** Requests in the window including this one; null when the limit was reached (nothing was counted, nothing charged). */
  readonly count: number | null;
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
  /** Counts the request unless its window is full and, only then, charges the cost if the bucket (refilled to `now`) holds it. */
  admit(input: StoreAdmissionInput): Promise<StoreAdmission>;
  /** Charges `cost` if the bucket (refilled to `now`) holds it, counting no request; the exact points after it. */
  spend(subject: string, cost: number, bucket: BucketShape, now: number): Promise<{ charged: boolean; available: number }>;
  /** Adds `refund` points to the bucket, never above the maximum; returns the exact points after it. */
  credit(subject: string, refund: number, bucket: BucketShape, now: number): Promise<number>;
  /** Requests counted in the window, without counting one. */
  countRequests(subject: string, windowStart: number): Promise<number>;
  /** The exact points in the bucket at `now`, without charging. */
  peek(subject: string, bucket: BucketShape, now: number): Promise<number>;
  /**
   * Deletes windows that started before `before`, and buckets untouched since `before` that are
   * full at `now` (forgetting a full bucket changes nothing). Returns how many of each went.
   */
  prune(before: number, bucket: BucketShape, now: number): Promise<{ windows: number; budgets: number }>;
}
