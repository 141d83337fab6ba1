// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
import { openDatabase, readConfig } from '../apps/forum/server/runtime.js';

const opened = await openDatabase(readConfig(), console.log);
console.log('Migrations applied.');
await opened.close();
