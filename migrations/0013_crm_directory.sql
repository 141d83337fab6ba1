CREATE TYPE "public"."crm_case_status" AS ENUM('open', 'pending', 'closed');--> statement-breakpoint
CREATE TABLE "crm_accounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"domain" text,
	"tier" text DEFAULT 'standard' NOT NULL,
	"annual_value" bigint,
	"external_ids" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_accounts_tier_check" CHECK ("crm_accounts"."tier" in ('vip', 'enterprise', 'standard'))
);
--> statement-breakpoint
CREATE TABLE "crm_cases" (
	"id" serial PRIMARY KEY NOT NULL,
	"contact_id" integer NOT NULL,
	"subject" text NOT NULL,
	"description" text NOT NULL,
	"status" "crm_case_status" DEFAULT 'open' NOT NULL,
	"resolution" text,
	"idempotency_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crm_contacts" (
	"id" serial PRIMARY KEY NOT NULL,
	"account_id" integer,
	"first_name" text,
	"last_name" text,
	"email" text NOT NULL,
	"phone" text,
	"title" text,
	"external_ids" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crm_contacts_email_lower_check" CHECK ("crm_contacts"."email" = lower("crm_contacts"."email"))
);
--> statement-breakpoint
ALTER TABLE "crm_cases" ADD CONSTRAINT "crm_cases_contact_id_crm_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."crm_contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crm_contacts" ADD CONSTRAINT "crm_contacts_account_id_crm_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."crm_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "crm_accounts_name_key_idx" ON "crm_accounts" USING btree ("name_key");--> statement-breakpoint
CREATE INDEX "crm_accounts_name_trgm_idx" ON "crm_accounts" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "crm_cases_idempotency_key_idx" ON "crm_cases" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "crm_cases_contact_status_idx" ON "crm_cases" USING btree ("contact_id","status");--> statement-breakpoint
CREATE INDEX "crm_cases_updated_idx" ON "crm_cases" USING btree ("updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "crm_contacts_email_idx" ON "crm_contacts" USING btree ("email");--> statement-breakpoint
CREATE INDEX "crm_contacts_account_idx" ON "crm_contacts" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "crm_contacts_name_trgm_idx" ON "crm_contacts" USING gin ((coalesce("first_name", '') || ' ' || coalesce("last_name", '')) gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "crm_contacts_email_trgm_idx" ON "crm_contacts" USING gin ("email" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "crm_contacts_salesforce_id_idx" ON "crm_contacts" USING btree (("external_ids" ->> 'salesforce'));--> statement-breakpoint
CREATE INDEX "crm_contacts_hubspot_id_idx" ON "crm_contacts" USING btree (("external_ids" ->> 'hubspot'));