import { describe, expect, it } from 'vitest';
import { newPassword } from './secret';

describe('newPassword', () => {
  it('has the length asked and no look-alike characters', () => {
    for (let i = 0; i < 200; i++) {
      const p = newPassword();
      expect(p).toHaveLength(16);
      expect(p).not.toMatch(/[0O1lI]/);
    }
  });
  it('differs between calls', () => {
    const seen = new Set(Array.from({ length: 100 }, () => newPassword()));
    expect(seen.size).toBe(100);
  });
});
