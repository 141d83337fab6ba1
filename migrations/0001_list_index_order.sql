DROP INDEX "posts_author_idx";--> statement-breakpoint
DROP INDEX "threads_latest_idx";--> statement-breakpoint
DROP INDEX "threads_category_latest_idx";--> statement-breakpoint
DROP INDEX "threads_status_latest_idx";--> statement-breakpoint
DROP INDEX "threads_author_idx";--> statement-breakpoint
CREATE INDEX "posts_author_idx" ON "posts" USING btree ("author_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "threads_latest_idx" ON "threads" USING btree ("last_activity_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "threads"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "threads_category_latest_idx" ON "threads" USING btree ("category_id","last_activity_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "threads"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "threads_status_latest_idx" ON "threads" USING btree ("status","last_activity_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "threads"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "threads_author_idx" ON "threads" USING btree ("author_id","created_at" DESC NULLS FIRST);