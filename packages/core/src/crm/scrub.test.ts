import { describe, expect, it } from 'vitest';
import { scrubPersonalData } from './scrub.js';

// What a drafted public answer must not carry from support's resolution: the customer's contact
// details, payment numbers and names. What it must keep: the fix, product versions, order-free text.

describe('scrubPersonalData', () => {
  it('removes emails, phone numbers, card numbers (Luhn-valid), IBANs, IP addresses and URL query strings', () => {
    const text = scrubPersonalData(
      'Mail jo@acme.example or call +49 30 1234567. Card 4111 1111 1111 1111 refunded to DE89 3704 0044 0532 0130 00. Seen from 10.1.2.3 at https://app.example/reset?token=s3cret now.',
    );
    for (const secret of ['jo@acme.example', '1234567', '4111', 'DE89', '10.1.2.3', 's3cret']) expect(text).not.toContain(secret);
    expect(text).toContain('https://app.example/reset');
    expect(text).toContain('[card number removed]');
  });

  it('keeps numbers that are not personal: versions, invoice numbers, counts, a 16-digit order number failing Luhn', () => {
    const text = scrubPersonalData('Fixed in release 4.2.1; invoices INV-2291 and 12 others reissued; order 1234 5678 9012 3456.');
    expect(text).toBe('Fixed in release 4.2.1; invoices INV-2291 and 12 others reissued; order 1234 5678 9012 3456.');
  });

  it('replaces the customer’s names as whole words, longest first, and drops brackets left empty', () => {
    const text = scrubPersonalData('Spoke to Grace Hopper (grace@navy.example, +1 555 010 9999). Grace confirmed; Graceland is unrelated.', { names: ['Grace', 'Grace Hopper', 'Hopper'] });
    expect(text).toBe('Spoke to the customer. the customer confirmed; Graceland is unrelated.');
  });
});
