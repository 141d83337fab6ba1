CREATE TYPE "public"."crm_link_decision" AS ENUM('confirmed', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."crm_link_status" AS ENUM('active', 'unlinked');--> statement-breakpoint
CREATE TABLE "crm_link_decisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"connector" text NOT NULL,
	"contact_id" text NOT NULL,
	"decision" "crm_link_decision" NOT NULL,
	"confidence" real,
	"evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reason" text,
	"decided_by_id" integer,
	"decided_at" timestamp with time zone NOT NULL,
	CONSTRAINT "crm_link_decisions_confidence_check" CHECK ("crm_link_decisions"."confidence" is null or ("crm_link_decisions"."confidence" >= 0 and "crm_link_decisions"."confidence" <= 1))
);
--> statement-breakpoint
CREATE TABLE "crm_links" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"connector" text NOT NULL,
	"contact_id" text NOT NULL,
	"status" "crm_link_status" DEFAULT 'active' NOT NULL,
	"tier" text,
	"linked_by_id" integer,
	"linked_at" timestamp with time zone NOT NULL,
	"unlinked_by_id" integer,
	"unlinked_at" timestamp with time zone,
	"unlink_reason" text
);
--> statement-breakpoint
ALTER TABLE "crm_link_decisions" ADD CONSTRAINT "crm_link_decisions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_link_decisions" ADD CONSTRAINT "crm_link_decisions_decided_by_id_users_id_fk" FOREIGN KEY ("decided_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_links" ADD CONSTRAINT "crm_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_links" ADD CONSTRAINT "crm_links_linked_by_id_users_id_fk" FOREIGN KEY ("linked_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_links" ADD CONSTRAINT "crm_links_unlinked_by_id_users_id_fk" FOREIGN KEY ("unlinked_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "crm_link_decisions_member_idx" ON "crm_link_decisions" USING btree ("user_id","connector","contact_id","decided_at");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_links_active_member_idx" ON "crm_links" USING btree ("user_id","connector") WHERE "crm_links"."status" = 'active';--> statement-breakpoint
CREATE INDEX "crm_links_member_idx" ON "crm_links" USING btree ("user_id","linked_at");--> statement-breakpoint
CREATE INDEX "crm_links_contact_idx" ON "crm_links" USING btree ("connector","contact_id");--> statement-breakpoint
CREATE INDEX "crm_contacts_name_gist_idx" ON "crm_contacts" USING gist ((coalesce("first_name", '') || ' ' || coalesce("last_name", '')) gist_trgm_ops);