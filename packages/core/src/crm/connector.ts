import type { CreateCaseInput, CrmCase, CrmCaseUpdate, CrmContact, CrmContactSummary } from './types.js';

/**
 * What the forum needs from a CRM. The built-in directory (directory.ts) is the default; the
 * Salesforce and HubSpot connectors implement the same contract over the vendors' clients.
 * Methods take and return the CRM's own ids as strings.
 */
export interface CrmConnector {
  /** 'directory', 'salesforce' or 'hubspot': stored with links and cases so they stay traceable */
  readonly name: string;
  /** Contacts whose name, email or account matches `query`, best matches first. */
  searchContacts(query: string, options?: { limit?: number }): Promise<CrmContactSummary[]>;
  /** A contact with their account (tier, value) and open cases, or null when the CRM has none by that id. */
  getContact(id: string): Promise<CrmContact | null>;
  /** Opens a case for a contact; calling again with the same idempotency key returns the same case. */
  createCase(input: CreateCaseInput): Promise<CrmCase>;
  /** A case's current state, or null when the CRM has none by that id. */
  getCase(id: string): Promise<CrmCase | null>;
  /**
   * Case changes after `since`, oldest first, for polling. Webhook receivers produce the same
   * CrmCaseUpdate shape, so one handler applies both.
   */
  caseUpdatesSince(since: Date, options?: { limit?: number }): Promise<CrmCaseUpdate[]>;
}
