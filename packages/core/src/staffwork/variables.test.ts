import { describe, expect, it } from 'vitest';
import { fillVariables, unknownVariables } from './variables.js';

const values = { 'customer.name': 'Ada {agent.name}', 'customer.handle': 'ada', 'agent.name': 'Sam', 'thread.title': 'Login fails', 'category.name': 'Billing' };

describe('canned-response variables', () => {
  it('names the unknown variables once each, and ignores braces that are not variables', () => {
    expect(unknownVariables('Hi {customer.name}, {customer.email} {customer.email} {order.id} {"json": 1} {x}')).toEqual(['customer.email', 'order.id']);
    expect(unknownVariables('Hi {customer.name} about {thread.title} in {category.name}')).toEqual([]);
  });

  it('fills every variable in one pass, leaving values that look like variables as written', () => {
    expect(fillVariables('Hi {customer.name} (@{customer.handle}), {agent.name} here about “{thread.title}” in {category.name}.', values)).toBe(
      'Hi Ada {agent.name} (@ada), Sam here about “Login fails” in Billing.',
    );
  });
});
