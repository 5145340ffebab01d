import { describe, expect, it } from 'vitest';
import {
  COMMENT_REQUIRED,
  commentRequired,
  commentRequiredReasons,
  defaultReason,
  isReasonAllowed,
  reasonsFor,
  REASONS_BY_CATEGORY,
} from '../../../../subgraphs/leave/domain/oyster-categories.ts';

// Oyster's mapping (seed 003, section 1.3), written out independently of the module.
const OYSTER: Record<string, string[]> = {
  VACATION: ['PAID_TIME_OFF'],
  SICK_LEAVE: ['PAID_TIME_OFF', 'UNPAID_TIME_OFF'],
  UNPAID_LEAVE: [
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
  ],
  OTHER: [
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
  ],
};
const CATEGORIES = ['VACATION', 'SICK_LEAVE', 'UNPAID_LEAVE', 'OTHER'] as const;
const ALL_REASONS = [...new Set(Object.values(OYSTER).flat())];

describe('oyster categories', () => {
  it('should map every category to exactly Oyster’s reasons, in order', () => {
    expect(Object.keys(REASONS_BY_CATEGORY).sort()).toEqual([...CATEGORIES].sort());
    for (const category of CATEGORIES) expect([...reasonsFor(category)]).toEqual(OYSTER[category]);
  });

  it('should cover all 18 reasons of the LeaveReason enum', () => {
    expect(ALL_REASONS).toHaveLength(18);
  });

  it('should allow a reason only within its category', () => {
    for (const category of CATEGORIES) {
      for (const reason of ALL_REASONS) expect(isReasonAllowed(category, reason), `${category}/${reason}`).toBe(OYSTER[category]!.includes(reason));
    }
    expect(isReasonAllowed('VACATION', 'paid_time_off')).toBe(false);
    expect(isReasonAllowed('OTHER', '')).toBe(false);
    // Pairs that differ between the two long lists.
    expect(isReasonAllowed('UNPAID_LEAVE', 'RELIGIOUS_OBSERVANCE')).toBe(true);
    expect(isReasonAllowed('OTHER', 'RELIGIOUS_OBSERVANCE')).toBe(false);
    expect(isReasonAllowed('OTHER', 'MILITARY_PAID_LEAVE')).toBe(true);
    expect(isReasonAllowed('UNPAID_LEAVE', 'MILITARY_PAID_LEAVE')).toBe(false);
  });

  it('should require a comment for exactly UNPAID_LEAVE/OTHER_UNPAID_LEAVE and OTHER/OTHER_PAID_LEAVE', () => {
    expect(COMMENT_REQUIRED).toEqual([
      { category: 'UNPAID_LEAVE', reason: 'OTHER_UNPAID_LEAVE' },
      { category: 'OTHER', reason: 'OTHER_PAID_LEAVE' },
    ]);
    const required: string[] = [];
    for (const category of CATEGORIES) {
      for (const reason of ALL_REASONS) if (commentRequired({ category, requires_comment: false }, reason)) required.push(`${category}/${reason}`);
    }
    expect(required).toEqual(['UNPAID_LEAVE/OTHER_UNPAID_LEAVE', 'OTHER/OTHER_PAID_LEAVE']);
    expect(commentRequired({ category: 'OTHER', requires_comment: false }, 'OTHER_UNPAID_LEAVE')).toBe(false);
    expect(commentRequired({ category: 'UNPAID_LEAVE', requires_comment: false }, null)).toBe(false);
  });

  it('should require a comment for every reason, and none, when the type requires one', () => {
    for (const category of CATEGORIES) {
      expect(commentRequired({ category, requires_comment: true }, null)).toBe(true);
      for (const reason of OYSTER[category]!) expect(commentRequired({ category, requires_comment: true }, reason)).toBe(true);
    }
  });

  it('should list the comment-required reasons of each category', () => {
    expect(commentRequiredReasons('VACATION')).toEqual([]);
    expect(commentRequiredReasons('SICK_LEAVE')).toEqual([]);
    expect(commentRequiredReasons('UNPAID_LEAVE')).toEqual(['OTHER_UNPAID_LEAVE']);
    expect(commentRequiredReasons('OTHER')).toEqual(['OTHER_PAID_LEAVE']);
  });

  it('should default the reason only when the category has exactly one', () => {
    expect(defaultReason('VACATION')).toBe('PAID_TIME_OFF');
    expect(defaultReason('SICK_LEAVE')).toBeNull();
    expect(defaultReason('UNPAID_LEAVE')).toBeNull();
    expect(defaultReason('OTHER')).toBeNull();
  });

  it('should not let callers change the mapping', () => {
    expect(Object.isFrozen(REASONS_BY_CATEGORY)).toBe(true);
    expect(Object.isFrozen(REASONS_BY_CATEGORY.OTHER)).toBe(true);
    expect(() => (REASONS_BY_CATEGORY.VACATION as string[]).push('UNPAID_TIME_OFF')).toThrow();
  });
});
