import { bearer, forwardClock, startRestartableServer, type FakeRequest, type FakeResponse, type LoggedRequest } from './server.js';

/*
 * A stand-in for HubSpot's CRM v3/v4 API, enough of it for the forum's connector: contact and
 * ticket search (free-text `query`, filterGroups with EQ/NEQ/GT/GTE/LT/LTE/CONTAINS_TOKEN and the
 * `associations.contact` pseudo-property, sorts, paging by `after`), reads by id or by a unique
 * property (`idProperty`), company batch reads, ticket create with associations and unique
 * property values, ticket→contact association batch reads, bearer tokens, and errors in HubSpot's
 * shape ({ status: 'error', message, category, correlationId }).
 */

export interface FakeHsObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: Date;
  updatedAt: Date;
}
export interface FakeHsTicket extends FakeHsObject {
  contactIds: string[];
}

export interface FakeHubspot {
  url: string;
  port: number;
  token: string;
  ticketKeyProperty: string;
  pipeline: string;
  stages: { open: string; pending: string; closed: string };
  /** `tier` goes to the company's forum_tier property */
  addCompany(c: { name: string; domain?: string | null; tier?: string | null; annualRevenue?: number | null }): string;
  /** sets associatedcompanyid and the contact's `company` text, as HubSpot does for the primary company */
  addContact(c: { firstName?: string | null; lastName?: string | null; email: string; title?: string | null; phone?: string | null; companyId?: string | null }): string;
  /** every ticket, oldest first */
  cases(): FakeHsTicket[];
  /** support moves a ticket to a pipeline stage (e.g. stages.closed); updatedAt moves forward */
  setCaseStatus(ticketId: string, stage: string, resolution?: string | null): void;
  requests: LoggedRequest[];
  /** while set, every request gets this status (e.g. 503) */
  failWith(status: number | null): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

const hsError = (status: number, category: string, message: string): FakeResponse => ({
  status,
  body: { status: 'error', message, correlationId: crypto.randomUUID(), category },
});

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
}
interface SearchBody {
  query?: string;
  filterGroups?: { filters?: Filter[] }[];
  sorts?: (string | { propertyName: string; direction?: string })[];
  properties?: string[];
  limit?: number;
  after?: string;
}

export async function startFakeHubspot(
  options: { port?: number; token?: string; ticketKeyProperty?: string; pipeline?: string; stages?: { open: string; pending: string; closed: string } } = {},
): Promise<FakeHubspot> {
  const token = options.token ?? 'fake-hubspot-token';
  const ticketKeyProperty = options.ticketKeyProperty ?? 'forum_escalation_key';
  const pipeline = options.pipeline ?? '0';
  const stages = options.stages ?? { open: '1', pending: '3', closed: '4' };
  const companies = new Map<string, FakeHsObject>();
  const contacts = new Map<string, FakeHsObject>();
  const tickets = new Map<string, FakeHsTicket>();
  const stamp = forwardClock(1);
  let serial = 100;
  const newId = () => String(++serial);

  const objects = (type: string): Map<string, FakeHsObject> | null => (type === 'contacts' ? contacts : type === 'companies' ? companies : type === 'tickets' ? tickets : null);

  /** what HubSpot returns: the asked-for properties (null when unset) plus the ones it always sends */
  function present(o: FakeHsObject, wanted: string[]) {
    const properties: Record<string, string | null> = {
      createdate: o.createdAt.toISOString(),
      hs_lastmodifieddate: o.updatedAt.toISOString(),
      hs_object_id: o.id,
    };
    for (const p of wanted) properties[p] = o.properties[p] ?? (p === 'createdate' ? properties.createdate : p === 'hs_lastmodifieddate' ? properties.hs_lastmodifieddate : null);
    return { id: o.id, properties, createdAt: o.createdAt.toISOString(), updatedAt: o.updatedAt.toISOString(), archived: false };
  }

  const propertyOf = (o: FakeHsObject, name: string): string | null => {
    if (name === 'hs_lastmodifieddate') return String(o.updatedAt.getTime());
    if (name === 'createdate') return String(o.createdAt.getTime());
    if (name === 'hs_object_id') return o.id;
    return o.properties[name] ?? null;
  };

  function filterMatches(type: string, o: FakeHsObject, f: Filter): boolean {
    if (f.propertyName === 'associations.contact') return type === 'tickets' && (o as FakeHsTicket).contactIds.includes(String(f.value));
    const v = propertyOf(o, f.propertyName);
    const want = f.value ?? '';
    const numeric = v !== null && /^-?\d+(\.\d+)?$/.test(v) && /^-?\d+(\.\d+)?$/.test(want);
    const cmp = v === null ? NaN : numeric ? Number(v) - Number(want) : v.toLowerCase().localeCompare(want.toLowerCase());
    switch (f.operator) {
      case 'EQ':
        return v !== null && v.toLowerCase() === want.toLowerCase();
      case 'NEQ':
        return v === null || v.toLowerCase() !== want.toLowerCase();
      case 'GT':
        return cmp > 0;
      case 'GTE':
        return cmp >= 0;
      case 'LT':
        return cmp < 0;
      case 'LTE':
        return cmp <= 0;
      case 'HAS_PROPERTY':
        return v !== null;
      case 'NOT_HAS_PROPERTY':
        return v === null;
      case 'CONTAINS_TOKEN': {
        // `*` is HubSpot's wildcard here; everything else is literal
        const re = new RegExp(`^${want.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
        return v !== null && v.split(/\s+/).some((tok) => re.test(tok));
      }
      default:
        throw new Error(`operator ${f.operator}`);
    }
  }

  /** free text over the default searchable properties: every word must appear in one of them */
  function queryMatches(type: string, o: FakeHsObject, query: string): boolean {
    const fields = type === 'contacts' ? ['firstname', 'lastname', 'email', 'phone', 'company'] : type === 'companies' ? ['name', 'domain', 'website'] : ['subject', 'content'];
    const haystack = fields.map((f) => (o.properties[f] ?? '').toLowerCase());
    return query
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .every((word) => haystack.some((h) => h.includes(word)));
  }

  function search(type: string, body: SearchBody): FakeResponse {
    const store = objects(type);
    if (!store) return hsError(404, 'OBJECT_NOT_FOUND', `Unknown object type ${type}`);
    const limit = body.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) return hsError(400, 'VALIDATION_ERROR', 'limit must be between 1 and 200');
    const validOps = ['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN'];
    for (const g of body.filterGroups ?? []) for (const f of g.filters ?? []) if (!validOps.includes(f.operator)) return hsError(400, 'VALIDATION_ERROR', `Invalid operator ${f.operator}`);
    let rows = [...store.values()].filter(
      (o) => (!body.query || queryMatches(type, o, body.query)) && ((body.filterGroups ?? []).length === 0 || body.filterGroups!.some((g) => (g.filters ?? []).every((f) => filterMatches(type, o, f)))),
    );
    // sorts as documented: objects with propertyName and direction
    if ((body.sorts ?? []).some((s) => typeof s !== 'object' || !s.propertyName || !['ASCENDING', 'DESCENDING'].includes(s.direction ?? 'ASCENDING'))) {
      return hsError(400, 'VALIDATION_ERROR', 'Invalid input JSON: sorts must be objects with propertyName and direction');
    }
    const sorts = ((body.sorts ?? []) as { propertyName: string; direction?: string }[]).map((s) => ({ propertyName: s.propertyName, desc: s.direction === 'DESCENDING' }));
    rows = rows.sort((a, b) => {
      for (const s of sorts) {
        const x = propertyOf(a, s.propertyName);
        const y = propertyOf(b, s.propertyName);
        if (x === y) continue;
        const numeric = x !== null && y !== null && /^\d+$/.test(x) && /^\d+$/.test(y);
        const cmp = x === null ? -1 : y === null ? 1 : numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return s.desc ? -cmp : cmp;
      }
      return Number(a.id) - Number(b.id);
    });
    const offset = body.after ? Number(body.after) : 0;
    const page = rows.slice(offset, offset + limit);
    const next = offset + limit < rows.length ? { next: { after: String(offset + limit) } } : undefined;
    return { status: 200, body: { total: rows.length, results: page.map((o) => present(o, body.properties ?? [])), ...(next ? { paging: next } : {}) } };
  }

  const listParam = (url: URL, name: string) => url.searchParams.getAll(name).flatMap((v) => v.split(',')).filter(Boolean);

  function createTicket(body: { properties?: Record<string, string>; associations?: { to?: { id?: string }; types?: { associationCategory?: string; associationTypeId?: number }[] }[] }): FakeResponse {
    const properties = body.properties ?? {};
    for (const required of ['subject', 'hs_pipeline', 'hs_pipeline_stage']) if (!properties[required]) return hsError(400, 'VALIDATION_ERROR', `Property "${required}" is required`);
    if (properties.hs_pipeline !== pipeline) return hsError(400, 'VALIDATION_ERROR', `Pipeline ${properties.hs_pipeline} does not exist`);
    if (!Object.values(stages).includes(properties.hs_pipeline_stage)) return hsError(400, 'VALIDATION_ERROR', `Stage ${properties.hs_pipeline_stage} is not in pipeline ${pipeline}`);
    const key = properties[ticketKeyProperty];
    if (key && [...tickets.values()].some((t) => t.properties[ticketKeyProperty] === key)) {
      return hsError(409, 'CONFLICT', `A ticket with ${ticketKeyProperty}=${key} already exists`);
    }
    const contactIds: string[] = [];
    for (const a of body.associations ?? []) {
      const to = String(a.to?.id ?? '');
      if (!contacts.has(to)) return hsError(400, 'VALIDATION_ERROR', `Contact ${to} does not exist`);
      if (!(a.types ?? []).some((t) => t.associationCategory === 'HUBSPOT_DEFINED' && t.associationTypeId === 16)) return hsError(400, 'VALIDATION_ERROR', 'Unsupported association type');
      contactIds.push(to);
    }
    const at = stamp();
    const t: FakeHsTicket = { id: newId(), properties: { ...properties }, createdAt: at, updatedAt: at, contactIds };
    tickets.set(t.id, t);
    return { status: 201, body: present(t, Object.keys(properties)) };
  }

  function handle(req: FakeRequest): FakeResponse {
    if (bearer(req.headers) !== token) {
      return hsError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication.');
    }
    const path = req.url.pathname;
    const body = (req.body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && (m = /^\/crm\/v3\/objects\/(\w+)\/search$/.exec(path))) return search(m[1], body as SearchBody);
    if (req.method === 'POST' && (m = /^\/crm\/v3\/objects\/(\w+)\/batch\/read$/.exec(path))) {
      const store = objects(m[1]);
      if (!store) return hsError(404, 'OBJECT_NOT_FOUND', `Unknown object type ${m[1]}`);
      const inputs = (body.inputs as { id: string }[] | undefined) ?? [];
      const found = inputs.map((i) => store.get(String(i.id))).filter((o): o is FakeHsObject => !!o);
      const now = new Date().toISOString();
      return { status: 200, body: { status: 'COMPLETE', results: found.map((o) => present(o, (body.properties as string[]) ?? [])), startedAt: now, completedAt: now } };
    }
    if (req.method === 'GET' && (m = /^\/crm\/v3\/objects\/(\w+)\/([^/]+)$/.exec(path))) {
      const store = objects(m[1]);
      if (!store) return hsError(404, 'OBJECT_NOT_FOUND', `Unknown object type ${m[1]}`);
      const id = decodeURIComponent(m[2]);
      const idProperty = req.url.searchParams.get('idProperty');
      const o = idProperty ? [...store.values()].find((x) => x.properties[idProperty] === id) : store.get(id);
      if (!o) return hsError(404, 'OBJECT_NOT_FOUND', 'resource not found');
      return { status: 200, body: present(o, listParam(req.url, 'properties')) };
    }
    if (req.method === 'POST' && path === '/crm/v3/objects/tickets') return createTicket(body);
    if (req.method === 'POST' && (m = /^\/crm\/v4\/associations\/(\w+)\/(\w+)\/batch\/read$/.exec(path))) {
      if (m[1] !== 'tickets' || m[2] !== 'contacts') return hsError(400, 'VALIDATION_ERROR', `Unsupported association ${m[1]} to ${m[2]}`);
      const inputs = (body.inputs as { id: string }[] | undefined) ?? [];
      const now = new Date().toISOString();
      const results = inputs
        .map((i) => tickets.get(String(i.id)))
        .filter((t): t is FakeHsTicket => !!t && t.contactIds.length > 0)
        .map((t) => ({ from: { id: t.id }, to: t.contactIds.map((c) => ({ toObjectId: Number(c), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 16, label: null }] })) }));
      return { status: 200, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
    }
    return hsError(404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${path}`);
  }

  const server = await startRestartableServer(options.port ?? 0, handle, (status) => ({
    status: 'error',
    message: status === 400 ? 'Invalid input JSON' : 'Service unavailable',
    correlationId: crypto.randomUUID(),
    category: status === 400 ? 'VALIDATION_ERROR' : 'SERVICE_UNAVAILABLE',
  }));

  return {
    get url() {
      return server.url;
    },
    get port() {
      return server.port;
    },
    token,
    ticketKeyProperty,
    pipeline,
    stages,
    addCompany(c) {
      const at = stamp();
      const id = newId();
      companies.set(id, {
        id,
        properties: { name: c.name, domain: c.domain ?? null, forum_tier: c.tier ?? null, annualrevenue: c.annualRevenue === null || c.annualRevenue === undefined ? null : String(c.annualRevenue) },
        createdAt: at,
        updatedAt: at,
      });
      return id;
    },
    addContact(c) {
      const at = stamp();
      const id = newId();
      const company = c.companyId ? companies.get(c.companyId) : undefined;
      contacts.set(id, {
        id,
        properties: {
          firstname: c.firstName ?? null,
          lastname: c.lastName ?? null,
          email: c.email,
          jobtitle: c.title ?? null,
          phone: c.phone ?? null,
          associatedcompanyid: company ? company.id : null,
          company: company ? company.properties.name : null,
        },
        createdAt: at,
        updatedAt: at,
      });
      return id;
    },
    cases: () => [...tickets.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || Number(a.id) - Number(b.id)),
    setCaseStatus(ticketId, stage, resolution) {
      const t = tickets.get(ticketId);
      if (!t) throw new Error(`no ticket ${ticketId}`);
      t.properties.hs_pipeline_stage = stage;
      if (resolution !== undefined) t.properties.hs_resolution = resolution;
      t.updatedAt = stamp();
    },
    requests: server.requests,
    failWith: server.failWith,
    stop: server.stop,
    restart: server.restart,
  };
}
