import { describe, expect, it } from 'vitest';
import { matchPath } from './router';

describe('matchPath', () => {
  it('matches literal paths', () => {
    expect(matchPath('/admin/users', '/admin/users')).toEqual({});
    expect(matchPath('/admin/users', '/admin/user')).toBeNull();
  });
  it('reads parameters and decodes them', () => {
    expect(matchPath('/admin/users/:login', '/admin/users/sato%2Esv')).toEqual({ login: 'sato.sv' });
  });
  it('refuses a different length', () => {
    expect(matchPath('/admin/users/:login', '/admin/users')).toBeNull();
    expect(matchPath('/', '/x')).toBeNull();
  });
  it('refuses a malformed escape', () => {
    expect(matchPath('/a/:x', '/a/%E0%A4%A')).toBeNull();
  });
});
