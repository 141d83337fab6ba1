CREATE TYPE "public"."crm_escalation_status" AS ENUM('pending_sync', 'open', 'pending', 'closed');--> statement-breakpoint
CREATE TABLE "crm_escalations" (
	"id" serial PRIMARY KEY NOT NULL,
	"thread_id" integer NOT NULL,
	"item_id" integer,
	"user_id" integer,
	"connector" text NOT NULL,
	"contact_id" text,
	"idempotency_key" text NOT NULL,
	"subject" text NOT NULL,
	"case_id" text,
	"status" "crm_escalation_status" DEFAULT 'pending_sync' NOT NULL,
	"resolution" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"escalated_by_id" integer,
	"created_at" timestamp with time zone NOT NULL,
	"synced_at" timestamp with time zone,
	"case_updated_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"draft_answer" text,
	"answer_post_id" integer
);
--> statement-breakpoint
CREATE TABLE "crm_known_cases" (
	"connector" text NOT NULL,
	"case_id" text NOT NULL,
	"contact_id" text,
	"status" "crm_case_status" NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "crm_known_cases_connector_case_id_pk" PRIMARY KEY("connector","case_id")
);
--> statement-breakpoint
CREATE TABLE "crm_sync_cursors" (
	"connector" text PRIMARY KEY NOT NULL,
	"cursor_at" timestamp with time zone NOT NULL,
	"cursor_case_id" text DEFAULT '' NOT NULL,
	"polled_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_webhook_receipts" (
	"connector" text NOT NULL,
	"event_id" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "crm_webhook_receipts_connector_event_id_pk" PRIMARY KEY("connector","event_id")
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "support_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "support_resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "crm_escalations" ADD CONSTRAINT "crm_escalations_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_escalations" ADD CONSTRAINT "crm_escalations_item_id_queue_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."queue_items"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_escalations" ADD CONSTRAINT "crm_escalations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_escalations" ADD CONSTRAINT "crm_escalations_escalated_by_id_users_id_fk" FOREIGN KEY ("escalated_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_escalations" ADD CONSTRAINT "crm_escalations_answer_post_id_posts_id_fk" FOREIGN KEY ("answer_post_id") REFERENCES "public"."posts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "crm_escalations_key_idx" ON "crm_escalations" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_escalations_live_thread_idx" ON "crm_escalations" USING btree ("thread_id") WHERE "crm_escalations"."status" <> 'closed';--> statement-breakpoint
CREATE INDEX "crm_escalations_thread_idx" ON "crm_escalations" USING btree ("thread_id","created_at");--> statement-breakpoint
CREATE INDEX "crm_escalations_case_idx" ON "crm_escalations" USING btree ("connector","case_id");--> statement-breakpoint
CREATE INDEX "crm_escalations_pending_idx" ON "crm_escalations" USING btree ("id") WHERE "crm_escalations"."status" = 'pending_sync';--> statement-breakpoint
CREATE INDEX "crm_known_cases_contact_idx" ON "crm_known_cases" USING btree ("connector","contact_id","opened_at");--> statement-breakpoint
CREATE INDEX "crm_webhook_receipts_received_idx" ON "crm_webhook_receipts" USING btree ("received_at");