CREATE TYPE "public"."flag_reason" AS ENUM('spam', 'abusive', 'off_topic', 'needs_staff', 'other');--> statement-breakpoint
CREATE TYPE "public"."flag_status" AS ENUM('open', 'agreed', 'disagreed');--> statement-breakpoint
CREATE TABLE "flags" (
	"id" serial PRIMARY KEY NOT NULL,
	"post_id" integer NOT NULL,
	"flagger_id" integer NOT NULL,
	"reason" "flag_reason" NOT NULL,
	"note" text,
	"weight" smallint NOT NULL,
	"status" "flag_status" DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by_id" integer,
	"resolution_note" text
);
--> statement-breakpoint
ALTER TABLE "categories" ADD COLUMN "hold_first_posts" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "held_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "held_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "flags" ADD CONSTRAINT "flags_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flags" ADD CONSTRAINT "flags_flagger_id_users_id_fk" FOREIGN KEY ("flagger_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "flags_open_idx" ON "flags" USING btree ("post_id","flagger_id") WHERE "flags"."status" = 'open';--> statement-breakpoint
CREATE INDEX "flags_status_idx" ON "flags" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "flags_flagger_agreed_idx" ON "flags" USING btree ("flagger_id") WHERE "flags"."status" = 'agreed';--> statement-breakpoint
CREATE INDEX "posts_held_idx" ON "posts" USING btree ("id") WHERE "posts"."held_at" is not null and "posts"."deleted_at" is null;--> statement-breakpoint
-- post_search keeps held posts (and every post of a held thread) out, as it keeps deleted ones.
CREATE OR REPLACE FUNCTION "post_search_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.deleted_at IS NOT NULL OR NEW.held_at IS NOT NULL
     OR EXISTS (SELECT 1 FROM threads t WHERE t.id = NEW.thread_id AND (t.held_at IS NOT NULL OR t.deleted_at IS NOT NULL)) THEN
    DELETE FROM post_search WHERE post_id = NEW.id;
  ELSE
    INSERT INTO post_search (post_id, thread_id, tsv)
    VALUES (NEW.id, NEW.thread_id, setweight(to_tsvector('english', NEW.body_text), 'B'))
    ON CONFLICT (post_id) DO UPDATE SET thread_id = EXCLUDED.thread_id, tsv = EXCLUDED.tsv;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER "posts_search_update" ON "posts";
--> statement-breakpoint
CREATE TRIGGER "posts_search_update" AFTER UPDATE OF "body_text", "deleted_at", "thread_id", "held_at" ON "posts" FOR EACH ROW EXECUTE FUNCTION "post_search_sync"();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "post_search_thread_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_hidden boolean := OLD.deleted_at IS NOT NULL OR OLD.held_at IS NOT NULL;
  is_hidden boolean := NEW.deleted_at IS NOT NULL OR NEW.held_at IS NOT NULL;
BEGIN
  IF is_hidden AND NOT was_hidden THEN
    DELETE FROM post_search WHERE thread_id = NEW.id;
  ELSIF was_hidden AND NOT is_hidden THEN
    INSERT INTO post_search (post_id, thread_id, tsv)
    SELECT id, thread_id, setweight(to_tsvector('english', body_text), 'B') FROM posts
    WHERE thread_id = NEW.id AND deleted_at IS NULL AND held_at IS NULL
    ON CONFLICT (post_id) DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER "threads_search_deleted" ON "threads";
--> statement-breakpoint
CREATE TRIGGER "threads_search_hidden" AFTER UPDATE OF "deleted_at", "held_at" ON "threads" FOR EACH ROW EXECUTE FUNCTION "post_search_thread_sync"();
