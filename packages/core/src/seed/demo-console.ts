import { sql } from 'drizzle-orm';
import type { Actor, CoreConfig } from '../context.js';
import { recordAudit } from '../audit/service.js';
import type { Db } from '../db/client.js';
import { sampleQaWeek, scoreQaReview } from '../dashboard/qa.js';

// The console's history for the demo, so the supervisor's dashboard and the QA page have
// something to show on a fresh `npm start`: queue items the demo threads went through in the
// last weeks (agents answering, agents assisting a peer, the community answering first), the
// claims and resolutions in the audit log, CSAT answers, a few handled flags, and last week's QA
// sample with one review scored. Deterministic (everything follows from the demo threads' order) except which items the QA draw picks, which is random as it is live.
// Threads the community has not answered are left alone: the live queue picks them up.

const MIN = 60_000;
const HOUR = 60 * MIN;
const CSAT_SCORES = [5, 4, 5, 3, 4, 5, 2, 5];
const CSAT_COMMENTS = ['Quick and clear, thank you!', null, 'Solved it, thanks.', 'Took a while, but it works now.', null];

export async function seedConsoleHistory(db: Db, config: CoreConfig, now: Date, who: (handle: string) => Actor): Promise<void> {
  const agent = who('alex_agent');
  const supervisor = who('sam_super');
  const { rows: threads } = await db.execute<{ id: number; author_id: number; created_at: Date; first_peer_reply_at: Date | null; window: number; sla: number; post_id: number }>(sql`
    select t.id, t.author_id, t.created_at, t.first_peer_reply_at, c.community_window_minutes as window, c.sla_minutes as sla,
           (select p.id from posts p where p.thread_id = t.id and p.position = 1) as post_id
    from threads t join categories c on c.id = t.category_id
    where t.deleted_at is null
    order by t.created_at, t.id`);

  let n = 0;
  for (const [i, t] of threads.entries()) {
    if (!t.first_peer_reply_at) continue;
    const created = new Date(t.created_at).getTime();
    const peer = new Date(t.first_peer_reply_at).getTime();
    const windowEnd = created + t.window * MIN;
    const kind = n++ % 4;
    let item: { reasons: string[]; opened: number; firstResponse: number | null; resolved: number; by: Actor | null; resolution: 'agent' | 'assisted' | 'community' } | null = null;
    if (kind === 0) {
      // the asker asked for staff; the agent confirmed a peer's answer
      const opened = created + 20 * MIN;
      item = { reasons: ['requested'], opened, firstResponse: opened + 35 * MIN, resolved: Math.max(peer, opened) + 25 * MIN, by: agent, resolution: 'assisted' };
    } else if (kind === 1) {
      // flagged, then answered by staff; every third one late (an SLA breach)
      const opened = created + 45 * MIN;
      const took = i % 3 === 0 ? t.sla * MIN + 3 * HOUR : 90 * MIN + (i % 5) * 20 * MIN;
      item = { reasons: ['flagged'], opened, firstResponse: opened + Math.min(took, 50 * MIN), resolved: opened + took, by: i % 2 ? agent : supervisor, resolution: 'agent' };
    } else if (kind === 2 && peer > windowEnd) {
      // unanswered past the window, then a peer answered before any agent held it
      item = { reasons: ['unanswered'], opened: windowEnd, firstResponse: null, resolved: peer, by: null, resolution: 'community' };
    } else if (kind === 3) {
      // unanswered past the window; an agent answered
      const opened = Math.min(windowEnd, now.getTime() - 3 * HOUR);
      item = { reasons: ['unanswered'], opened, firstResponse: opened + 40 * MIN, resolved: opened + 2 * HOUR, by: agent, resolution: 'agent' };
    }
    if (!item || item.resolved >= now.getTime()) continue;
    const claimedAt = item.by ? new Date(item.opened + 10 * MIN) : null;
    const { rows } = await db.execute<{ id: number }>(sql`
      insert into queue_items (thread_id, status, reasons, opened_at, due_at, claimed_by_id, claimed_at, last_agent_activity_at,
                               first_agent_response_at, resolved_at, resolved_by_id, resolution)
      values (${t.id}, 'resolved', ${`{${item.reasons.join(',')}}`}::text[], ${new Date(item.opened)}, ${new Date(item.opened + t.sla * MIN)},
              ${item.by?.id ?? null}, ${claimedAt}, ${item.by ? new Date(item.resolved) : null},
              ${item.firstResponse === null ? null : new Date(item.firstResponse)}, ${new Date(item.resolved)}, ${item.by?.id ?? null}, ${item.resolution})
      returning id`);
    const itemId = rows[0].id;
    if (item.by && claimedAt) {
      const snapshot = (status: string, claimedById: number | null) => ({ status, claimedById });
      await recordAudit(db, {
        actorId: item.by.id, action: 'queue.claimed', subjectType: 'queue_item', subjectId: itemId,
        data: { threadId: t.id, before: snapshot('queued', null), after: snapshot('claimed', item.by.id) }, at: claimedAt,
      });
      await recordAudit(db, {
        actorId: item.by.id, action: 'queue.resolved', subjectType: 'queue_item', subjectId: itemId,
        data: { threadId: t.id, before: snapshot('claimed', item.by.id), after: snapshot('resolved', item.by.id) }, at: new Date(item.resolved),
      });
      const answeredAt = new Date(item.resolved + 2 * HOUR);
      if (i % 5 !== 4 && answeredAt < now) {
        await db.execute(sql`
          insert into csat_responses (item_id, thread_id, user_id, score, comment, created_at)
          values (${itemId}, ${t.id}, ${t.author_id}, ${CSAT_SCORES[i % CSAT_SCORES.length]}, ${CSAT_COMMENTS[i % CSAT_COMMENTS.length]}, ${answeredAt})`);
      }
    }
    if (item.reasons[0] === 'flagged' && t.post_id) {
      // the flag that sent it to the queue, handled by the agent who took it
      const flagger = who(['lea', 'kenji', 'amara', 'jonas'][i % 4]);
      if (flagger.id !== t.author_id) {
        await db.execute(sql`
          insert into flags (post_id, flagger_id, reason, note, weight, status, created_at, resolved_at, resolved_by_id)
          values (${t.post_id}, ${flagger.id}, ${i % 2 ? 'off_topic' : 'needs_staff'}, null, 1, ${i % 3 ? 'disagreed' : 'agreed'},
                  ${new Date(item.opened - 5 * MIN)}, ${new Date(item.resolved)}, ${item.by?.id ?? null})`);
      }
    }
  }

  // Last week's QA sample, drawn and partly scored by the supervisor, as the weekly job would.
  const ctx = { db, actor: supervisor, now: () => now, config };
  const sample = await sampleQaWeek(ctx);
  const mine = sample.drawn.find((d) => d.agentId === agent.id);
  if (mine?.itemIds.length) {
    const { rows } = await db.execute<{ id: number }>(sql`select id from qa_reviews where item_id = ${mine.itemIds[0]}`);
    await scoreQaReview(ctx, rows[0].id, {
      scores: { accuracy: 5, tone: 4, policy: 5, resolution: 4 },
      comment: 'Clear and friendly. Link the help-centre article next time, so the answer stays current.',
    });
  }
}
