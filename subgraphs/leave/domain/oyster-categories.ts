import type { LeaveCategory } from '../db/tables/leave-types.ts';

// Oyster's time-off type/reason mapping (seed 003, section 1.3), verbatim: a leave type's
// category decides which reasons a request of it may give, and two pairs need a comment
// because payroll cannot tell the true reason without one.

/** Why leave is taken, within its category (the `LeaveReason` enum). */
export type LeaveReason =
  | 'PAID_TIME_OFF'
  | 'UNPAID_TIME_OFF'
  | 'PARENTAL_LEAVE'
  | 'CAREGIVER_LEAVE'
  | 'EDUCATIONAL_LEAVE'
  | 'MARRIAGE_LEAVE'
  | 'MILITARY_TRAINING_ASSEMBLY'
  | 'MILITARY_MEDICAL_EXAMINATION'
  | 'MILITARY_UNPAID_LEAVE'
  | 'MILITARY_PAID_LEAVE'
  | 'SABBATICAL'
  | 'CIVIC_DUTIES'
  | 'RELIGIOUS_OBSERVANCE'
  | 'BEREAVEMENT'
  | 'OTHER_UNPAID_LEAVE'
  | 'TIME_OFF_IN_LIEU'
  | 'LOCAL_HOLIDAY'
  | 'OTHER_PAID_LEAVE';

/** The reasons each category allows, in Oyster's order. */
export const REASONS_BY_CATEGORY: Readonly<Record<LeaveCategory, readonly LeaveReason[]>> = Object.freeze({
  VACATION: Object.freeze(['PAID_TIME_OFF'] as const),
  SICK_LEAVE: Object.freeze(['PAID_TIME_OFF', 'UNPAID_TIME_OFF'] as const),
  UNPAID_LEAVE: Object.freeze([
    'PARENTAL_LEAVE',
    'CAREGIVER_LEAVE',
    'EDUCATIONAL_LEAVE',
    'MARRIAGE_LEAVE',
    'MILITARY_TRAINING_ASSEMBLY',
    'MILITARY_MEDICAL_EXAMINATION',
    'MILITARY_UNPAID_LEAVE',
    'SABBATICAL',
    'CIVIC_DUTIES',
    'RELIGIOUS_OBSERVANCE',
    'BEREAVEMENT',
    'OTHER_UNPAID_LEAVE',
  ] as const),
  OTHER: Object.freeze([
    'PARENTAL_LEAVE',
    'CAREGIVER_LEAVE',
    'EDUCATIONAL_LEAVE',
    'MARRIAGE_LEAVE',
    'MILITARY_TRAINING_ASSEMBLY',
    'MILITARY_MEDICAL_EXAMINATION',
    'MILITARY_PAID_LEAVE',
    'SABBATICAL',
    'CIVIC_DUTIES',
    'BEREAVEMENT',
    'TIME_OFF_IN_LIEU',
    'LOCAL_HOLIDAY',
    'OTHER_PAID_LEAVE',
  ] as const),
});

/** The category/reason pairs whose requests must carry a comment. */
export const COMMENT_REQUIRED: readonly { readonly category: LeaveCategory; readonly reason: LeaveReason }[] = Object.freeze([
  Object.freeze({ category: 'UNPAID_LEAVE', reason: 'OTHER_UNPAID_LEAVE' } as const),
  Object.freeze({ category: 'OTHER', reason: 'OTHER_PAID_LEAVE' } as const),
]);

/** The reasons a request of a type in `category` may give. */
export function reasonsFor(category: LeaveCategory): readonly LeaveReason[] {
  return REASONS_BY_CATEGORY[category];
}

/** True when `reason` is one of `category`'s reasons (any string is accepted, so raw input can be checked). */
export function isReasonAllowed(category: LeaveCategory, reason: string): boolean {
  return (REASONS_BY_CATEGORY[category] as readonly string[]).includes(reason);
}

/** The reasons of `category` that require a comment by Oyster's rules (not counting the type's own `requires_comment`). */
export function commentRequiredReasons(category: LeaveCategory): readonly LeaveReason[] {
  return COMMENT_REQUIRED.filter((pair) => pair.category === category).map((pair) => pair.reason);
}

/**
 * True when a request of `type` giving `reason` must carry a comment: the type requires one
 * for every request, or the category/reason pair is one of Oyster's comment-required pairs.
 * A null reason needs a comment only when the type requires one.
 */
export function commentRequired(type: { readonly category: LeaveCategory; readonly requires_comment: boolean }, reason: string | null): boolean {
  if (type.requires_comment) return true;
  if (reason === null) return false;
  return COMMENT_REQUIRED.some((pair) => pair.category === type.category && pair.reason === reason);
}

/** The reason to assume when a request gives none: the category's only reason, or null when it has several. */
export function defaultReason(category: LeaveCategory): LeaveReason | null {
  const reasons = REASONS_BY_CATEGORY[category];
  return reasons.length === 1 ? (reasons[0] ?? null) : null;
}
