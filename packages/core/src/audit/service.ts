import type { Executor } from '../db/client.js';
import { auditLog } from './schema.js';

export interface AuditEntry {
  actorId: number | null;
  action: string;
  subjectType: string;
  subjectId: number;
  reason?: string | null;
  data?: Record<string, unknown>;
  at: Date;
}

/** Appends one entry to the audit log inside the caller's transaction. */
export async function recordAudit(tx: Executor, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    reason: entry.reason ?? null,
    data: entry.data ?? {},
    createdAt: entry.at,
  });
}
