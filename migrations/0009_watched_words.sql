CREATE TYPE "public"."watched_word_action" AS ENUM('block', 'hold', 'flag', 'censor', 'tag');--> statement-breakpoint
CREATE TABLE "watched_words" (
	"id" serial PRIMARY KEY NOT NULL,
	"phrase" text NOT NULL,
	"action" "watched_word_action" NOT NULL,
	"replacement" text,
	"tag_id" integer,
	"created_by_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "watched_words" ADD CONSTRAINT "watched_words_tag_id_tags_id_fk" FOREIGN KEY ("tag_id") REFERENCES "public"."tags"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "watched_words" ADD CONSTRAINT "watched_words_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "watched_words_phrase_action_idx" ON "watched_words" USING btree ("phrase","action");