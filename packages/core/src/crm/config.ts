import { defaultConfig, type CrmConfig } from '../context.js';

const CONNECTORS = ['directory', 'salesforce', 'hubspot'] as const;

/**
 * The CRM settings from the environment (the README lists the variables). Throws an Error naming
 * the variable when a vendor is chosen without what it needs, so a misconfigured server stops at
 * start rather than on the first escalation.
 */
export function crmConfigFromEnv(env: NodeJS.ProcessEnv): CrmConfig {
  const value = (name: string) => env[name]?.trim() || undefined;
  const required = (name: string, why: string) => {
    const v = value(name);
    if (!v) throw new Error(`${name} is required when ${why}`);
    return v;
  };
  const url = (name: string, raw: string) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
    return raw.replace(/\/+$/, '');
  };

  const connector = (value('CRM_CONNECTOR') ?? 'directory').toLowerCase();
  if (!(CONNECTORS as readonly string[]).includes(connector)) throw new Error(`CRM_CONNECTOR must be one of ${CONNECTORS.join(', ')}, got "${env.CRM_CONNECTOR}"`);

  const defaults = defaultConfig.crm;
  let pollSeconds = defaults.pollSeconds;
  const poll = value('CRM_POLL_SECONDS');
  if (poll !== undefined) {
    pollSeconds = Number(poll);
    if (!/^[0-9]+$/.test(poll) || pollSeconds < 5 || pollSeconds > 86_400) throw new Error(`CRM_POLL_SECONDS must be a whole number of seconds from 5 to 86400, got "${poll}"`);
  }

  let salesforce: CrmConfig['salesforce'] = null;
  if (connector === 'salesforce') {
    const why = 'CRM_CONNECTOR=salesforce';
    const apiVersion = value('SALESFORCE_API_VERSION') ?? '62.0';
    if (!/^[0-9]{2,3}\.0$/.test(apiVersion)) throw new Error(`SALESFORCE_API_VERSION must look like 62.0, got "${apiVersion}"`);
    const caseKeyField = value('SALESFORCE_CASE_KEY_FIELD') ?? 'Forum_Escalation_Key__c';
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(caseKeyField)) throw new Error(`SALESFORCE_CASE_KEY_FIELD must be a field API name, got "${caseKeyField}"`);
    salesforce = {
      instanceUrl: url('SALESFORCE_INSTANCE_URL', required('SALESFORCE_INSTANCE_URL', why)),
      accessToken: required('SALESFORCE_ACCESS_TOKEN', why),
      apiVersion,
      caseKeyField,
    };
  }

  let hubspot: CrmConfig['hubspot'] = null;
  if (connector === 'hubspot') {
    const why = 'CRM_CONNECTOR=hubspot';
    hubspot = {
      baseUrl: url('HUBSPOT_BASE_URL', value('HUBSPOT_BASE_URL') ?? 'https://api.hubapi.com'),
      accessToken: required('HUBSPOT_ACCESS_TOKEN', why),
      ticketKeyProperty: required('HUBSPOT_TICKET_KEY_PROPERTY', why),
      pipeline: required('HUBSPOT_PIPELINE', why),
      stages: {
        open: required('HUBSPOT_STAGE_OPEN', why),
        pending: required('HUBSPOT_STAGE_PENDING', why),
        closed: required('HUBSPOT_STAGE_CLOSED', why),
      },
      webhook: null,
    };
    const clientSecret = value('HUBSPOT_CLIENT_SECRET');
    const webhookUrl = value('HUBSPOT_WEBHOOK_URL');
    if (!!clientSecret !== !!webhookUrl) throw new Error('HUBSPOT_CLIENT_SECRET and HUBSPOT_WEBHOOK_URL go together: set both to receive HubSpot ticket webhooks, or neither');
    if (clientSecret && webhookUrl) hubspot.webhook = { clientSecret, url: url('HUBSPOT_WEBHOOK_URL', webhookUrl) };
    if (!/^[a-z][a-z0-9_]*$/.test(hubspot.ticketKeyProperty)) throw new Error(`HUBSPOT_TICKET_KEY_PROPERTY must be a property internal name, got "${hubspot.ticketKeyProperty}"`);
  }

  return {
    ...defaults,
    connector: connector as CrmConfig['connector'],
    salesforce,
    hubspot,
    webhookSecret: value('CRM_WEBHOOK_SECRET') ?? null,
    pollSeconds,
  };
}
