// `npm run badges:backfill`: recomputes every badge rule for every member from the current data
// and makes the awards match (awards what is missing, lapses experts who no longer qualify; kept
// badges and staff decisions stay). Safe to run at any time, also while the forum runs.
import { badges, systemClock } from '@forum/core';
import { openDatabase, readConfig } from '../apps/forum/server/runtime.js';

const config = readConfig();
const opened = await openDatabase(config, console.log);
try {
  const result = await badges.backfillBadges({ db: opened.database.db, now: systemClock, config: config.core });
  const rows = Object.entries(result.byBadge).sort(([a], [b]) => a.localeCompare(b));
  for (const [badge, { awarded, lapsed }] of rows) console.log(`  ${badge.padEnd(16)} ${String(awarded).padStart(6)} awarded ${String(lapsed).padStart(6)} lapsed`);
  console.log(`Badge backfill: ${result.awarded} awarded, ${result.lapsed} lapsed in ${(result.ms / 1000).toFixed(1)} s.`);
} finally {
  await opened.close();
}
