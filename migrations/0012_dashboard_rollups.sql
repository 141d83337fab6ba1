CREATE TABLE "dashboard_agent_daily" (
	"day" date NOT NULL,
	"agent_id" integer NOT NULL,
	"assigned" integer NOT NULL,
	"resolved" integer NOT NULL,
	"assisted" integer NOT NULL,
	CONSTRAINT "dashboard_agent_daily_day_agent_id_pk" PRIMARY KEY("day","agent_id")
);
--> statement-breakpoint
CREATE TABLE "dashboard_daily" (
	"day" date PRIMARY KEY NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"incoming" integer NOT NULL,
	"answered" integer NOT NULL,
	"agent_answered" integer NOT NULL,
	"peer_minutes" double precision[] NOT NULL,
	"peer_counts" integer[] NOT NULL,
	"opened_unanswered" integer NOT NULL,
	"opened_flagged" integer NOT NULL,
	"opened_requested" integer NOT NULL,
	"opened_rule" integer NOT NULL,
	"first_response_minutes" double precision[] NOT NULL,
	"first_response_counts" integer[] NOT NULL,
	"resolved_agent" integer NOT NULL,
	"resolved_assisted" integer NOT NULL,
	"resolved_community" integer NOT NULL,
	"resolution_minutes" double precision[] NOT NULL,
	"resolution_counts" integer[] NOT NULL,
	"sla_breaches" integer NOT NULL,
	"flags_raised" integer NOT NULL,
	"flags_handled" integer NOT NULL,
	"csat_scores" integer[] NOT NULL,
	"queue_unanswered" integer NOT NULL,
	"queue_flagged" integer NOT NULL,
	"queue_requested" integer NOT NULL,
	"queue_rule" integer NOT NULL
);
--> statement-breakpoint
DROP INDEX "queue_items_claimed_by_idx";--> statement-breakpoint
ALTER TABLE "dashboard_agent_daily" ADD CONSTRAINT "dashboard_agent_daily_agent_id_users_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "queue_items_claimed_by_idx" ON "queue_items" USING btree ("claimed_by_id","due_at","priority","opened_at","id") WHERE "queue_items"."status" <> 'resolved';