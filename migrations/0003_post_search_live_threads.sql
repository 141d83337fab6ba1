-- post_search holds the posts of live threads only, so a search needs no join to threads.
DELETE FROM "post_search" ps USING "threads" t WHERE t."id" = ps."thread_id" AND t."deleted_at" IS NOT NULL;
--> statement-breakpoint
CREATE FUNCTION "post_search_thread_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN
    DELETE FROM post_search WHERE thread_id = NEW.id;
  ELSIF NEW.deleted_at IS NULL AND OLD.deleted_at IS NOT NULL THEN
    INSERT INTO post_search (post_id, thread_id, tsv)
    SELECT id, thread_id, setweight(to_tsvector('english', body_text), 'B') FROM posts
    WHERE thread_id = NEW.id AND deleted_at IS NULL
    ON CONFLICT (post_id) DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "threads_search_deleted" AFTER UPDATE OF "deleted_at" ON "threads" FOR EACH ROW EXECUTE FUNCTION "post_search_thread_sync"();
