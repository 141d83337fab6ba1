CREATE TABLE "post_sentiment" (
	"post_id" integer PRIMARY KEY NOT NULL,
	"score" real NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "post_sentiment" ADD CONSTRAINT "post_sentiment_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "post_sentiment_score_idx" ON "post_sentiment" USING btree ("score");