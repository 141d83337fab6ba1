DROP INDEX "queue_items_open_due_idx";--> statement-breakpoint
ALTER TABLE "queue_items" ADD COLUMN "priority" smallint GENERATED ALWAYS AS ((case when 'flagged' = any(reasons) then 0 when 'rule' = any(reasons) then 1 when 'requested' = any(reasons) then 2 else 3 end) * 3
          + (case tier when 'vip' then 0 when 'enterprise' then 1 else 2 end)) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "queue_items_open_priority_idx" ON "queue_items" USING btree ("due_at","priority","opened_at","id") WHERE "queue_items"."status" <> 'resolved';