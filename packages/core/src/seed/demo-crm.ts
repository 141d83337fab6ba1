import { sql } from 'drizzle-orm';
import type { Actor, CoreConfig, Ctx } from '../context.js';
import type { Db } from '../db/client.js';
import { applyCaseUpdate, ESCALATION_JOBS, escalateItem, escalationJobHandlers } from '../crm/escalation.js';
import { directoryConnector } from '../crm/directory.js';
import { linkMember } from '../crm/links.js';
import { importContactsCsv } from '../crm/service.js';
import { claimQueueItem, requestStaff } from '../queue/service.js';

// The demo's customer data: a Salesforce contacts export loaded into the built-in directory,
// three members linked to their contacts (Maya is a VIP), others left for the console to suggest,
// and two threads escalated to support cases: one still open, one closed by support with its
// public answer drafted and waiting for the agent. Through the product's services, with the
// clock set to when it happened.

const MIN = 60_000;
const HOUR = 60 * MIN;

const EXPORT = [
  '"Contact ID","First Name","Last Name","Email","Title","Phone","Account Name","Account ID","Website","Tier","Annual Revenue"',
  '"0030000001","Maya","Lindqvist","maya@example.com","Head of Operations","+46 8 555 0101","Northwind Traders","0010000001","northwind.example","vip","420,000"',
  '"0030000002","Raj","Patel","dev_raj@example.com","Platform Engineer","","Contoso Labs","0010000002","contoso.example","enterprise","96,000"',
  '"0030000003","Amara","Okafor","amara@example.com","Studio Manager","+44 20 7946 0011","Okafor Design","0010000003","okafor.example","standard","4,800"',
  '"0030000004","Tomasz","Nowak","t.nowak@contoso.example","IT Administrator","","Contoso Labs","0010000002","contoso.example","enterprise","96,000"',
  '"0030000005","Sofía","Moreno","sofia.moreno@fabrikam.example","Project Lead","","Fabrikam","0010000004","fabrikam.example","enterprise","150,000"',
  '"0030000006","Jonas","Berg","jonas@example.com","Finance","","Berg & Berg","0010000005","bergberg.example","standard","2,400"',
].join('\n');

export async function seedCrmDemo(db: Db, config: CoreConfig, now: Date, who: (handle: string) => Actor): Promise<void> {
  let clock = new Date(now.getTime() - 3 * 24 * HOUR);
  const at = (msAgo: number) => (clock = new Date(now.getTime() - msAgo));
  const as = (actor: Actor | null): Ctx => ({ db, actor, now: () => clock, config });
  const alex = who('alex_agent');
  const directory = directoryConnector(db, () => clock);

  await importContactsCsv(as(who('admin')), { csv: EXPORT });
  const contactOf = async (email: string) => {
    const { rows } = await db.execute<{ id: number }>(sql`select id from crm_contacts where email = ${email}`);
    return String(rows[0].id);
  };
  at(2 * 24 * HOUR);
  for (const [handle, email] of [['maya', 'maya@example.com'], ['dev_raj', 'dev_raj@example.com'], ['amara', 'amara@example.com']] as const) {
    await linkMember(as(alex), handle, { contactId: await contactOf(email), confidence: 0.9, evidence: [{ kind: 'email', detail: email, weight: 0.9 }] });
  }

  const threadId = async (title: string): Promise<number> => {
    const { rows } = await db.execute<{ id: number }>(sql`select id from threads where title = ${title}`);
    if (!rows[0]) throw new Error(`the CRM demo names a thread the demo content lacks: ${title}`);
    return rows[0].id;
  };
  const openItemOf = async (id: number): Promise<number> => {
    const { rows } = await db.execute<{ id: number }>(sql`select id from queue_items where thread_id = ${id} and status <> 'resolved'`);
    return rows[0].id;
  };
  /** Escalates the thread's item as Alex and runs the case-creation job as the worker would. */
  const escalate = async (id: number, note: string) => {
    await claimQueueItem(as(alex), await openItemOf(id));
    at(now.getTime() - clock.getTime() - 10 * MIN);
    const escalation = await escalateItem(as(alex), await openItemOf(id), { note });
    const { rows } = await db.execute<{ id: number; payload: Record<string, unknown> }>(
      sql`select id, payload from jobs where kind = ${ESCALATION_JOBS.createCase} and (payload ->> 'escalationId')::int = ${escalation.id}`,
    );
    await escalationJobHandlers[ESCALATION_JOBS.createCase](as(null), rows[0].payload);
    await db.execute(sql`delete from jobs where id = ${rows[0].id}`);
    const { rows: made } = await db.execute<{ case_id: string }>(sql`select case_id from crm_escalations where id = ${escalation.id}`);
    return made[0].case_id;
  };

  // Amara's invoices needed reissuing, which only billing can do: escalated yesterday, closed by
  // support two hours ago. The console has drafted the public answer for Alex to approve.
  const vat = await threadId('VAT number not shown on invoice');
  at(30 * HOUR);
  await requestStaff(as(who('amara')), vat);
  at(29 * HOUR);
  const vatCase = await escalate(vat, 'Older invoices need reissuing with the VAT number; only billing can do that.');
  at(2 * HOUR);
  const closed = await directory.updateCase(vatCase, {
    status: 'closed',
    resolution:
      'Reissued invoices INV-2291 and INV-2304 for Amara Okafor (amara@example.com, +44 20 7946 0011) with the VAT number. ' +
      'Invoices issued after a VAT number is saved in billing settings include it automatically; older invoices have to be reissued by support.',
  });
  await applyCaseUpdate(as(null), { connector: 'directory', caseId: vatCase, contactId: closed!.contactId, createdAt: closed!.createdAt, status: 'closed', resolution: closed!.resolution, updatedAt: closed!.updatedAt, eventId: null });

  // Maya (a VIP) keeps losing the Slack connection: with engineering now, case open.
  const slack = await threadId('Slack app asks for permissions again every week');
  at(20 * HOUR);
  await requestStaff(as(who('maya')), slack);
  at(19 * HOUR);
  await escalate(slack, 'VIP account. Reproduced: the Slack token is not refreshed after 7 days. Needs engineering.');

  clock = now;
}
