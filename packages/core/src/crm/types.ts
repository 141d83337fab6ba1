import type { ExternalIds } from './schema.js';

export type CrmTier = 'vip' | 'enterprise' | 'standard';
export const CRM_TIERS: readonly CrmTier[] = ['vip', 'enterprise', 'standard'];
export type CrmCaseStatus = 'open' | 'pending' | 'closed';
export type CrmSource = 'salesforce' | 'hubspot';
export type { ExternalIds };

/** Ids are strings: the vendors' ids are (Salesforce '003…', HubSpot '51'); the directory's are its serials. */
export interface CrmAccount {
  id: string;
  name: string;
  domain: string | null;
  tier: CrmTier;
  /** annual contract value in whole currency units, when known */
  annualValue: number | null;
}

/** A search hit: enough to tell two contacts apart. */
export interface CrmContactSummary {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string;
  title: string | null;
  account: CrmAccount | null;
}

export interface CrmCase {
  id: string;
  contactId: string;
  subject: string;
  status: CrmCaseStatus;
  resolution: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What an agent sees about a customer: who they are, their account, and what is open. */
export interface CrmContact extends CrmContactSummary {
  phone: string | null;
  externalIds: ExternalIds;
  openCases: CrmCase[];
}

export interface CreateCaseInput {
  contactId: string;
  subject: string;
  description: string;
  /** the same key twice creates one case: retries after a timeout are safe */
  idempotencyKey: string;
}

/**
 * A change to a case as the CRM reports it, by webhook or by polling. The code that receives
 * webhooks and polls feeds these to one handler, so both paths behave the same; `eventId`
 * (when the CRM gives one) lets that handler drop replays.
 */
export interface CrmCaseUpdate {
  connector: string;
  caseId: string;
  /** the contact the case is for, when the CRM says */
  contactId: string | null;
  /** when the case was opened */
  createdAt: string;
  status: CrmCaseStatus;
  resolution: string | null;
  updatedAt: string;
  eventId: string | null;
}

/** One row the import refused, by its line in the file as a spreadsheet numbers rows (the header is row 1). */
export interface RejectedRow {
  row: number;
  reason: string;
  email: string | null;
}

export interface ImportReport {
  source: CrmSource;
  /** data rows read (the header not counted) */
  rows: number;
  accepted: number;
  rejectedCount: number;
  /** the first 1000 rejected rows; rejectedCount counts them all */
  rejected: RejectedRow[];
  contacts: { created: number; updated: number; unchanged: number };
  accounts: { created: number; updated: number };
  /** the file's column headers as they map to our fields; unknown ones are ignored */
  mappedColumns: Record<string, string>;
  unknownColumns: string[];
}
export type { LinkEvidence } from './schema.js';
