import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crm, crmConfigFromEnv, Forbidden, type CoreConfig } from '@forum/core';
import { readConfig } from '../../apps/forum/server/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Clock, createMember, ctxFor, relaxedConfig } from '../support/factories.js';
import { startFakeHubspot, type FakeHubspot } from '../support/fake-crm/hubspot.js';
import { startFakeSalesforce, type FakeSalesforce } from '../support/fake-crm/salesforce.js';

// Choosing a CRM: the environment names the connector and its settings (a vendor without its
// settings stops the server at start with the variable named), and the CRM services then go
// through that vendor rather than the built-in directory.

const hubspotEnv = {
  CRM_CONNECTOR: 'hubspot',
  HUBSPOT_ACCESS_TOKEN: 'pat-1',
  HUBSPOT_TICKET_KEY_PROPERTY: 'forum_escalation_key',
  HUBSPOT_PIPELINE: '0',
  HUBSPOT_STAGE_OPEN: '1',
  HUBSPOT_STAGE_PENDING: '3',
  HUBSPOT_STAGE_CLOSED: '4',
};

describe('crmConfigFromEnv', () => {
  it('uses the built-in directory when nothing is set', () => {
    expect(crmConfigFromEnv({})).toEqual({ connector: 'directory', salesforce: null, hubspot: null, webhookSecret: null, pollSeconds: 60, retryForMinutes: 24 * 60 });
  });

  it('reads Salesforce settings with their defaults', () => {
    const config = crmConfigFromEnv({ CRM_CONNECTOR: 'salesforce', SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com/', SALESFORCE_ACCESS_TOKEN: '00D!abc', CRM_WEBHOOK_SECRET: 's3cret', CRM_POLL_SECONDS: '30' });
    expect(config).toMatchObject({
      connector: 'salesforce',
      salesforce: { instanceUrl: 'https://acme.my.salesforce.com', accessToken: '00D!abc', apiVersion: '62.0', caseKeyField: 'Forum_Escalation_Key__c' },
      hubspot: null,
      webhookSecret: 's3cret',
      pollSeconds: 30,
    });
  });

  it('reads HubSpot settings, defaulting to the public API address', () => {
    expect(crmConfigFromEnv(hubspotEnv)).toMatchObject({
      connector: 'hubspot',
      salesforce: null,
      hubspot: { baseUrl: 'https://api.hubapi.com', accessToken: 'pat-1', ticketKeyProperty: 'forum_escalation_key', pipeline: '0', stages: { open: '1', pending: '3', closed: '4' } },
    });
  });

  it('names the missing or wrong variable', () => {
    expect(() => crmConfigFromEnv({ CRM_CONNECTOR: 'salesforce', SALESFORCE_ACCESS_TOKEN: 't' })).toThrow('SALESFORCE_INSTANCE_URL is required when CRM_CONNECTOR=salesforce');
    expect(() => crmConfigFromEnv({ CRM_CONNECTOR: 'salesforce', SALESFORCE_INSTANCE_URL: 'https://acme.my.salesforce.com' })).toThrow('SALESFORCE_ACCESS_TOKEN is required');
    expect(() => crmConfigFromEnv({ ...hubspotEnv, HUBSPOT_STAGE_CLOSED: ' ' })).toThrow('HUBSPOT_STAGE_CLOSED is required when CRM_CONNECTOR=hubspot');
    expect(() => crmConfigFromEnv({ ...hubspotEnv, HUBSPOT_ACCESS_TOKEN: undefined })).toThrow('HUBSPOT_ACCESS_TOKEN is required');
    expect(() => crmConfigFromEnv({ CRM_CONNECTOR: 'zendesk' })).toThrow(/CRM_CONNECTOR must be one of directory, salesforce, hubspot/);
    expect(() => crmConfigFromEnv({ CRM_POLL_SECONDS: 'often' })).toThrow(/CRM_POLL_SECONDS/);
    expect(() => crmConfigFromEnv({ ...hubspotEnv, HUBSPOT_BASE_URL: 'ftp://example' })).toThrow(/HUBSPOT_BASE_URL must be an http\(s\) URL/);
  });

  it('is what the forum server reads at start', () => {
    expect(readConfig({ ...hubspotEnv } as NodeJS.ProcessEnv).core.crm.connector).toBe('hubspot');
    expect(() => readConfig({ CRM_CONNECTOR: 'salesforce' } as NodeJS.ProcessEnv)).toThrow('SALESFORCE_INSTANCE_URL is required');
  });
});

describe('the CRM services with a vendor configured', () => {
  let database: TestDatabase;
  let sf: FakeSalesforce;
  let hs: FakeHubspot;
  const clock = new Clock(new Date('2025-06-02T09:00:00.000Z'));

  beforeAll(async () => {
    [database, sf, hs] = await Promise.all([createTestDatabase(), startFakeSalesforce(), startFakeHubspot()]);
    sf.addContact({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.example', accountId: sf.addAccount({ name: 'US Navy', tier: 'VIP' }) });
    hs.addContact({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@engine.example', companyId: hs.addCompany({ name: 'Analytical Engines', tier: 'enterprise' }) });
  });
  afterAll(async () => {
    await Promise.all([database?.drop(), sf?.stop(), hs?.stop()]);
  });

  const withCrm = (crmConfig: CoreConfig['crm']): CoreConfig => ({ ...relaxedConfig, crm: crmConfig });

  it('searches Salesforce when Salesforce is configured, reusing one client', async () => {
    const agent = await createMember(database.db, { role: 'agent' });
    const config = withCrm(crmConfigFromEnv({ CRM_CONNECTOR: 'salesforce', SALESFORCE_INSTANCE_URL: sf.url, SALESFORCE_ACCESS_TOKEN: sf.token }));
    const ctx = ctxFor(database.db, agent, clock, config);
    const hits = await crm.searchContacts(ctx, 'hopper');
    expect(hits.map((h) => [h.email, h.account?.name, h.account?.tier])).toEqual([['grace@navy.example', 'US Navy', 'vip']]);
    expect(sf.requests.some((r) => r.path.startsWith('/services/data/v62.0/query'))).toBe(true);
    expect(crm.crmConnector(ctx)).toBe(crm.crmConnector(ctxFor(database.db, agent, clock, config)));
    expect(crm.crmConnector(ctx).name).toBe('salesforce');
    // the directory holds no such contact: the answer came from the vendor
    expect(await crm.searchContacts(ctxFor(database.db, agent, clock), 'hopper')).toEqual([]);
  });

  it('searches HubSpot when HubSpot is configured, and still refuses members', async () => {
    const agent = await createMember(database.db, { role: 'agent' });
    const config = withCrm(crmConfigFromEnv({ ...hubspotEnv, HUBSPOT_BASE_URL: hs.url, HUBSPOT_ACCESS_TOKEN: hs.token }));
    const hits = await crm.searchContacts(ctxFor(database.db, agent, clock, config), 'lovelace');
    expect(hits.map((h) => [h.email, h.account?.name, h.account?.tier])).toEqual([['ada@engine.example', 'Analytical Engines', 'enterprise']]);
    const member = await createMember(database.db);
    const before = hs.requests.length;
    await expect(crm.searchContacts(ctxFor(database.db, member, clock, config), 'lovelace')).rejects.toBeInstanceOf(Forbidden);
    expect(hs.requests.length).toBe(before);
  });
});
