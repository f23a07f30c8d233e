import { describe, expect, it } from 'vitest';
import { parseConfig } from '@llmux/core';
import { ApiKeys, parseKeyFile } from './api-keys.js';
import { presentedKey } from './auth.js';

describe('ApiKeys', () => {
  it('matches exact keys only, with scope and a stable non-secret id', () => {
    const keys = new ApiKeys(['sk-one', 'sk-two'], ['sk-admin']);
    expect(keys.lookup('sk-one')).toMatchObject({ scope: 'api', id: expect.stringMatching(/^key_[0-9a-f]{8}$/) });
    expect(keys.lookup('sk-admin')?.scope).toBe('admin');
    for (const wrong of ['sk-on', 'sk-one ', 'SK-ONE', '', 'sk-one\n', 'sk-onesk-two']) expect(keys.lookup(wrong), wrong).toBeUndefined();
    expect(keys.lookup('sk-one')!.id).toBe(new ApiKeys(['sk-one'], []).lookup('sk-one')!.id);
    expect(keys.lookup('sk-one')!.id).not.toContain('sk-one');
    expect(new ApiKeys([], []).empty).toBe(true);
  });

  it('reads key files with comments and admin lines', () => {
    expect(parseKeyFile('# keys\nk1\r\n  k2  \n\nadmin a1\nadmin   a2\n')).toEqual({ api: ['k1', 'k2'], admin: ['a1', 'a2'] });
  });

  it('names a missing key file in its error', () => {
    expect(() => ApiKeys.fromConfig(parseConfig({ server: { keyFile: '/nonexistent/keys.txt' } }).server)).toThrow(/server.keyFile \/nonexistent\/keys.txt/);
  });

  it('takes the key from Authorization: Bearer or x-api-key', () => {
    expect(presentedKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedKey({ authorization: 'bearer   abc ' })).toBe('abc');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({ 'x-api-key': 'xyz' })).toBe('xyz');
    expect(presentedKey({ authorization: 'Bearer abc', 'x-api-key': 'xyz' })).toBe('abc');
    expect(presentedKey({})).toBeUndefined();
  });
});
