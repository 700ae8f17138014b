import { describe, expect, it } from 'vitest';
import { ja } from './ja';
import { en } from './en';

describe('message tables', () => {
  it('have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });
  it('use the same placeholders in both languages', () => {
    for (const k of Object.keys(ja) as (keyof typeof ja)[]) {
      const names = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(names(en[k]), k).toEqual(names(ja[k]));
    }
  });
  it('have no empty message', () => {
    for (const [k, v] of Object.entries(ja)) expect(v.length, k).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(en)) expect(v.length, k).toBeGreaterThan(0);
  });
});
