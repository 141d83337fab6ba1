// Personal data out of text headed for the public forum. A case's resolution is written by
// support for support: it names the customer, quotes their email or phone, cites order and card
// numbers. Before an agent sees it as a draft public answer, each of those becomes a neutral
// placeholder; the agent then edits and approves, so this is the first pass, not the only one.

export interface ScrubNames {
  /** words that identify the customer: their names, handle, company; matched as whole words */
  names: (string | null | undefined)[];
}

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
// 13–19 digits in groups (card numbers), checked with Luhn so order numbers of that length survive
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;
// a phone number: an optional +country, then 7+ digits with spaces, dots, dashes or brackets
const PHONE = /(?<![\w/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{2,5}(?:[ .-]?\d{2,5}){1,4}(?![\w/])/g;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const URL_SECRET = /(https?:\/\/[^\s?#]+)\?[^\s)]*/gi;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text with emails, card numbers, IBANs, phone numbers, IP addresses, URL query strings and the given names replaced. */
export function scrubPersonalData(text: string, who: ScrubNames = { names: [] }): string {
  let out = text
    .replace(EMAIL, '[email removed]')
    .replace(URL_SECRET, '$1')
    .replace(IBAN, '[account number removed]')
    .replace(CARD, (m) => {
      const digits = m.replace(/\D/g, '');
      return digits.length >= 13 && luhn(digits) ? '[card number removed]' : m;
    })
    .replace(IPV4, '[address removed]')
    .replace(PHONE, (m) => {
      // E.164 numbers have at most 15 digits; longer runs are order or reference numbers
      const digits = m.replace(/\D/g, '').length;
      return digits >= 7 && digits <= 15 ? '[phone removed]' : m;
    });
  // a bracket left holding nothing but removed details reads badly: drop it
  out = out.replace(/\s*\((?:\s*\[[a-z ]+ removed\]\s*[,;/]?\s*)+\)/g, '');
  // longest first, so "Grace Hopper" goes before "Grace"
  const names = [...new Set(who.names.map((n) => n?.trim()).filter((n): n is string => !!n && n.length >= 2))].sort((a, b) => b.length - a.length);
  for (const name of names) {
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, 'giu'), 'the customer');
  }
  return out;
}
