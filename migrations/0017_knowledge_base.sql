CREATE TABLE "kb_articles" (
	"id" serial PRIMARY KEY NOT NULL,
	"thread_id" integer NOT NULL,
	"title" text NOT NULL,
	"body_markdown" text NOT NULL,
	"body_html" text NOT NULL,
	"body_text" text NOT NULL,
	"tsv" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', "kb_articles"."title"), 'A') || setweight(to_tsvector('english', "kb_articles"."body_text"), 'B')) STORED,
	"created_by_id" integer,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kb_articles" ADD CONSTRAINT "kb_articles_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_articles" ADD CONSTRAINT "kb_articles_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "kb_articles_thread_idx" ON "kb_articles" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "kb_articles_tsv_idx" ON "kb_articles" USING gin ("tsv");--> statement-breakpoint
CREATE INDEX "kb_articles_title_trgm_idx" ON "kb_articles" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "kb_articles_created_idx" ON "kb_articles" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);