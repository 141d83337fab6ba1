CREATE TYPE "public"."queue_resolution" AS ENUM('agent', 'community');--> statement-breakpoint
CREATE TYPE "public"."queue_status" AS ENUM('queued', 'claimed', 'escalated', 'resolved');--> statement-breakpoint
CREATE TABLE "queue_items" (
	"id" serial PRIMARY KEY NOT NULL,
	"thread_id" integer NOT NULL,
	"status" "queue_status" DEFAULT 'queued' NOT NULL,
	"reasons" text[] NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"claimed_by_id" integer,
	"claimed_at" timestamp with time zone,
	"last_agent_activity_at" timestamp with time zone,
	"first_agent_response_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"resolved_by_id" integer,
	"resolution" "queue_resolution",
	CONSTRAINT "queue_items_reasons_check" CHECK (cardinality("queue_items"."reasons") > 0 and "queue_items"."reasons" <@ array['unanswered', 'flagged', 'requested', 'rule']::text[])
);
--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "flag_threshold" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "sla_minutes" integer DEFAULT 480 NOT NULL;--> statement-breakpoint
ALTER TABLE "queue_items" ADD CONSTRAINT "queue_items_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_items" ADD CONSTRAINT "queue_items_claimed_by_id_users_id_fk" FOREIGN KEY ("claimed_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_items" ADD CONSTRAINT "queue_items_resolved_by_id_users_id_fk" FOREIGN KEY ("resolved_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_items_open_thread_idx" ON "queue_items" USING btree ("thread_id") WHERE "queue_items"."status" <> 'resolved';--> statement-breakpoint
CREATE INDEX "queue_items_open_due_idx" ON "queue_items" USING btree ("due_at","opened_at","id") WHERE "queue_items"."status" <> 'resolved';--> statement-breakpoint
CREATE INDEX "queue_items_resolved_idx" ON "queue_items" USING btree ("resolved_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "queue_items"."status" = 'resolved';--> statement-breakpoint
CREATE INDEX "queue_items_thread_idx" ON "queue_items" USING btree ("thread_id");