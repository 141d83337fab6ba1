CREATE TYPE "public"."poll_kind" AS ENUM('single', 'multiple', 'ranked');--> statement-breakpoint
CREATE TYPE "public"."poll_results_visibility" AS ENUM('always', 'after_vote', 'after_close');--> statement-breakpoint
CREATE TABLE "ballots" (
	"poll_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"choices" integer[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ballots_poll_id_user_id_pk" PRIMARY KEY("poll_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "poll_options" (
	"id" serial PRIMARY KEY NOT NULL,
	"poll_id" integer NOT NULL,
	"position" smallint NOT NULL,
	"label" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "polls" (
	"id" serial PRIMARY KEY NOT NULL,
	"thread_id" integer NOT NULL,
	"question" text NOT NULL,
	"kind" "poll_kind" NOT NULL,
	"min_choices" smallint DEFAULT 1 NOT NULL,
	"max_choices" smallint DEFAULT 1 NOT NULL,
	"anonymous" boolean DEFAULT false NOT NULL,
	"results_visibility" "poll_results_visibility" DEFAULT 'always' NOT NULL,
	"closes_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "polls_thread_id_unique" UNIQUE("thread_id"),
	CONSTRAINT "polls_choices_check" CHECK ("polls"."min_choices" >= 1 and "polls"."min_choices" <= "polls"."max_choices")
);
--> statement-breakpoint
ALTER TABLE "ballots" ADD CONSTRAINT "ballots_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ballots" ADD CONSTRAINT "ballots_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "poll_options" ADD CONSTRAINT "poll_options_poll_id_polls_id_fk" FOREIGN KEY ("poll_id") REFERENCES "public"."polls"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ballots_user_idx" ON "ballots" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "poll_options_poll_position_idx" ON "poll_options" USING btree ("poll_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "poll_options_poll_label_idx" ON "poll_options" USING btree ("poll_id","label");