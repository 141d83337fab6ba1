import { bearer, forwardClock, startRestartableServer, type FakeRequest, type FakeResponse, type LoggedRequest } from './server.js';

/*
 * A stand-in for the Salesforce REST API, enough of it for the forum's connector: SOQL queries
 * (SELECT … FROM Contact|Case WHERE … ORDER BY … LIMIT n, with the = != < > <= >= LIKE operators
 * joined by AND/OR), upsert of a Case by an external-id field, bearer tokens, and errors in
 * Salesforce's shape ([{ message, errorCode }]).
 */

export interface FakeSfAccount {
  Id: string;
  Name: string;
  Website: string | null;
  Tier__c: string | null;
  AnnualRevenue: number | null;
}
export interface FakeSfContact {
  Id: string;
  FirstName: string | null;
  LastName: string;
  Email: string | null;
  Title: string | null;
  Phone: string | null;
  AccountId: string | null;
}
export interface FakeSfCase {
  Id: string;
  ContactId: string | null;
  Subject: string | null;
  Description: string | null;
  Status: string;
  IsClosed: boolean;
  Resolution__c: string | null;
  CreatedDate: Date;
  SystemModstamp: Date;
  /** the value of the external-id field (options.caseKeyField) */
  key: string;
}

export interface FakeSalesforce {
  url: string;
  port: number;
  token: string;
  caseKeyField: string;
  addAccount(a: { name: string; website?: string | null; tier?: string | null; annualRevenue?: number | null }): string;
  addContact(c: { firstName?: string | null; lastName: string; email?: string | null; title?: string | null; phone?: string | null; accountId?: string | null }): string;
  /** every case in the org, oldest first */
  cases(): FakeSfCase[];
  /** support changes a case: 'Closed' closes it; the modstamp moves forward */
  setCaseStatus(caseId: string, status: string, resolution?: string | null): void;
  requests: LoggedRequest[];
  /** while set, every request gets this status (e.g. 503) */
  failWith(status: number | null): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

const CLOSED_STATUSES = new Set(['Closed']);

const sfError = (status: number, errorCode: string, message: string): FakeResponse => ({ status, body: [{ message, errorCode }] });
const sfDate = (d: Date) => d.toISOString().replace('Z', '+0000');

class SoqlError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

type Token = { kind: 'word'; text: string } | { kind: 'string'; value: string; like: string } | { kind: 'number'; value: number } | { kind: 'datetime'; value: number } | { kind: 'op'; text: string } | { kind: 'comma' };

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      // string literal: a backslash escapes the next character. `like` keeps every escaped
      // character escaped, so LIKE can tell \% (a percent sign) from % (any run)
      let value = '';
      let like = '';
      i++;
      for (;;) {
        if (i >= soql.length) throw new SoqlError('MALFORMED_QUERY', 'unterminated string literal');
        const c = soql[i];
        if (c === '\\') {
          const next = soql[i + 1];
          if (next === undefined || !/[\\'"%_nrtbf]/.test(next)) throw new SoqlError('MALFORMED_QUERY', 'invalid escape sequence in a string literal');
          const decoded = next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next === 'b' ? '\b' : next === 'f' ? '\f' : next;
          value += decoded;
          like += `\\${decoded}`;
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          like += c;
          i++;
        }
      }
      tokens.push({ kind: 'string', value, like });
    } else if (ch === ',') {
      tokens.push({ kind: 'comma' });
      i++;
    } else if (/[=!<>]/.test(ch)) {
      const m = /^(!=|<=|>=|=|<|>)/.exec(soql.slice(i));
      if (!m) throw new SoqlError('MALFORMED_QUERY', `unexpected ${ch}`);
      tokens.push({ kind: 'op', text: m[1] });
      i += m[1].length;
    } else {
      const rest = soql.slice(i);
      const dt = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/.exec(rest);
      if (dt) {
        tokens.push({ kind: 'datetime', value: Date.parse(dt[0]) });
        i += dt[0].length;
        continue;
      }
      const num = /^-?\d+(?:\.\d+)?/.exec(rest);
      if (num) {
        tokens.push({ kind: 'number', value: Number(num[0]) });
        i += num[0].length;
        continue;
      }
      const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
      if (!word) throw new SoqlError('MALFORMED_QUERY', `unexpected token at: ${rest.slice(0, 20)}`);
      tokens.push({ kind: 'word', text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

type Value = string | number | boolean | null;
interface Condition {
  field: string;
  op: string;
  value: Value;
}
interface Query {
  fields: string[];
  object: string;
  /** OR of ANDs */
  where: Condition[][];
  orderBy: { field: string; desc: boolean }[];
  limit: number | null;
}

function parse(soql: string): Query {
  const t = tokenize(soql);
  let i = 0;
  const isWord = (w: string) => t[i]?.kind === 'word' && (t[i] as { text: string }).text.toUpperCase() === w;
  const expectWord = (w: string) => {
    if (!isWord(w)) throw new SoqlError('MALFORMED_QUERY', `expecting ${w}`);
    i++;
  };
  const field = () => {
    const tok = t[i];
    if (tok?.kind !== 'word') throw new SoqlError('MALFORMED_QUERY', 'expecting a field');
    i++;
    return tok.text;
  };
  expectWord('SELECT');
  const fields = [field()];
  while (t[i]?.kind === 'comma') {
    i++;
    fields.push(field());
  }
  expectWord('FROM');
  const object = field();
  const where: Condition[][] = [];
  if (isWord('WHERE')) {
    i++;
    let group: Condition[] = [];
    for (;;) {
      const f = field();
      let op: string;
      const tok = t[i];
      if (tok?.kind === 'op') op = tok.text;
      else if (isWord('LIKE')) op = 'LIKE';
      else throw new SoqlError('MALFORMED_QUERY', `expecting an operator after ${f}`);
      i++;
      const v = t[i++];
      let value: Value;
      if (v?.kind === 'string') value = op === 'LIKE' ? v.like : v.value;
      else if (v?.kind === 'number' || v?.kind === 'datetime') value = v.value;
      else if (v?.kind === 'word' && /^(true|false)$/i.test(v.text)) value = v.text.toLowerCase() === 'true';
      else if (v?.kind === 'word' && /^null$/i.test(v.text)) value = null;
      else throw new SoqlError('MALFORMED_QUERY', `expecting a value after ${f} ${op}`);
      group.push({ field: f, op, value });
      if (isWord('AND')) {
        i++;
      } else if (isWord('OR')) {
        i++;
        where.push(group);
        group = [];
      } else {
        where.push(group);
        break;
      }
    }
  }
  const orderBy: Query['orderBy'] = [];
  if (isWord('ORDER')) {
    i++;
    expectWord('BY');
    for (;;) {
      const f = field();
      let desc = false;
      if (isWord('DESC')) {
        desc = true;
        i++;
      } else if (isWord('ASC')) i++;
      orderBy.push({ field: f, desc });
      if (t[i]?.kind !== 'comma') break;
      i++;
    }
  }
  let limit: number | null = null;
  if (isWord('LIMIT')) {
    i++;
    const n = t[i++];
    if (n?.kind !== 'number') throw new SoqlError('MALFORMED_QUERY', 'expecting a number after LIMIT');
    limit = n.value;
  }
  if (i !== t.length) throw new SoqlError('MALFORMED_QUERY', 'unexpected text after the query');
  return { fields, object, where, orderBy, limit };
}

/** LIKE: case-insensitive, % any run, _ one character, \% and \_ literal. */
function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

export async function startFakeSalesforce(options: { port?: number; token?: string; caseKeyField?: string } = {}): Promise<FakeSalesforce> {
  const token = options.token ?? 'fake-salesforce-token';
  const caseKeyField = options.caseKeyField ?? 'Forum_Escalation_Key__c';
  const accounts = new Map<string, FakeSfAccount>();
  const contacts = new Map<string, FakeSfContact>();
  const cases = new Map<string, FakeSfCase>();
  const stamp = forwardClock(1000);
  let serial = 0;
  const newId = (prefix: string) => `${prefix}Fk${String(++serial).padStart(13, '0')}`;

  interface Row {
    [field: string]: Value | Date | Row | null;
  }
  const accountRow = (a: FakeSfAccount | undefined): Row | null => (a ? { Id: a.Id, Name: a.Name, Website: a.Website, Tier__c: a.Tier__c, AnnualRevenue: a.AnnualRevenue } : null);
  const contactRow = (c: FakeSfContact): Row => ({
    ...c,
    Name: [c.FirstName, c.LastName].filter(Boolean).join(' '),
    Account: accountRow(c.AccountId ? accounts.get(c.AccountId) : undefined),
  });
  const caseRow = (c: FakeSfCase): Row => {
    const { key, ...rest } = c;
    return { ...rest, [caseKeyField]: key };
  };

  const read = (row: Row, path: string, object: string): Value | Date | Row | null => {
    let cur: Row | Value | Date | null = row;
    for (const part of path.split('.')) {
      if (cur === null) return null;
      if (typeof cur !== 'object' || cur instanceof Date || !(part in cur)) throw new SoqlError('INVALID_FIELD', `No such column '${path}' on entity '${object}'`);
      cur = (cur as Row)[part];
    }
    return cur;
  };
  const comparable = (v: Value | Date | Row | null) => (v instanceof Date ? v.getTime() : typeof v === 'string' ? v.toLowerCase() : v);

  function matches(row: Row, c: Condition, object: string): boolean {
    const v = read(row, c.field, object);
    if (c.op === 'LIKE') return typeof v === 'string' && typeof c.value === 'string' && likeToRegExp(c.value).test(v);
    const a = comparable(v as Value | Date);
    const b = typeof c.value === 'string' ? c.value.toLowerCase() : c.value;
    switch (c.op) {
      case '=':
        return a === b;
      case '!=':
        return a !== b;
      default:
        if (a === null || b === null || typeof a === 'boolean' || typeof b === 'boolean') return false;
        return c.op === '>' ? a > b : c.op === '<' ? a < b : c.op === '>=' ? a >= b : a <= b;
    }
  }

  function project(row: Row, fields: string[], object: string, baseUrl: string): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: { type: object, url: `${baseUrl}/sobjects/${object}/${row.Id as string}` } };
    for (const f of fields) {
      const value = read(row, f, object);
      const parts = f.split('.');
      if (parts.length === 1) {
        out[f] = value instanceof Date ? sfDate(value) : value;
        continue;
      }
      const [rel, sub] = parts;
      const related = row[rel] as Row | null;
      if (!related) {
        out[rel] = null;
        continue;
      }
      const nested = (out[rel] as Record<string, unknown> | undefined) ?? { attributes: { type: rel, url: `${baseUrl}/sobjects/${rel}/${related.Id as string}` } };
      nested[sub] = value instanceof Date ? sfDate(value) : value;
      out[rel] = nested;
    }
    return out;
  }

  function runQuery(soql: string, baseUrl: string) {
    const q = parse(soql);
    const source: Row[] =
      q.object === 'Contact' ? [...contacts.values()].map(contactRow) : q.object === 'Case' ? [...cases.values()].map(caseRow) : q.object === 'Account' ? [...accounts.values()].map((a) => accountRow(a)!) : [];
    if (!['Contact', 'Case', 'Account'].includes(q.object)) throw new SoqlError('INVALID_TYPE', `sObject type '${q.object}' is not supported.`);
    let rows = source.filter((r) => q.where.length === 0 || q.where.some((group) => group.every((c) => matches(r, c, q.object))));
    if (q.orderBy.length) {
      rows = rows.sort((x, y) => {
        for (const o of q.orderBy) {
          const a = comparable(read(x, o.field, q.object) as Value | Date);
          const b = comparable(read(y, o.field, q.object) as Value | Date);
          if (a === b) continue;
          // Salesforce sorts nulls first ascending
          const cmp = a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
          return o.desc ? -cmp : cmp;
        }
        return 0;
      });
    }
    if (q.limit !== null) rows = rows.slice(0, q.limit);
    // validate the selected fields even when nothing matched, as Salesforce does
    const probe = source[0];
    if (probe) for (const f of q.fields) read(probe, f, q.object);
    const records = rows.map((r) => project(r, q.fields, q.object, baseUrl));
    return { totalSize: records.length, done: true, records };
  }

  function upsertCase(key: string, body: Record<string, unknown>): FakeResponse {
    const allowed = new Set(['ContactId', 'Subject', 'Description', 'Status', 'Origin', 'Priority']);
    for (const k of Object.keys(body)) if (!allowed.has(k)) return sfError(400, 'INVALID_FIELD', `No such column '${k}' on sobject of type Case`);
    const contactId = body.ContactId as string | undefined;
    if (contactId !== undefined && !/^003/.test(contactId)) return sfError(400, 'FIELD_INTEGRITY_EXCEPTION', `Contact ID: id value of incorrect type: ${contactId}`);
    if (contactId !== undefined && !contacts.has(contactId)) return sfError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    const existing = [...cases.values()].find((c) => c.key === key);
    const at = stamp();
    if (existing) {
      if (contactId !== undefined) existing.ContactId = contactId;
      if (body.Subject !== undefined) existing.Subject = body.Subject as string;
      if (body.Description !== undefined) existing.Description = body.Description as string;
      existing.SystemModstamp = at;
      return { status: 200, body: { id: existing.Id, success: true, errors: [], created: false } };
    }
    const c: FakeSfCase = {
      Id: newId('500'),
      ContactId: contactId ?? null,
      Subject: (body.Subject as string) ?? null,
      Description: (body.Description as string) ?? null,
      Status: (body.Status as string) ?? 'New',
      IsClosed: false,
      Resolution__c: null,
      CreatedDate: at,
      SystemModstamp: at,
      key,
    };
    cases.set(c.Id, c);
    return { status: 201, body: { id: c.Id, success: true, errors: [], created: true } };
  }

  function handle(req: FakeRequest): FakeResponse {
    if (bearer(req.headers) !== token) return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    const m = /^\/services\/data\/v(\d+\.\d)(\/.*)$/.exec(req.url.pathname);
    if (!m) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const rest = m[2];
    const baseUrl = `/services/data/v${m[1]}`;
    try {
      if (req.method === 'GET' && rest === '/query') {
        const q = req.url.searchParams.get('q');
        if (!q) return sfError(400, 'MALFORMED_QUERY', 'q is required');
        return { status: 200, body: runQuery(q, baseUrl) };
      }
      const upsert = /^\/sobjects\/Case\/([A-Za-z0-9_]+)\/([^/]+)$/.exec(rest);
      if (req.method === 'PATCH' && upsert) {
        const [, fieldName, rawKey] = upsert;
        if (fieldName !== caseKeyField) return sfError(400, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`);
        if (typeof req.body !== 'object' || req.body === null) return sfError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
        return upsertCase(decodeURIComponent(rawKey), req.body as Record<string, unknown>);
      }
      return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    } catch (err) {
      if (err instanceof SoqlError) return sfError(400, err.errorCode, err.message);
      throw err;
    }
  }

  const server = await startRestartableServer(options.port ?? 0, handle, (status) =>
    status === 400 ? [{ message: 'The request body is not valid JSON', errorCode: 'JSON_PARSER_ERROR' }] : [{ message: 'Service unavailable', errorCode: 'SERVER_UNAVAILABLE' }],
  );

  return {
    get url() {
      return server.url;
    },
    get port() {
      return server.port;
    },
    token,
    caseKeyField,
    addAccount(a) {
      const Id = newId('001');
      accounts.set(Id, { Id, Name: a.name, Website: a.website ?? null, Tier__c: a.tier ?? null, AnnualRevenue: a.annualRevenue ?? null });
      return Id;
    },
    addContact(c) {
      const Id = newId('003');
      contacts.set(Id, { Id, FirstName: c.firstName ?? null, LastName: c.lastName, Email: c.email ?? null, Title: c.title ?? null, Phone: c.phone ?? null, AccountId: c.accountId ?? null });
      return Id;
    },
    cases: () => [...cases.values()].sort((a, b) => a.CreatedDate.getTime() - b.CreatedDate.getTime() || a.Id.localeCompare(b.Id)),
    setCaseStatus(caseId, status, resolution) {
      const c = cases.get(caseId);
      if (!c) throw new Error(`no case ${caseId}`);
      c.Status = status;
      c.IsClosed = CLOSED_STATUSES.has(status);
      if (resolution !== undefined) c.Resolution__c = resolution;
      c.SystemModstamp = stamp();
    },
    requests: server.requests,
    failWith: server.failWith,
    stop: server.stop,
    restart: server.restart,
  };
}
