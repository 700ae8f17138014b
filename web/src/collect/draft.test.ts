import { beforeEach, describe, expect, it } from 'vitest';
import { clearDraft, loadDraft, saveDraft } from './draft';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

describe('draft', () => {
  beforeEach(() => {
    (globalThis as any).localStorage = new MemoryStorage();
  });
  it('round-trips a draft per token', () => {
    const d = loadDraft('t1');
    d.step = 3;
    d.position = 'OP';
    d.answers.G01 = 5;
    saveDraft('t1', d);
    expect(loadDraft('t1')).toEqual(d);
    expect(loadDraft('t2').step).toBe(0);
  });
  it('drops answers outside 1–6 and junk', () => {
    localStorage.setItem('ikiiki.answers.t', JSON.stringify({ step: -1, answers: { G01: 7, G02: 2, G03: 'x' }, comment: 5 }));
    const d = loadDraft('t');
    expect(d.step).toBe(0);
    expect(d.answers).toEqual({ G02: 2 });
    expect(d.comment).toBe('');
  });
  it('survives a broken document and clears', () => {
    localStorage.setItem('ikiiki.answers.t', '{');
    expect(loadDraft('t').answers).toEqual({});
    saveDraft('t', loadDraft('t'));
    clearDraft('t');
    expect(localStorage.getItem('ikiiki.answers.t')).toBeNull();
  });
});
