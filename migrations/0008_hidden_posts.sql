ALTER TABLE "posts" ADD COLUMN "hidden_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "hidden_reason" text;--> statement-breakpoint
-- post_search leaves out posts hidden by flags, as it does held and deleted ones; restoring a
-- post (hidden_at back to null) puts it back.
CREATE OR REPLACE FUNCTION "post_search_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.deleted_at IS NOT NULL OR NEW.held_at IS NOT NULL OR NEW.hidden_at IS NOT NULL
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
CREATE TRIGGER "posts_search_update" AFTER UPDATE OF "body_text", "deleted_at", "thread_id", "held_at", "hidden_at" ON "posts" FOR EACH ROW EXECUTE FUNCTION "post_search_sync"();
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
    WHERE thread_id = NEW.id AND deleted_at IS NULL AND held_at IS NULL AND hidden_at IS NULL
    ON CONFLICT (post_id) DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
