CREATE TABLE "post_search" (
	"post_id" integer PRIMARY KEY NOT NULL,
	"thread_id" integer NOT NULL,
	"tsv" "tsvector" NOT NULL
);
--> statement-breakpoint
DROP INDEX "posts_body_tsv_idx";--> statement-breakpoint
ALTER TABLE "post_search" ADD CONSTRAINT "post_search_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "post_search_tsv_idx" ON "post_search" USING gin ("tsv");--> statement-breakpoint
ALTER TABLE "posts" DROP COLUMN "body_tsv";--> statement-breakpoint
INSERT INTO "post_search" ("post_id", "thread_id", "tsv")
SELECT "id", "thread_id", setweight(to_tsvector('english', "body_text"), 'B') FROM "posts" WHERE "deleted_at" IS NULL;
--> statement-breakpoint
CREATE FUNCTION "post_search_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.deleted_at IS NOT NULL THEN
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
CREATE TRIGGER "posts_search_insert" AFTER INSERT ON "posts" FOR EACH ROW EXECUTE FUNCTION "post_search_sync"();
--> statement-breakpoint
CREATE TRIGGER "posts_search_update" AFTER UPDATE OF "body_text", "deleted_at", "thread_id" ON "posts" FOR EACH ROW EXECUTE FUNCTION "post_search_sync"();
