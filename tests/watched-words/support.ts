import { expect } from 'vitest';
import type { ApiClient } from '../support/http.js';

export interface RuleInput {
  phrase: string;
  action: 'block' | 'hold' | 'flag' | 'censor' | 'tag';
  replacement?: string | null;
  tag?: string | null;
}

/** Adds a watched word through the console as a supervisor; returns its id. */
export async function watch(console_: ApiClient, rule: RuleInput): Promise<number> {
  const response = await console_.post('/api/watched-words', rule);
  expect(response.statusCode, response.body).toBe(201);
  return response.json().watchedWord.id;
}
